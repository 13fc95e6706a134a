"""`modpipe scan`: the worker's stages and policy, run directly on texts and files.

Lines are read in batches (the model scores a batch at once) and answered in
input order; a bad line gets ``"decision": null`` and its error, and the rest go on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Iterable, Iterator

from classifiers.base import Content
from modpipe.domain import Kind
from modpipe.errors import InvalidInput
from modpipe.pipeline import Pipeline

BATCH = 64
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


def _batches(it: Iterable, n: int) -> Iterator[list]:
    batch = []
    for x in it:
        batch.append(x)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


def error_line(item_id, message: str) -> dict:
    return {"id": item_id, "decision": None, "categories": [], "flags": [], "aigc": {"label": None}, "error": message}


def scan_entries(pipeline: Pipeline, entries: Iterable[tuple[object, Content | Exception]]) -> Iterator[dict]:
    """(id, content or the error that stopped it) -> output dicts, in order."""
    for batch in _batches(entries, BATCH):
        good = [(i, c) for i, (_, c) in enumerate(batch) if isinstance(c, Content)]
        verdicts = pipeline.scan_batch([c for _, c in good]) if good else []
        by_index = {i: v for (i, _), v in zip(good, verdicts)}
        for i, (item_id, c) in enumerate(batch):
            if i in by_index:
                yield {"id": item_id, **by_index[i].to_dict()}
            else:
                yield error_line(item_id, str(c))


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


def write(out: IO[str], rows: Iterable[dict]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
        if n % BATCH == 0:
            out.flush()
    out.flush()
    return n


def run(pipeline: Pipeline, jsonl: bool, paths: list[str], text: str | None, declared_aigc: bool,
        stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
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
    write(stdout, scan_entries(pipeline, entries))
    return 0
