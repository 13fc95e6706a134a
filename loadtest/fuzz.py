"""Hostile input against the file stages and the API: the corpus, then a mutation fuzzer.

    python -m loadtest fuzz                       # corpus through the scaled shape + 2,000 mutations in-process
    python -m loadtest fuzz --short               # what CI runs (tests/fuzz): corpus + 300 mutations, in-process
    python -m loadtest fuzz --pipeline-only --mutations 5000

Through the API every case must be answered below 500 (an error as problem+json) and every
accepted one must reach an outcome, with the workers still alive. Through the pipeline
(sniffing, the media extract stage, then ``Pipeline.scan``, what a worker runs) nothing may raise except
``RejectedInput``, and peak memory must stay under ``--max-rss-mb``. The mutation fuzzer
flips bits, truncates, splices and re-heads the corpus's files, seeded and bounded.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from loadtest.corpus import Case, build

MAGICS = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP", b"\x1a\x45\xdf\xa3",
          b"\x00\x00\x00\x18ftypisom", b"PK\x03\x04", b"%PDF-1.7", b"\x1f\x8b\x08"]


def peak_rss_mb() -> float:
    """This process's own high-water RSS. Linux keeps ``ru_maxrss`` across fork+exec, so a fuzz run
    started from a big parent (pytest with models loaded) would report the parent's peak; the
    memory map's ``VmHWM`` starts afresh at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Findings:
    cases: int = 0
    rejected: int = 0
    crashes: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")

    def note_time(self, seconds: float, name: str) -> None:
        if seconds > self.slowest[0]:
            self.slowest = (seconds, name)


def mutate(rng: random.Random, data: bytes, corpus: list[bytes]) -> bytes:
    b = bytearray(data or b"\x00")
    op = rng.randrange(6)
    if op == 0:  # bit flips
        for _ in range(rng.randint(1, 16)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif op == 1:  # truncate
        b = b[: rng.randrange(1, len(b) + 1)]
    elif op == 2:  # splice two files
        other = rng.choice(corpus)
        b = b[: rng.randrange(len(b) + 1)] + other[rng.randrange(len(other) + 1):]
    elif op == 3:  # new head: one format's magic on another's body
        b = bytearray(rng.choice(MAGICS)) + b[rng.randrange(min(len(b), 16) + 1):]
    elif op == 4:  # interesting integers in place
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(b))
            val = rng.choice([b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"\x80\x00\x00\x00"])
            b[i:i + 4] = val
    else:  # duplicate a slice (lengths that lie)
        i = rng.randrange(len(b))
        j = min(len(b), i + rng.randrange(1, 4096))
        b[j:j] = b[i:j] * rng.randint(1, 8)
    return bytes(b[:4 * 1024 * 1024])


def scan_pipeline(cases: list[Case], mutations: int, seed: int, budget_s: float) -> Findings:
    """Every file case, then ``mutations`` mutants, through sniffing and the worker's pipeline."""
    from classifiers.base import Content
    from classifiers.media import sniff
    from modpipe.errors import RejectedInput
    from modpipe.pipeline import build_pipeline

    pipeline = build_pipeline()
    try:  # the media stages, called directly until the pipeline's extract stage calls them itself
        from classifiers.media.extract import extract as media_extract
    except ImportError:
        media_extract = None
    f = Findings()
    files = [c for c in cases if c.family != "text"]
    texts = [c for c in cases if c.family == "text"]

    def one(name: str, data: bytes, filename: str) -> None:
        t = time.perf_counter()
        try:
            sniffed = sniff(data, filename)
            content = Content(kind=sniffed.kind, data=data, mime=sniffed.mime, filename=filename)
            if media_extract is not None:
                media_extract(content)
            pipeline.scan(Content(kind=sniffed.kind, data=data, mime=sniffed.mime, filename=filename))
        except RejectedInput:
            f.rejected += 1
        except Exception:
            f.crashes.append(f"{name}: {traceback.format_exc(limit=3).strip().splitlines()[-1]}")
        f.cases += 1
        f.note_time(time.perf_counter() - t, name)

    for c in files:
        one(f"{c.family}/{c.name}", c.data, c.filename)
    for c in texts:  # the text a worker would see, for the bodies that parse
        from ingest.submission import parse_fields
        from modpipe.errors import InvalidInput

        try:
            sub = parse_fields(json.loads(c.data), 20_000)
        except (InvalidInput, ValueError, RecursionError):
            continue
        t = time.perf_counter()
        try:
            if sub.text:
                pipeline.scan(Content(kind=sub.kind, text=sub.text))
        except RejectedInput:
            f.rejected += 1
        except Exception:
            f.crashes.append(f"text/{c.name}: {traceback.format_exc(limit=3).strip().splitlines()[-1]}")
        f.cases += 1
        f.note_time(time.perf_counter() - t, f"text/{c.name}")
    rng = random.Random(seed)
    seeds = [c.data for c in files]
    deadline = time.monotonic() + budget_s
    for k in range(mutations):
        if time.monotonic() > deadline:
            break
        base = rng.choice(files)
        one(f"mutant{k}<-{base.name}", mutate(rng, base.data, seeds), base.filename)
    return f


def post_case(http, case: Case):
    """POST one case the way an uploader would: texts as JSON bodies, the rest as multipart files."""
    if case.family == "text":
        return http.post("/v1/items", content=case.data, headers={"content-type": "application/json"})
    return http.post("/v1/items", files={"file": (case.filename, case.data, "application/octet-stream")},
                     data={"external_id": f"corpus-{case.family}-{case.name}"})


def check_api_answers(responses: list[tuple[Case, object]]) -> list[str]:
    problems = []
    for case, r in responses:
        if r.status_code >= 500:
            problems.append(f"{case.family}/{case.name}: HTTP {r.status_code} {r.text[:150]!r}")
        elif r.status_code >= 400 and not r.headers.get("content-type", "").startswith("application/problem+json"):
            problems.append(f"{case.family}/{case.name}: {r.status_code} without problem+json")
    return problems


def run_api(cases: list[Case], root: Path) -> tuple[list[str], dict]:
    """The corpus through the scaled shape: real API and worker processes."""
    import httpx
    import psutil

    from loadtest.cluster import Cluster, ClusterConfig
    from loadtest.measure import fetch_outcomes, wait_drained

    c = Cluster(root, ClusterConfig(workers=2, threads=4, stuck_after_s=5.0, sweep_every_s=1.0)).start()
    try:
        pids = [w.pid for w in c.workers]
        with httpx.Client(base_url=c.base_url, headers={"Authorization": f"Bearer {c.api_key}"}, timeout=60) as http:
            responses = [(case, post_case(http, case)) for case in cases]
        problems = check_api_answers(responses)
        accepted = [r.json()["id"] for _, r in responses if r.status_code == 202]
        if not wait_drained(c.db.url, 180):
            problems.append("items stayed open after the corpus")
        outcomes = fetch_outcomes(c.db.url)
        open_ = [i for i in accepted if outcomes.get(i) is None or outcomes[i].status not in ("decided", "rejected")]
        if open_:
            problems.append(f"{len(open_)} accepted corpus items did not reach an outcome")
        for i, w in enumerate(c.workers):
            if not w.alive or w.pid != pids[i]:
                problems.append(f"worker{i} died during the corpus (see {w.log})")
        rss = {f"worker{i}": psutil.Process(w.pid).memory_info().rss / 2**20 for i, w in enumerate(c.workers) if w.alive}
        codes: dict[int, int] = {}
        for _, r in responses:
            codes[r.status_code] = codes.get(r.status_code, 0) + 1
        statuses: dict[str, int] = {}
        for i in accepted:
            st = outcomes[i].status if i in outcomes else "missing"
            statuses[st] = statuses.get(st, 0) + 1
        return problems, {"codes": codes, "outcomes": statuses, "worker_rss_mb": rss}
    finally:
        c.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m loadtest fuzz", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--short", action="store_true", help="CI mode: pipeline only, 300 mutations")
    p.add_argument("--pipeline-only", action="store_true", help="skip the run through the API processes")
    p.add_argument("--mutations", type=int, default=2000)
    p.add_argument("--seed", type=int, default=20261129)
    p.add_argument("--budget-s", type=float, default=600.0, help="stop mutating after this many seconds")
    p.add_argument("--max-rss-mb", type=float, default=1536.0)
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)
    if a.short:
        a.pipeline_only, a.mutations, a.budget_s = True, min(a.mutations, 300), min(a.budget_s, 60.0)
    cases = build()
    families: dict[str, int] = {}
    for c in cases:
        families[c.family] = families.get(c.family, 0) + 1
    print(f"corpus: {len(cases)} cases {families}", flush=True)
    report: dict = {"corpus": families}
    problems: list[str] = []
    if not a.pipeline_only:
        api_problems, api_figures = run_api(cases, Path(tempfile.mkdtemp(prefix="modpipe-fuzz-")))
        problems += api_problems
        report["api"] = api_figures
        print(f"api: answers {api_figures['codes']}, outcomes {api_figures['outcomes']}, "
              f"worker RSS MB {api_figures['worker_rss_mb']}", flush=True)
    base = peak_rss_mb()
    t = time.monotonic()
    f = scan_pipeline(cases, a.mutations, a.seed, a.budget_s)
    peak = peak_rss_mb()
    report["pipeline"] = {"inputs": f.cases, "rejected": f.rejected, "crashes": f.crashes, "seconds": time.monotonic() - t,
                          "peak_rss_mb": peak, "rss_before_mb": base, "slowest": f.slowest}
    print(f"pipeline: {f.cases} inputs ({len(cases) - families.get('text', 0)} files, then mutants) in "
          f"{time.monotonic() - t:.1f}s, {f.rejected} rejected, {len(f.crashes)} crashes, "
          f"peak RSS {peak:.0f} MB (before {base:.0f} MB), slowest {f.slowest[0] * 1000:.0f} ms ({f.slowest[1]})", flush=True)
    problems += [f"pipeline crash: {c}" for c in f.crashes]
    if peak > a.max_rss_mb:
        problems.append(f"peak RSS {peak:.0f} MB is over {a.max_rss_mb:.0f} MB")
    report["problems"] = problems
    if a.json:
        a.json.write_text(json.dumps(report, default=str, indent=2, ensure_ascii=False))
    for line in problems:
        print("PROBLEM " + line, file=sys.stderr)
    print(f"fuzz: {'ok' if not problems else f'{len(problems)} problems'}", flush=True)
    return 1 if problems else 0
