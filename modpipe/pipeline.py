"""The moderation stages, in order, shared by ``modpipe scan`` and the workers.

extract (media) -> keyword rules -> the category classifiers and media
classifiers -> AI-label detection -> personal data -> policy. Stages are pure
functions of the content (and the rule/bank versions they record), so running
an item twice gives the same verdict and a re-delivered message is harmless.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from classifiers.base import Content
from classifiers.registry import Registry, build_registry
from modpipe.domain import CategoryResult, Flag, Kind, merge_results
from modpipe.errors import RejectedInput
from modpipe.policy import Policy
from modpipe.verdict import Verdict

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "text"


@dataclass
class StageTimer:
    """Seconds spent per stage, for the metrics and the load test's 'where the time goes'."""

    totals: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.totals[stage] = self.totals.get(stage, 0.0) + seconds


def model_version(model_dir: Path = MODEL_DIR) -> str | None:
    """A short digest of the shipped model files: every verdict says which model made it."""
    files = sorted(p for p in model_dir.glob("*") if p.is_file() and p.suffix != ".md") if model_dir.is_dir() else []
    if not files:
        return None
    h = hashlib.sha256()
    for p in files:
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:12]


class Pipeline:
    def __init__(self, registry: Registry, policy: Policy | None = None, *, aigc_text_threshold: float | None = None,
                 before_item: Callable[[Content], None] | None = None, model_version: str | None = None) -> None:
        self.registry = registry
        self.policy = policy if policy is not None else Policy()
        self.aigc_text_threshold = aigc_text_threshold
        self.before_item = before_item  # e.g. bring an organisation's own terms up to date
        self.model_version = model_version
        self.timer = StageTimer()
        self.on_stage: Callable[[str, float], None] | None = None  # metrics hook

    def _timed(self, stage: str, start: float) -> None:
        dt = time.perf_counter() - start
        self.timer.add(stage, dt)
        if self.on_stage:
            self.on_stage(stage, dt)

    def rules_version(self, content: Content) -> str | None:
        rules = self.registry.rules
        if rules is None:
            return None
        version_for = getattr(rules, "version_for", None)
        return version_for(content.org_id) if version_for else getattr(rules, "version", None)

    def scan(self, content: Content) -> Verdict:
        return self.scan_batch([content])[0]

    def warm_up(self) -> float:
        """Load what every text needs (the rule set, the text model) by scanning one short text,
        so the first real item is not the one that waits for it. Media models stay lazy: a worker
        that never sees an image never pays for OCR. Returns the seconds it took."""
        t = time.perf_counter()
        self.scan(Content(kind=Kind.TEXT, text="你好"))
        return time.perf_counter() - t

    def scan_batch(self, contents: list[Content]) -> list[Verdict]:
        verdicts: list[Verdict | None] = [None] * len(contents)
        live: list[int] = []
        t = time.perf_counter()
        for i, c in enumerate(contents):
            try:
                self.extract(c)
                live.append(i)
            except RejectedInput as e:
                verdicts[i] = Verdict.rejected(str(e))
        self._timed("extract", t)

        results: dict[int, list[CategoryResult]] = {i: [] for i in live}
        if self.registry.rules is not None:
            t = time.perf_counter()
            for i in live:
                if self.before_item:
                    self.before_item(contents[i])
                hits = self.registry.rules.classify(contents[i])
                contents[i].signals["rules"] = hits
                results[i].extend(hits)
            self._timed("rules", t)

        batch = [contents[i] for i in live]
        for clf in self.registry.classifiers:
            t = time.perf_counter()
            if hasattr(clf, "classify_batch"):
                outs = clf.classify_batch(batch)
            else:
                outs = [clf.classify(c) for c in batch]
            for i, out in zip(live, outs):
                results[i].extend(out)
            self._timed(clf.name, t)

        for i in live:
            verdicts[i] = self.finish(contents[i], results[i])
        return verdicts  # type: ignore[return-value]

    def extract(self, content: Content) -> None:
        """Media stages fill ``content.texts`` and ``content.signals``; text needs nothing here."""
        if content.kind is Kind.TEXT:
            return
        from classifiers.media import extract

        extract(content)

    def finish(self, content: Content, results: list[CategoryResult]) -> Verdict:
        from classifiers.pii import find_pii
        from watermark import detect_aigc

        t = time.perf_counter()
        finding = detect_aigc(content, text_score=content.signals.get("aigc_text_score"),
                              text_threshold=self.aigc_text_threshold)
        self._timed("aigc", t)
        t = time.perf_counter()
        flags: list[Flag] = list(finding.flags)
        if any(find_pii(text) for text in content.texts.values() if text):
            flags.append(Flag.PII)
        merged = merge_results(results)
        decision, source = self.policy.decide(merged, flags)
        self._timed("policy", t)
        return Verdict(
            decision=decision,
            categories=merged,
            flags=list(dict.fromkeys(flags)),
            aigc=finding.to_dict(),
            source=source,
            rules_version=self.rules_version(content),
            model_version=self.model_version,
        )


def build_pipeline(runtime=None, model_dir: Path | None = None) -> Pipeline:
    """The production pipeline for a process. With a runtime, organisations' own terms
    and the hash banks follow the database without a restart."""
    from classifiers.categories import load_thresholds
    from classifiers.media import PdqIndex

    model_dir = model_dir or MODEL_DIR
    index = PdqIndex()
    registry = build_registry(hash_index=index, model_dir=model_dir)
    thresholds = load_thresholds(model_dir)
    before_item = None
    if runtime is not None:
        before_item = _database_sync(runtime, registry, index)
    return Pipeline(registry, Policy.from_mapping(thresholds),
                    aigc_text_threshold=thresholds.get("aigc_text", {}).get("review"),
                    before_item=before_item, model_version=model_version(model_dir))


def _database_sync(runtime, registry: Registry, index) -> Callable[[Content], None]:
    from modpipe.hashbanks import HashBankSync
    from modpipe.orgterms import OrgTermWatcher
    from rules.classifier import OrgTerm

    terms = OrgTermWatcher(runtime.db)
    banks = HashBankSync(runtime.db, index)
    banks.refresh(force=True)

    def sync(content: Content) -> None:
        if content.kind is not Kind.TEXT:
            banks.refresh()
        if content.org_id:
            changed = terms.current(content.org_id)
            if changed is not None:
                version, current = changed
                registry.rules.set_org_terms(content.org_id, [OrgTerm(t.term, t.action) for t in current], str(version))

    return sync
