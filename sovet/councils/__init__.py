"""Councils, their composition, delegates' mandates and recalls."""
