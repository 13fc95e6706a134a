"""The ingest API (FastAPI): the only place where errors become HTTP responses."""
