"""`modpipe scan`: the worker's stages and policy, run directly on texts and files.

Lines are read in batches (the model scores a batch at once) and answered in
input order; a bad line gets ``"decision": null`` and its error, and the rest go on.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from pathlib import Path
from typing import IO, Iterable, Iterator

from classifiers.base import Content
from modpipe.domain import Kind
from modpipe.errors import InvalidInput
from modpipe.pipeline import Pipeline

BATCH = 256  # at most this many lines at once; see _Waiting
MAX_LINE_CHARS = 1_000_000


def content_from_path(path: str, declared_aigc: bool = False) -> Content:
    from ingest.items import sniff

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read {path!r}: {e.strerror}") from None
    sniffed = sniff(data, p.name)
    if sniffed.kind is Kind.FILE and _looks_like_text(data):
        return Content(kind=Kind.TEXT, text=data.decode("utf-8"), filename=p.name, declared_aigc=declared_aigc)
    return Content(kind=sniffed.kind, data=data, mime=sniffed.mime, filename=p.name, declared_aigc=declared_aigc)


def _looks_like_text(data: bytes) -> bool:
    if len(data) > 1_000_000 or b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def parse_line(line: str) -> tuple[str | None, Content]:
    """One JSON line -> (id, content). Raises InvalidInput naming what is wrong."""
    if len(line) > MAX_LINE_CHARS:
        raise InvalidInput(f"line is {len(line)} characters; the limit is {MAX_LINE_CHARS}")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"not valid JSON: {e.msg} at column {e.colno}") from None
    if not isinstance(obj, dict):
        raise InvalidInput("each line must be a JSON object")
    item_id = obj.get("id")
    declared = obj.get("declared_aigc", False)
    if not isinstance(declared, bool):
        raise InvalidInput("'declared_aigc' must be true or false")
    if "text" in obj and "path" in obj:
        raise InvalidInput("give either 'text' or 'path', not both")
    if "text" in obj:
        if not isinstance(obj["text"], str):
            raise InvalidInput("'text' must be a string")
        return item_id, Content(kind=Kind.TEXT, text=obj["text"], declared_aigc=declared)
    if "path" in obj:
        if not isinstance(obj["path"], str):
            raise InvalidInput("'path' must be a string")
        return item_id, content_from_path(obj["path"], declared)
    raise InvalidInput("each line needs 'text' or 'path'")


class _Waiting:
    """Entries read ahead by a thread (reading and parsing stdin), taken in batches of what is
    already waiting, never waiting for a full one: a full pipe gives big batches (the model
    sorts a batch by length, so bigger batches pad less), and a caller writing one line and
    waiting for its answer gets it at once."""

    _END = object()

    def __init__(self, entries: Iterable, limit: int) -> None:
        self._q: queue.Queue = queue.Queue(maxsize=limit)
        self.finished = False
        threading.Thread(target=self._read, args=(entries,), name="scan-reader", daemon=True).start()

    def _read(self, entries: Iterable) -> None:
        try:
            for x in entries:
                self._q.put((None, x))
        except BaseException as e:  # handed to the consumer, raised there
            self._q.put((e, None))
        self._q.put((None, self._END))

    def take(self, n: int, timeout: float | None = None) -> list:
        """Up to ``n`` entries: the first as it comes (or [] after ``timeout``), then what is ready."""
        batch: list = []
        if self.finished:
            return batch
        try:
            item = self._q.get(timeout=timeout)
        except queue.Empty:
            return batch
        while True:
            err, x = item
            if err is not None:
                raise err
            if x is self._END:
                self.finished = True
                return batch
            batch.append(x)
            if len(batch) >= n:
                return batch
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                return batch


def error_line(item_id, message: str) -> dict:
    return {"id": item_id, "decision": None, "categories": [], "flags": [], "aigc": {"label": None}, "error": message}


def scan_entries(pipeline: Pipeline, entries: Iterable[tuple[object, Content | Exception]]) -> Iterator[list[dict]]:
    """(id, content or the error that stopped it) -> batches of output dicts, in input order."""
    waiting = _Waiting(entries, 4 * BATCH)
    while batch := waiting.take(BATCH):
        good = [c for _, c in batch if isinstance(c, Content)]
        yield _answers(batch, [v.to_dict() for v in pipeline.scan_batch(good)] if good else [])


def scan_entries_parallel(jobs: int, entries: Iterable[tuple[object, Content | Exception]]) -> Iterator[list[dict]]:
    """As :func:`scan_entries`, with ``jobs`` processes each running its own pipeline (one torch
    thread each), for bulk input on several cores. Answers stay in input order; at most two
    batches per process are in flight, and a finished batch is answered while input still
    trickles in."""
    import collections
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    waiting = _Waiting(entries, 4 * BATCH * jobs)
    pending: collections.deque = collections.deque()
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_child_start) as pool:
        while True:
            while pending and pending[0][1].done():
                batch, fut = pending.popleft()
                yield _answers(batch, fut.result())
            if pending and (waiting.finished or len(pending) >= 2 * jobs):
                batch, fut = pending.popleft()
                yield _answers(batch, fut.result())
                continue
            if waiting.finished:
                return
            batch = waiting.take(BATCH, timeout=0.05 if pending else None)
            if batch:
                pending.append((batch, pool.submit(_child_scan, [c for _, c in batch if isinstance(c, Content)])))


def _answers(batch: list[tuple[object, Content | Exception]], verdicts: list[dict]) -> list[dict]:
    it = iter(verdicts)
    return [{"id": item_id, **next(it)} if isinstance(c, Content) else error_line(item_id, str(c))
            for item_id, c in batch]


_CHILD_PIPELINE: Pipeline | None = None


def _child_start() -> None:
    global _CHILD_PIPELINE
    import torch

    from modpipe.pipeline import build_pipeline

    torch.set_num_threads(1)  # the processes are the parallelism
    _CHILD_PIPELINE = build_pipeline()


def _child_scan(contents: list[Content]) -> list[dict]:
    return [v.to_dict() for v in _CHILD_PIPELINE.scan_batch(contents)] if contents else []


def jsonl_entries(stream: IO[str]) -> Iterator[tuple[object, Content | Exception]]:
    for raw in stream:
        line = raw.strip()
        if not line:
            continue
        try:
            yield parse_line(line)
        except InvalidInput as e:
            yield _id_of(line), e


def _id_of(line: str):
    try:
        obj = json.loads(line)
        return obj.get("id") if isinstance(obj, dict) else None
    except (json.JSONDecodeError, ValueError):
        return None


def write(out: IO[str], batches: Iterable[list[dict]]) -> int:
    """One JSON line per answer; flushed after every batch, so a caller waiting on a line gets it."""
    n = 0
    for rows in batches:
        out.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        out.flush()
        n += len(rows)
    return n


def run(pipeline: Pipeline | None, jsonl: bool, paths: list[str], text: str | None, declared_aigc: bool,
        stdin: IO[str] | None = None, stdout: IO[str] | None = None, jobs: int = 1) -> int:
    """Answer every input on ``stdout``. ``pipeline`` None: build one here (or, with ``jobs`` > 1,
    one in each of ``jobs`` processes)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if jsonl:
        entries = jsonl_entries(stdin)
    elif text is not None:
        entries = iter([(None, Content(kind=Kind.TEXT, text=text, declared_aigc=declared_aigc))])
    else:
        def from_paths():
            for p in paths:
                try:
                    yield p, content_from_path(p, declared_aigc)
                except InvalidInput as e:
                    yield p, e
        entries = from_paths()
    if jobs > 1:
        write(stdout, scan_entries_parallel(jobs, entries))
    else:
        if pipeline is None:
            from modpipe.pipeline import build_pipeline

            pipeline = build_pipeline()
        write(stdout, scan_entries(pipeline, entries))
    return 0
