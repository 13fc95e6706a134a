"""The human review queue: tasks, claims with leases, decisions, complaints, appeals, strikes."""
