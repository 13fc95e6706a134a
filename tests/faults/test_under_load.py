"""Faults under load, in the scaled shape (own PostgreSQL database, redis-server, weed mini S3, the
API and two workers as real processes): kill -9 workers, restart Redis, restart the API, cut the
database's connections, fill the object store's disk. After each, every accepted upload and every
row in the database reaches one final outcome, no item has two webhook rows, every callback is
delivered with a good signature, and a fresh upload is decided without anyone stepping in.

The same code is `python -m loadtest faults` (longer, heavier); these are its short modes.
"""

from __future__ import annotations

import pytest

from loadtest.cluster import Cluster, ClusterConfig
from loadtest.faults import SCENARIOS, run_disk_full, run_scenario
from loadtest.receiver import Receiver

pytestmark = pytest.mark.slow

RATE, DURATION = 25.0, 8.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("faults"), ClusterConfig(workers=2, threads=4, stuck_after_s=5.0,
                                                                    sweep_every_s=1.0))
    c.start()
    receiver = Receiver(secret=c.webhook_secret).start()
    c.receiver = receiver
    yield c
    receiver.stop()
    c.stop()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_fault_under_load_loses_nothing(cluster, name):
    v = run_scenario(cluster, name, RATE, DURATION, cluster.receiver)
    print(v.line())
    assert v.ok, v.problems
    assert v.figures["accepted"] >= RATE * DURATION * 0.9, "the uploader could not get most uploads in"
    assert v.figures["webhooks"] > 0, "no item carried a callback: the webhook check checked nothing"


def test_full_object_store_refuses_and_recovers(tmp_path):
    v = run_disk_full(tmp_path)
    print(v.line())
    assert v.ok, v.problems
    assert v.figures["accepted_before_full"] > 0 and v.figures["refused"] > 0
