"""calling."""
