"""Queued work: thin dramatiq actors over plain functions (process an item, deliver a webhook, sweep)."""
