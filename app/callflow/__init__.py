"""callflow package."""
