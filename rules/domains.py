"""Domain lists per category (ads, gambling, porn, malware), checked against every domain in a text.

Files: ``rules/data/domains/<list>.txt``, one domain per line; a listed domain
also covers its subdomains. Lists come from the curation script (public URL
blacklists, sorted by cues in the name) plus hand-written entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modpipe.domain import Category
from modpipe.errors import RuleError

LIST_CATEGORY = {
    "gambling": Category.PORN_GAMBLING_VIOLENCE,
    "porn": Category.PORN_GAMBLING_VIOLENCE,
    "ads": Category.SPAM_ADS_SEXUAL,
    "malware": Category.MALWARE,
}


@dataclass
class DomainLists:
    entries: dict[str, str]  # domain -> list name

    @classmethod
    def load(cls, folder: Path) -> "DomainLists":
        entries: dict[str, str] = {}
        if not folder.is_dir():
            return cls(entries)
        for path in sorted(folder.glob("*.txt")):
            if path.stem not in LIST_CATEGORY:
                raise RuleError(str(path), 1, f"unknown domain list {path.stem!r}; use one of {', '.join(LIST_CATEGORY)}")
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                d = line.strip().lower()
                if not d or d.startswith("#"):
                    continue
                if " " in d or "." not in d:
                    raise RuleError(str(path), lineno, f"{d!r} is not a domain name")
                entries.setdefault(d.removeprefix("www."), path.stem)
        return cls(entries)

    def lookup(self, domain: str) -> tuple[str, str] | None:
        """(list name, listed domain) for the domain or its nearest listed parent."""
        parts = domain.lower().removeprefix("www.").split(".")
        for i in range(len(parts) - 1):
            d = ".".join(parts[i:])
            if d in self.entries:
                return self.entries[d], d
        return None
