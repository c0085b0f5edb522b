"""Renderers: each reads the one plan document (document.py) and returns a string."""
