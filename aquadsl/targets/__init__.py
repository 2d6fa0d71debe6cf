"""Targets: load the simulated farm into a user's own Django schema (mapping language, probe, SQL, verify)."""
