"""Proof under load, faults and hostile input, in the scaled shape on one machine.

``python -m loadtest load|faults|fuzz`` starts its own pieces (a PostgreSQL
database of its own on the shared server, its own ``redis-server``, a ``weed
mini`` S3 server, ``modpipe api`` and several ``modpipe worker`` processes),
drives them from a bounded client on the loopback, and prints its figures. The
tests in ``tests/faults`` and ``tests/fuzz`` run the same code in short modes.
"""
