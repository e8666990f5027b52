"""Sovet: council democracy for member organizations."""
