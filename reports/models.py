"""Compliance tables (regulator reports, audit log) are defined here."""
