"""Over 200 malformed texts, images, videos and archives, and a mutation fuzzer, against the API and
the file stages: no 5xx, every accepted item reaches an outcome, no crash, memory bounded."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from loadtest.corpus import build
from loadtest.fuzz import check_api_answers, post_case
from modpipe.models import Item
from tests.conftest import REPO, wait_until


def test_corpus_is_big_and_varied():
    cases = build()
    families = {c.family for c in cases}
    assert len(cases) >= 200 and families == {"text", "image", "video", "archive"}
    assert all(sum(c.family == f for c in cases) >= 40 for f in families)


@pytest.mark.slow
def test_corpus_through_the_api_never_5xx_and_every_accepted_item_ends(client, org, rt, workers):
    cases = build()
    client.headers.update(org.headers)
    responses = [(case, post_case(client, case)) for case in cases]
    problems = check_api_answers(responses)
    assert not problems, "\n".join(problems)
    accepted = {r.json()["id"] for _, r in responses if r.status_code == 202}
    refused = [c.name for c, r in responses if r.status_code >= 400]
    assert len(accepted) > 100 and len(refused) > 20  # both paths were exercised

    def all_final():
        with rt.db.session() as s:
            rows = s.query(Item.id, Item.status).filter(Item.id.in_(accepted)).all()
        return len(rows) == len(accepted) and all(st in ("decided", "rejected") for _, st in rows)

    wait_until(all_final, timeout=120, interval=0.5)


@pytest.mark.slow
def test_pipeline_survives_the_corpus_and_mutants_in_bounded_memory(tmp_path):
    """In a child process, so a decoder that segfaults fails this test instead of killing the run."""
    out = tmp_path / "fuzz.json"
    proc = subprocess.run([sys.executable, "-m", "loadtest", "fuzz", "--short", "--json", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    print(proc.stdout[-3000:], proc.stderr[-3000:])
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["pipeline"]["crashes"] == []
    assert report["pipeline"]["inputs"] >= 150 + 300 * 0.5
    assert report["pipeline"]["peak_rss_mb"] < 1536
