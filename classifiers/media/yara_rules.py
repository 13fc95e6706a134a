"""YARA rules for malicious scripts, crawlers, droppers and macro documents.

The rules are the ``*.yar`` files beside this module, one namespace per file,
compiled once per process on first use. Each rule's ``meta`` carries
``severity`` (``block`` or ``review``), ``score`` and ``description``; the
malware classifier reads those and nothing else, so adding a rule is adding
a file (or a rule to a file) and nothing more.
"""

from __future__ import annotations

from pathlib import Path

from modpipe.errors import RuleError

from .lazy import Lazy

RULES_DIR = Path(__file__).with_name("yara")
SCAN_TIMEOUT_S = 10


def _compile():
    import yara

    files = sorted(RULES_DIR.glob("*.yar"))
    if not files:
        raise RuleError(str(RULES_DIR), 0, "no .yar files found")
    try:
        return yara.compile(filepaths={p.stem: str(p) for p in files})
    except yara.SyntaxError as exc:
        # yara reports "path(line): message"
        text = str(exc)
        path, _, rest = text.partition("(")
        line, _, msg = rest.partition("):")
        raise RuleError(path or str(RULES_DIR), int(line) if line.isdigit() else 0, msg.strip() or text) from None


RULES: Lazy = Lazy(_compile)


def scan(data: bytes, member: str | None = None) -> list[dict]:
    """Every rule that matches ``data``: rule, namespace, meta and the first string hits."""
    if not data:
        return []
    rules = RULES.get()
    import yara

    try:
        matches = rules.match(data=data, timeout=SCAN_TIMEOUT_S)
    except yara.TimeoutError:
        return [{"rule": "scan_timeout", "namespace": "modpipe", "severity": "review", "score": 0.5,
                 "description": f"YARA scan did not finish in {SCAN_TIMEOUT_S} s", "member": member, "strings": []}]
    out = []
    for m in matches:
        hits = []
        for s in m.strings[:5]:
            for inst in s.instances[:2]:
                hits.append({"id": s.identifier, "offset": int(inst.offset),
                             "data": bytes(inst.matched_data[:48]).decode("latin-1")})
        meta = dict(m.meta)
        out.append(
            {
                "rule": m.rule,
                "namespace": m.namespace,
                "severity": str(meta.get("severity", "review")),
                "score": float(meta.get("score", 0.7)),
                "description": str(meta.get("description", m.rule)),
                "member": member,
                "strings": hits,
            }
        )
    return out
