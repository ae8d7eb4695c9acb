"""prioritise."""
