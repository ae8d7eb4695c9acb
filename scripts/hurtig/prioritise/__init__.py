"""Prioritisation: filter a panel's variants, assess inheritance, score and explain them."""
