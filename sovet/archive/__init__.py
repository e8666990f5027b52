"""Export, verification and import of an organization with its whole record (ARCHIVE.md)."""
