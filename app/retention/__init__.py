"""Retention: personal data is removed or anonymised once its period is over (docs/security.md)."""
