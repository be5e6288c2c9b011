"""The database schema: the declarative base shared by every capability's models."""
