"""Telephone voice assistant for older people in Yunnan."""
