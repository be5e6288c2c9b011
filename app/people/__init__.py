"""Older people and who acts for them: registration data, phones, places, names, ID numbers."""
