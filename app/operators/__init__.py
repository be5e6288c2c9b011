"""Operators: callers waiting for a person, picking them up, and calling callers back."""
