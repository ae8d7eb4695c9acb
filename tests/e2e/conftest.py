"""The end-to-end tests share the demo and GIAB runs of tests/conftest.py."""
