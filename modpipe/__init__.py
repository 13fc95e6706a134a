"""modpipe: a self-hostable content-moderation pipeline.

This package holds what every other package shares: the domain types, the
settings, the database, the object store, the broker and the command line.
"""

__version__ = "0.1.0"
