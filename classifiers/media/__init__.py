"""Images, video and files: safe decoding, OCR, QR codes, NudeNet, PDQ hash
banks, video frame sampling, true file types, YARA and archive inspection.

Public API (what the pipeline, ingest API and workers call)::

    sniff(data, filename=None) -> SniffResult          # true type from bytes
    extract(content, limits=None) -> None               # fills texts + signals
    MediaLimits                                         # the caps, documented
    PdqIndex, pdq_hash, Match                           # hash banks
    build_media_classifiers(hash_index) -> [Classifier] # NSFW, hash bank, malware
    boxes_for_span(spans, start, end)                   # OCR evidence -> image boxes

Nothing loads at import: each model (RapidOCR, NudeNet, magika) and the YARA
rules load once per process, on first use, from the wheels and files shipped.
"""

from .extract import extract
from .hashbank import PDQ_THRESHOLD, Match, PdqIndex, pdq_hash
from .limits import DEFAULT_LIMITS, MediaLimits
from .media_classifiers import HashBankClassifier, MalwareClassifier, NsfwClassifier, build_media_classifiers
from .ocr import boxes_for_span
from .sniff import SniffResult, sniff

__all__ = [
    "DEFAULT_LIMITS", "PDQ_THRESHOLD", "HashBankClassifier", "MalwareClassifier", "Match", "MediaLimits",
    "NsfwClassifier", "PdqIndex", "SniffResult", "boxes_for_span", "build_media_classifiers", "extract",
    "pdq_hash", "sniff",
]
