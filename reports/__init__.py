"""Compliance: regulator reports, violation reports, the audit log, retention."""
