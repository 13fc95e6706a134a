"""Metrics say where items are and where the time goes; every log line about an item carries its id;
a crafted input that makes a stage raise ends `rejected` after a few tries instead of coming back forever."""

from __future__ import annotations

import io
import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from classifiers.base import Content
from classifiers.registry import Registry
from modpipe.domain import Category
from modpipe.logs import JsonFormatter
from modpipe.pipeline import Pipeline
from tests.conftest import wait_until
from workers import tasks


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(m: dict, name: str, **labels) -> float:
    return m.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_cover_items_stages_queue_and_workers(client, org, workers, wait_final):
    ids = [client.post("/v1/items", json={"text": f"第{i}条义卖消息"}, headers=org.headers).json()["id"] for i in range(3)]
    for i in ids:
        wait_final(i, org.headers)
    m = samples(client.get("/metrics").text)
    decided = lambda name: sum(v for (n, labels), v in m.items() if n == name and ("status", "decided") in labels)
    assert decided("modpipe_items") == 3  # whatever the decision, all three are counted once
    assert value(m, "modpipe_items_ingested_total", kind="text") >= 3
    assert decided("modpipe_items_finished_total") >= 3
    assert value(m, "modpipe_stage_seconds_count", stage="extract") >= 3
    assert value(m, "modpipe_db_seconds_count", op="claim") >= 3
    assert value(m, "modpipe_db_seconds_count", op="finalize") >= 3
    assert value(m, "modpipe_post_to_verdict_seconds_count") >= 3
    assert value(m, "modpipe_http_request_seconds_count", method="POST", route="/v1/items", status="202") >= 3
    assert ("modpipe_queue_depth", (("queue", "items"),)) in m
    assert ("modpipe_dead_letters", (("queue", "items"),)) in m
    assert value(m, "modpipe_worker_starts") >= 1
    assert value(m, "modpipe_oldest_open_item_seconds") == 0.0  # nothing open


def test_oldest_open_item_shows_a_stall(client, org):
    """No workers: the item waits, and the gauge an alert would watch grows."""
    client.post("/v1/items", json={"text": "没有工人处理的消息"}, headers=org.headers)
    first = value(samples(client.get("/metrics").text), "modpipe_oldest_open_item_seconds")
    wait_until(lambda: value(samples(client.get("/metrics").text), "modpipe_oldest_open_item_seconds") > first + 0.2,
               timeout=5)
    assert value(samples(client.get("/metrics").text), "modpipe_queue_depth", queue="items") >= 1


class Explodes:
    """A stage that raises on crafted input, as a buggy decoder would."""

    name = "explodes"
    categories = (Category.MALWARE,)

    def classify(self, content: Content):
        if "崩溃" in content.text:
            raise ValueError("crafted input broke the decoder")
        return []

    def examples(self):
        return []


def capture_logs():
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.INFO)
    return buf, lambda: (root.removeHandler(handler), root.setLevel(old))


def test_every_log_line_about_an_item_carries_its_id_and_a_poison_item_is_rejected(rt, client, org):
    rt._pipeline = Pipeline(Registry(classifiers=[Explodes()]))
    item_id = client.post("/v1/items", json={"text": "这条会让解码器崩溃"}, headers=org.headers).json()["id"]
    buf, done = capture_logs()
    try:
        for attempt in range(1, tasks.MAX_PIPELINE_ATTEMPTS):
            try:
                tasks.process_item(rt, item_id)
                raise AssertionError("the failing stage should have raised for a retry")
            except ValueError:
                pass
        assert tasks.process_item(rt, item_id) == "rejected"  # the last attempt gives the outcome
        assert tasks.process_item(rt, item_id) is None  # and it stays the one outcome
    finally:
        done()
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert lines, "nothing was logged"
    assert all(line.get("item_id") == item_id for line in lines), lines
    body = client.get(f"/v1/items/{item_id}", headers=org.headers).json()
    assert body["status"] == "rejected"
    assert "ValueError" in body["reason"] and str(tasks.MAX_PIPELINE_ATTEMPTS) in body["reason"]
    m = samples(client.get("/metrics").text)
    assert value(m, "modpipe_pipeline_failures_total") >= tasks.MAX_PIPELINE_ATTEMPTS


def test_worker_middleware_binds_the_item_id_for_dramatiq_lines(rt, client, org, workers, wait_final):
    """Through the real queue: the retry warnings dramatiq itself writes carry the item id too."""
    rt._pipeline = Pipeline(Registry(classifiers=[Explodes()]))
    buf, done = capture_logs()
    logging.getLogger("dramatiq").setLevel(logging.WARNING)
    try:
        item_id = client.post("/v1/items", json={"text": "再次崩溃"}, headers=org.headers).json()["id"]
        final = wait_final(item_id, org.headers, timeout=30)
    finally:
        done()
    assert final["status"] == "rejected"
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    # the worker side's lines (the test client's own request lines run in the test's thread)
    about = [line for line in lines if line["logger"].startswith(("dramatiq", "workers", "modpipe"))
             and (item_id in line["msg"] or line.get("item_id") == item_id)]
    assert any(line["logger"].startswith("dramatiq") for line in about), [line["logger"] for line in lines]
    assert all(line.get("item_id") == item_id for line in about), [(x["logger"], x["msg"][:80]) for x in about
                                                                   if x.get("item_id") != item_id]
