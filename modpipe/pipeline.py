"""The moderation stages, in order, shared by ``modpipe scan`` and the workers.

extract (media) -> keyword rules -> the category classifiers -> AI-label
detection -> personal data -> policy. Stages are pure functions of the content:
running an item twice gives the same verdict, so a re-delivered message is harmless.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from classifiers.base import Content
from classifiers.registry import Registry, build_registry
from modpipe.domain import CategoryResult, Flag, Kind, merge_results
from modpipe.errors import RejectedInput
from modpipe.policy import Policy
from modpipe.verdict import Verdict

log = logging.getLogger(__name__)


@dataclass
class StageTimer:
    """Seconds spent per stage, for the metrics and the load test's 'where the time goes'."""

    totals: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.totals[stage] = self.totals.get(stage, 0.0) + seconds


class Pipeline:
    def __init__(self, registry: Registry | None = None, policy: Policy | None = None) -> None:
        self.registry = registry if registry is not None else build_registry()
        self.policy = policy if policy is not None else Policy()
        self.timer = StageTimer()
        self.on_stage = None  # optional callback(stage, seconds) for metrics

    def _timed(self, stage: str, start: float) -> None:
        dt = time.perf_counter() - start
        self.timer.add(stage, dt)
        if self.on_stage:
            self.on_stage(stage, dt)

    @property
    def rules_version(self) -> str | None:
        return getattr(self.registry.rules, "version", None)

    def scan(self, content: Content) -> Verdict:
        return self.scan_batch([content])[0]

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
                hits = self.registry.rules.classify(contents[i])
                contents[i].signals["rules"] = hits
                results[i].extend(hits)
            self._timed("rules", t)

        for clf in self.registry.classifiers:
            t = time.perf_counter()
            batch = [contents[i] for i in live]
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

    def finish(self, content: Content, results: list[CategoryResult]) -> Verdict:
        t = time.perf_counter()
        merged = merge_results(results)
        flags: list[Flag] = []
        aigc = {"label": None}
        decision, source = self.policy.decide(merged, flags)
        self._timed("policy", t)
        return Verdict(
            decision=decision,
            categories=merged,
            flags=flags,
            aigc=aigc,
            source=source,
            rules_version=self.rules_version,
            model_version=None,
        )


def build_pipeline(runtime=None) -> Pipeline:
    """The production pipeline for a process (the runtime gives org terms and hash banks)."""
    return Pipeline(build_registry())
