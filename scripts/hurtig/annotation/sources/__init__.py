"""annotation/sources."""
