"""Moderator decisions as training rows, so every deployment can learn from its own data.

Row format (one JSON object per line)::

    {"text": "...", "category": "spam_ads_sexual" | null, "label": 0 | 1, "source": "moderator"}

``label`` 1 means a moderator confirmed the text violates ``category``; ``label`` 0 with a
category means the moderator cleared it of that category; ``category: null, label: 0``
means the item passed outright (a negative for every trained head). Rows for categories
without a trained head (national_security, cults, ...) become exemplars for similarity.
``modpipe train --extra rows.jsonl`` reads them (see ``classifiers.text.train``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from modpipe.domain import Category
from modpipe.errors import InvalidInput

from .data import HEADS, Row
from .mapping import CATEGORY_TO_HEAD


def rows_to_training(decisions: Iterable[dict[str, Any]], source: str = "moderator") -> list[dict[str, Any]]:
    """Turn decided review tasks into training rows.

    Each decision is a mapping with ``text`` (the item's text), ``decision`` ("pass" or
    "block") and ``categories`` (the slugs the moderator confirmed; may be empty). A block
    yields one positive row per confirmed category; a pass yields one all-clear row.
    """
    out: list[dict[str, Any]] = []
    for d in decisions:
        text = (d.get("text") or "").strip()
        if not text:
            continue
        decision = d.get("decision")
        if decision == "pass":
            out.append({"text": text, "category": None, "label": 0, "source": source})
        elif decision == "block":
            for slug in d.get("categories") or []:
                slug = slug.value if isinstance(slug, Category) else str(slug)
                Category.parse(slug)
                out.append({"text": text, "category": slug, "label": 1, "source": source})
        else:
            raise InvalidInput(f"decision {decision!r} is not 'pass' or 'block'")
    return out


def write_rows(rows: Iterable[dict[str, Any]], path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n


def read_rows(path: Path) -> tuple[list[Row], list[dict[str, Any]]]:
    """Parse a rows file into (training rows for the heads, exemplar rows for untrained categories).

    Bad lines raise InvalidInput naming the file and line.
    """
    train: list[Row] = []
    exemplars: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                text, cat, label = str(r["text"]), r.get("category"), int(r["label"])
                if label not in (0, 1):
                    raise ValueError(f"label {label!r} is not 0 or 1")
                if cat is not None:
                    Category.parse(cat)
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidInput(f"{path}:{n}: bad training row ({exc}); expected "
                                   '{"text": ..., "category": slug|null, "label": 0|1}') from None
            if cat is None:
                if label == 1:
                    raise InvalidInput(f"{path}:{n}: a positive row needs a category")
                for head in HEADS:
                    if head != "aigc":
                        train.append(Row(text, "extra", head, 0, 0, key=text))
            elif cat in CATEGORY_TO_HEAD:
                head, klass = CATEGORY_TO_HEAD[cat]
                train.append(Row(text, "extra", head, label, klass if label else 0, key=text, category=cat))
            elif label == 1:
                exemplars.append({"text": text, "category": cat, "source": r.get("source", "moderator")})
    return train, exemplars


def decided_tasks(db) -> list[dict[str, Any]]:
    """Decided review tasks with their item's text, newest decision per item (a second review wins)."""
    from sqlalchemy import select

    from modpipe.models import Item
    from review_queue.models import ReviewTask

    latest: dict[str, dict[str, Any]] = {}
    with db.session() as s:
        q = (select(ReviewTask, Item.text).join(Item, Item.id == ReviewTask.item_id)
             .where(ReviewTask.status == "done", ReviewTask.decision.in_(("pass", "block")))
             .order_by(ReviewTask.decided_at))
        for task, text in s.execute(q):
            if text:
                latest[task.item_id] = {"text": text, "decision": task.decision, "categories": task.categories or []}
    return list(latest.values())


def main(argv: list[str] | None = None) -> int:
    """``modpipe export-training [--out rows.jsonl]``: moderator decisions as training rows."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="modpipe export-training", description=main.__doc__)
    ap.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    ap.add_argument("--data-dir", default=None, help="data directory (default: MODPIPE_DATA_DIR)")
    args = ap.parse_args(argv)
    from modpipe.runtime import Runtime
    from modpipe.settings import Settings

    rt = Runtime.build(Settings.from_env(data_dir=args.data_dir), with_broker=False)
    rows = rows_to_training(decided_tasks(rt.db))
    if args.out:
        n = write_rows(rows, args.out)
        print(f"{n} training rows -> {args.out}", file=sys.stderr)
    else:
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0
