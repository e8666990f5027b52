"""Organizations, their statutes, units and members."""
