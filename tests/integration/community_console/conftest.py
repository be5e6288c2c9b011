"""The community console tests use helpers from community_helpers.py."""
