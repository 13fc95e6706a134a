"""RuleClassifier: the keyword-rule stage as a ``classifiers.base.Classifier``.

Scores: a block-severity hit gives its category score 0.99 and floor BLOCK; a
review-severity hit 0.6 and floor REVIEW (the policy's review threshold sits
below 0.6, its block threshold above it, so a review hit alone never blocks).

Compiled rule sets are immutable; reload and organisation changes build a new
one and swap a reference under a lock, so scans in other threads keep the set
they started with and nothing restarts.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from classifiers.base import Content, Example
from modpipe.domain import Category, CategoryResult, Decision, Evidence
from modpipe.errors import InvalidInput, RuleError

from .compiler import Compiled, compile_rules
from .contacts import domains_batch
from .domains import LIST_CATEGORY, DomainLists
from .matcher import Hit, scan
from .normalize import NormOptions, Normaliser
from .ruleset import Keyword, RuleSet, Where, load_dir

DATA = Path(__file__).with_name("data")
SCORES = {"block": 0.99, "review": 0.6}
MAX_EVIDENCE = 20
ACTIONS = ("block", "review", "allow")


@dataclass(frozen=True)
class OrgTerm:
    """One organisation's own term; ``allow`` cancels every hit it overlaps."""

    term: str
    action: str
    category: Category = Category.OTHER_ILLEGAL

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise InvalidInput(f"action {self.action!r} for {self.term!r} is not one of {', '.join(ACTIONS)}")
        if not self.term.strip():
            raise InvalidInput("an organisation term may not be empty")


@dataclass(frozen=True)
class _Live:
    rules: Compiled
    domains: DomainLists


@dataclass(frozen=True)
class _Org:
    rules: Compiled
    version: str


THROWAWAY_TLDS = ("top", "vip", "xyz", "icu", "cyou", "buzz", "cc", "tk", "ml", "ga", "cf", "gq", "pw", "win", "bet")


def _throwaway(domain: str) -> bool:
    """A spam-style domain: one short label mixing letters and digits on a cheap TLD (g35tz.top)."""
    parts = domain.removeprefix("www.").split(".")
    if len(parts) != 2 or parts[1] not in THROWAWAY_TLDS:
        return False
    label = parts[0]
    return len(label) <= 8 and any(c.isdigit() for c in label) and any(c.isalpha() for c in label)


def _fingerprint(dirs: list[Path]) -> str:
    h = hashlib.sha256()
    for folder in dirs:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and path.suffix in (".rules", ".txt", ".tsv"):
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


class RuleClassifier:
    """Keyword, regex and combination rules for all 17 categories, plus domain lists."""

    name = "rules"
    categories: tuple[Category, ...] = tuple(Category)

    def __init__(self, dirs: list[Path] | None = None, options: NormOptions | None = None) -> None:
        self._dirs = [Path(d) for d in (dirs or [DATA])]
        self._options = options or NormOptions()
        self._lock = threading.Lock()
        self._live: _Live | None = None
        self._orgs: dict[str, _Org] = {}

    # -- loading -----------------------------------------------------------------------------------
    def _build(self) -> _Live:
        fingerprint = _fingerprint(self._dirs)
        rs = load_dir(self._dirs)
        lists = DomainLists.load(self._dirs[0] / "domains")
        return _Live(compile_rules(rs, Normaliser(self._options), fingerprint), lists)

    @property
    def live(self) -> _Live:
        live = self._live
        if live is None:
            with self._lock:
                if self._live is None:
                    self._live = self._build()  # a broken set at first load raises RuleError
                live = self._live
        return live

    def reload(self) -> RuleError | None:
        """Recompile from the files. On a RuleError the previous set stays live and the error is returned."""
        try:
            live = self._build()
        except RuleError as exc:
            if self._live is None:
                raise
            return exc
        with self._lock:
            self._live = live
        return None

    @property
    def version(self) -> str:
        """Content hash of the compiled default rule set (files and normalisation options)."""
        return self.live.rules.version

    def version_for(self, org_id: str | None) -> str:
        """The version a verdict for this organisation records: default set plus the org list version."""
        org = self._orgs.get(org_id) if org_id else None
        return f"{self.version}+{org_id}@{org.version}" if org else self.version

    def set_org_terms(self, org_id: str, terms: list[OrgTerm], version: str) -> None:
        """Replace one organisation's terms; takes effect for the next scan, no restart."""
        rs = RuleSet.empty()
        where = Where(f"org:{org_id}", 0)
        from .ruleset import Allow

        for i, t in enumerate(terms, 1):
            w = Where(f"org:{org_id}@{version}", i)
            if t.action == "allow":
                rs.allows.append(Allow(None, t.term, w))
            else:
                rs.keywords.append(Keyword(t.category, t.term, t.action, "substring", f"org:{org_id}@{version}",
                                           f"org:{org_id}/{t.term}", False, False, False, False, w))
        del where
        compiled = compile_rules(rs, Normaliser(self._options), f"{org_id}@{version}")
        with self._lock:
            orgs = dict(self._orgs)
            orgs[org_id] = _Org(compiled, version)
            self._orgs = orgs

    def clear_org_terms(self, org_id: str) -> None:
        with self._lock:
            orgs = dict(self._orgs)
            orgs.pop(org_id, None)
            self._orgs = orgs

    # -- scanning ----------------------------------------------------------------------------------
    def scan(self, texts: list[str], org_id: str | None = None) -> list[list[Hit]]:
        """Hits per text (original offsets), rules and domain lists; the fast batch entry point."""
        live = self.live
        sets = [live.rules]
        org = self._orgs.get(org_id) if org_id else None
        if org is not None:
            sets.append(org.rules)
        norm = live.rules.normaliser.batch(texts)
        out = scan(sets, norm)
        if live.domains.entries:
            for k, d in domains_batch(texts):
                found = live.domains.lookup(d.value)
                if found:
                    lst, listed = found
                    out[k].append(Hit(LIST_CATEGORY[lst], f"domain:{lst}/{listed}", "review", d.start, d.end,
                                      f"on the {lst} list", d.value, f"domains/{lst}.txt", "domain", -1, -1))
                elif _throwaway(d.value):
                    out[k].append(Hit(Category.SPAM_ADS_SEXUAL, "domain:throwaway", "review", d.start, d.end,
                                      "short random name on a cheap TLD", d.value, "hand:spam(ChineseHarm-Bench)",
                                      "domain", -1, -1))
        return out

    def classify(self, content: Content) -> list[CategoryResult]:
        texts = dict(content.texts)
        if content.text and "text" not in texts:
            texts["text"] = content.text
        if not texts:
            return []
        keys = list(texts)
        try:
            per_text = self.scan([texts[k] or "" for k in keys], content.org_id)
        except RuleError:
            raise
        except Exception:  # classify must not raise on odd input
            return []
        results: dict[Category, CategoryResult] = {}
        for key, hits in zip(keys, per_text):
            for h in hits:
                r = results.get(h.category)
                if r is None:
                    r = results[h.category] = CategoryResult(h.category, 0.0)
                r.score = max(r.score, SCORES[h.severity])
                floor = Decision.BLOCK if h.severity == "block" else Decision.REVIEW
                if floor.rank > r.floor.rank:
                    r.floor = floor
                if len(r.evidence) < MAX_EVIDENCE:
                    r.evidence.append(Evidence(source="rule", detail=h.detail, span=(h.start, h.end), field=key,
                                               rule_id=h.rule_id, severity=h.severity, score=SCORES[h.severity]))
        return [results[c] for c in Category if c in results]

    def examples(self) -> list[Example]:
        from .examples import examples

        return examples()
