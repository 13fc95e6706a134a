"""The one contract every classifier, rule set and hash bank follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from modpipe.domain import Category, CategoryResult, Decision, Kind


@dataclass
class Content:
    """What the extract stage hands to the classifiers.

    ``text`` is the user's own text (for a text item) and ``texts`` every text
    found in the item keyed by where it came from (``"text"``, ``"ocr"``,
    ``"qr:0"``, ``"frame@12.0:ocr"``, ``"filename"``...), so evidence can say
    which field a span belongs to. ``data`` is the original bytes, untouched.
    ``signals`` carries what the media stages measured (NSFW boxes, PDQ hashes,
    file type, YARA matches, AIGC metadata) for the classifiers that read them.
    """

    kind: Kind
    text: str = ""
    data: bytes | None = None
    mime: str | None = None
    filename: str | None = None
    org_id: str | None = None
    declared_aigc: bool = False
    texts: dict[str, str] = field(default_factory=dict)
    signals: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.text and "text" not in self.texts:
            self.texts["text"] = self.text


@dataclass(frozen=True)
class Example:
    """A classifier's own worked example: the contract test runs every one.

    ``expect`` is the least decision the classifier's result must force
    (through its score against the policy thresholds or its floor) for
    ``category``; ``Decision.PASS`` means the category must stay clean.
    """

    content: Content
    category: Category
    expect: Decision


@runtime_checkable
class Classifier(Protocol):
    """Score content against one or more categories.

    ``name`` is unique across the registry. ``categories`` lists every category
    the classifier may return; results for any other category are a bug.
    ``classify`` must not raise on odd input: it returns what it can.
    """

    name: str
    categories: tuple[Category, ...]

    def classify(self, content: Content) -> list[CategoryResult]: ...

    def examples(self) -> list[Example]: ...
