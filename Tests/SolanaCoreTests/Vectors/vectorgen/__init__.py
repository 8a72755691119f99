"""The sections of vectors.json and the LiteSVM self-check, for generate.py next to this package."""
