"""Fixtures for telephony integration tests (defined in `telephony_harness`)."""

from telephony_harness import hotline, hotline_factory, recordings

__all__ = ["hotline", "hotline_factory", "recordings"]
