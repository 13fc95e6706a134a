"""Rule files: a small line format that reports errors with file and line.

One file per category, named ``<slug>.rules`` (the 17 slugs of
``modpipe.domain.Category``); ``_common.rules`` holds allow phrases and
contexts for every category. A line is one of::

    # a comment (blank lines too)
    @set severity=review match=word source=konsheng:色情词库     defaults for the keywords below
    法轮功                                      a keyword with the current defaults
    法轮功<TAB>severity=block pinyin=yes         a keyword with its own options
    @regex id=ads.wechat_id severity=review source=hand trigger=微信|vx pattern=微信[a-z0-9_-]{5,}
    @near id=hm.insult severity=review source=hand window=20 a=侮辱|歪曲 b=烈士|英烈
    @allow 路口交通|出口交易                      phrases that cancel any hit they overlap
    @context window=12 words=警惕|防范|远离       words that demote a hit that follows them

Keyword options: ``severity`` (block|review), ``match`` (substring: anywhere;
word: not when a more common dictionary word straddles either edge), ``pinyin``,
``initials``, ``split``, ``homophones`` (yes|no: add those spellings as
variants), ``source`` and ``id``. A ``\\`` at the start of a line escapes a
keyword that begins with ``#`` or ``@``. ``pattern=`` takes the rest of its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from modpipe.domain import Category
from modpipe.errors import RuleError

SEVERITIES = ("block", "review")
MATCHES = ("substring", "word")
FLAGS = ("pinyin", "initials", "split", "homophones")
KEYWORD_KEYS = {"severity", "match", "source", "id", *FLAGS}


@dataclass(frozen=True)
class Where:
    path: str
    line: int


@dataclass(slots=True)
class Keyword:
    category: Category
    term: str
    severity: str
    match: str
    source: str
    rule_id: str
    pinyin: bool
    initials: bool
    split: bool
    homophones: bool
    where: Where


@dataclass(frozen=True)
class Regex:
    category: Category
    rule_id: str
    pattern: str
    severity: str
    source: str
    triggers: tuple[str, ...]
    where: Where


@dataclass(frozen=True)
class Near:
    category: Category
    rule_id: str
    a: tuple[str, ...]
    b: tuple[str, ...]
    window: int
    severity: str
    source: str
    where: Where


@dataclass(frozen=True)
class Allow:
    category: Category | None  # None: every category
    phrase: str
    where: Where


@dataclass(frozen=True)
class Context:
    words: tuple[str, ...]
    window: int
    where: Where


@dataclass
class RuleSet:
    keywords: list[Keyword]
    regexes: list[Regex]
    nears: list[Near]
    allows: list[Allow]
    contexts: list[Context]

    @classmethod
    def empty(cls) -> "RuleSet":
        return cls([], [], [], [], [])

    def extend(self, other: "RuleSet") -> None:
        self.keywords += other.keywords
        self.regexes += other.regexes
        self.nears += other.nears
        self.allows += other.allows
        self.contexts += other.contexts


def _options(tokens: list[str], where: Where, allowed: set[str]) -> dict[str, str]:
    opts: dict[str, str] = {}
    for tok in tokens:
        key, eq, value = tok.partition("=")
        if not eq or not value:
            raise RuleError(where.path, where.line, f"expected key=value, got {tok!r}")
        if key not in allowed:
            raise RuleError(where.path, where.line, f"unknown option {key!r}; use one of: {', '.join(sorted(allowed))}")
        opts[key] = value
    return opts


def _check_common(opts: dict[str, str], where: Where) -> None:
    if "severity" in opts and opts["severity"] not in SEVERITIES:
        raise RuleError(where.path, where.line, f"severity {opts['severity']!r} is not block or review")
    if "match" in opts and opts["match"] not in MATCHES:
        raise RuleError(where.path, where.line, f"match {opts['match']!r} is not substring or word")
    for flag in FLAGS:
        if flag in opts and opts[flag] not in ("yes", "no"):
            raise RuleError(where.path, where.line, f"{flag}={opts[flag]!r}: use yes or no")
    for key in ("window",):
        if key in opts and not (opts[key].isdigit() and 0 < int(opts[key]) <= 200):
            raise RuleError(where.path, where.line, f"window {opts[key]!r} must be a number of characters, 1-200")


def _alternatives(value: str, where: Where, key: str) -> tuple[str, ...]:
    items = tuple(v for v in value.split("|") if v)
    if not items:
        raise RuleError(where.path, where.line, f"{key}= lists no words")
    return items


def _require(opts: dict[str, str], keys: tuple[str, ...], where: Where, what: str) -> None:
    missing = [k for k in keys if k not in opts]
    if missing:
        raise RuleError(where.path, where.line, f"{what} needs {', '.join(k + '=' for k in missing)}")


def parse(text: str, path: str, category: Category | None) -> RuleSet:
    """Parse one rule file; raise RuleError at the first bad line."""
    rs = RuleSet.empty()
    defaults = {"severity": "review", "match": "substring", "source": Path(path).name}
    prefix = f"{category.value}/" if category else ""
    fast = None  # the current defaults as Keyword fields, for the plain keyword line
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = Where(path, lineno)
        if fast is None:
            fast = (defaults["severity"], defaults["match"], defaults["source"],
                    *(defaults.get(f) == "yes" for f in FLAGS))
        if line.startswith("@"):
            name, _, rest = line[1:].partition(" ")
            rest = rest.strip()
            if name == "set":
                opts = _options(rest.split(), where, KEYWORD_KEYS - {"id"})
                _check_common(opts, where)
                defaults.update(opts)
                fast = None
            elif name == "allow":
                if not rest:
                    raise RuleError(path, lineno, "@allow lists no phrases")
                for phrase in _alternatives(rest, where, "@allow"):
                    rs.allows.append(Allow(category, phrase, where))
            elif name == "context":
                opts = _options(rest.split(), where, {"window", "words"})
                _check_common(opts, where)
                _require(opts, ("words",), where, "@context")
                rs.contexts.append(Context(_alternatives(opts["words"], where, "words"), int(opts.get("window", 12)), where))
            elif name in ("regex", "near"):
                if category is None:
                    raise RuleError(path, lineno, f"@{name} belongs in a category file, not {Path(path).name}")
                head, sep, pattern = rest.partition("pattern=")
                allowed = {"id", "severity", "source", "trigger"} if name == "regex" else {"id", "severity", "source", "window", "a", "b"}
                opts = _options(head.split(), where, allowed)
                _check_common(opts, where)
                severity = opts.get("severity", defaults["severity"])
                source = opts.get("source", defaults["source"])
                if name == "regex":
                    _require(opts, ("id",), where, "@regex")
                    if not sep or not pattern.strip():
                        raise RuleError(path, lineno, "@regex needs pattern=... at the end of the line")
                    try:
                        re.compile(pattern.strip())
                    except re.error as exc:
                        raise RuleError(path, lineno, f"bad regular expression {pattern.strip()!r}: {exc}") from None
                    triggers = _alternatives(opts["trigger"], where, "trigger") if "trigger" in opts else ()
                    rs.regexes.append(Regex(category, opts["id"], pattern.strip(), severity, source, triggers, where))
                else:
                    if sep:
                        raise RuleError(path, lineno, "@near takes no pattern=")
                    _require(opts, ("id", "a", "b"), where, "@near")
                    rs.nears.append(Near(category, opts["id"], _alternatives(opts["a"], where, "a"),
                                         _alternatives(opts["b"], where, "b"), int(opts.get("window", 20)),
                                         severity, source, where))
            else:
                raise RuleError(path, lineno, f"unknown directive @{name}; use @set, @allow, @context, @regex or @near")
            continue
        if category is None:
            raise RuleError(path, lineno, f"keyword {line!r} belongs in a category file, not {Path(path).name}")
        if fast is not None and "\t" not in line and line[0] != "\\":
            rs.keywords.append(Keyword(category, line, *fast[:3], f"{prefix}{line}", *fast[3:], where))
            continue
        term, _, extra = line.lstrip("\\").partition("\t")
        opts = dict(defaults)
        if extra.strip():
            own = _options(extra.split(), where, KEYWORD_KEYS)
            _check_common(own, where)
            opts.update(own)
        term = term.strip()
        if not term:
            raise RuleError(path, lineno, "empty keyword")
        rs.keywords.append(Keyword(
            category, term, opts["severity"], opts["match"], opts["source"],
            opts.get("id") or f"{category.value}/{term}",
            opts.get("pinyin") == "yes", opts.get("initials") == "yes",
            opts.get("split") == "yes", opts.get("homophones") == "yes", where,
        ))
    return rs


def load_dir(paths: list[Path]) -> RuleSet:
    """Parse every ``*.rules`` file under the given folders (sorted, so versions are stable)."""
    rs = RuleSet.empty()
    for folder in paths:
        for path in sorted(Path(folder).rglob("*.rules")):
            stem = path.stem
            if stem.startswith("_"):
                category = None
            else:
                try:
                    category = Category.parse(stem)
                except ValueError as exc:
                    raise RuleError(str(path), 1, f"file name: {exc}") from None
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise RuleError(str(path), text_line(path, exc.start), "not UTF-8") from None
            rs.extend(parse(text, str(path), category))
    return rs


def text_line(path: Path, byte_offset: int) -> int:
    return path.read_bytes()[:byte_offset].count(b"\n") + 1
