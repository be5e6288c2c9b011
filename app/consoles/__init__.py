"""consoles package."""
