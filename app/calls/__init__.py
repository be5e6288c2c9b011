"""Calls: the call service (one transaction per step), the actions flows run, the assembly."""
