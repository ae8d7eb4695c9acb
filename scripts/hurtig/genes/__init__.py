"""genes."""
