"""PDQ hash banks: known-violating images, found again by perceptual hash.

Follows Meta's Hasher-Matcher-Actioner: 256-bit PDQ hashes, a match when the
Hamming distance is at most 31 (PDQ's published threshold, ~90% recall at a
very low false-positive rate). One platform bank (``org_id=None``) applies to
everyone; an organisation's bank applies to that organisation only.

Lookups use **multi-index hashing** (Norouzi et al., 2012): the hash is cut
into 16 chunks of 16 bits. If two hashes differ in at most ``r`` bits, then by
pigeonhole at least one chunk differs in at most ``r // 16`` bits, so probing
each chunk's table for values within that radius (17 probes per chunk at
``r=31``) finds every true match; candidates are then checked exactly. Each
chunk's table is a counting-sort layout (``starts`` over 65,536 values,
``ids`` sorted by value), built in one numpy pass, so a million rows cost
about 80 MB and load in a second or two.

Rows added at run time ("block and bank") go to a small unsorted tail that is
scanned exactly (vectorised) and folded into the tables once it grows past
``tail_limit``; removals are tombstones. Writers hold a lock; readers see a
consistent snapshot without taking it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from itertools import combinations

import numpy as np

PDQ_BITS = 256
PDQ_THRESHOLD = 31  # the distance at which PDQ's authors call two images the same
CHUNKS = 16
CHUNK_BITS = PDQ_BITS // CHUNKS


@dataclass(frozen=True)
class Match:
    entry_id: str
    category: str
    org_id: str | None
    distance: int
    hash_hex: str


def hash_to_words(hash_hex: str) -> np.ndarray:
    """64 hex digits -> 16 uint16 chunks (most significant first)."""
    h = hash_hex.strip().lower()
    if len(h) != 64:
        raise ValueError(f"{hash_hex!r} is not a PDQ hash: expected 64 hex digits, got {len(h)}")
    try:
        raw = bytes.fromhex(h)
    except ValueError:
        raise ValueError(f"{hash_hex!r} is not a PDQ hash: not hexadecimal") from None
    return np.frombuffer(raw, dtype=">u2").astype(np.uint16)


def words_to_hex(words: np.ndarray) -> str:
    return words.astype(">u2").tobytes().hex()


def hamming(words_a: np.ndarray, words_b: np.ndarray) -> np.ndarray:
    """Distances between rows of ``words_a`` (n x 16) and one hash ``words_b`` (16,)."""
    a = np.ascontiguousarray(words_a, dtype=np.uint16).view(np.uint64)
    b = np.ascontiguousarray(words_b, dtype=np.uint16).view(np.uint64)
    return np.bitwise_count(np.bitwise_xor(a, b)).sum(axis=-1, dtype=np.int32)


def _probe_masks(radius: int) -> np.ndarray:
    masks = [0]
    for r in range(1, radius + 1):
        for bits in combinations(range(CHUNK_BITS), r):
            m = 0
            for b in bits:
                m |= 1 << b
            masks.append(m)
    return np.array(masks, dtype=np.uint16)


class _Snapshot:
    """What one query reads. Writers publish a new snapshot after every change;
    rows are only ever appended, so a reader's snapshot stays valid."""

    __slots__ = ("words", "alive", "n", "starts", "order", "n_indexed", "tail")

    def __init__(self, words, alive, n, starts, order, n_indexed):
        self.words = words  # (capacity, 16) uint16; rows [0, n) are in use, indexed rows first
        self.alive = alive  # (capacity,) bool; False once removed or replaced
        self.n = n
        self.starts = starts  # (16, 65537) int64: chunk value -> first position in ``order``
        self.order = order  # (16, n_indexed) int32 row numbers sorted by chunk value
        self.n_indexed = n_indexed
        self.tail = np.arange(n_indexed, n)  # rows not in the tables yet, scanned exactly


class PdqIndex:
    """In-memory PDQ index over platform and per-organisation banks.

    Load rows at start with :meth:`add_many`, add one at run time with
    :meth:`add`, drop one with :meth:`remove`, find matches with :meth:`query`.
    Rows live in capacity-doubling arrays, so a run-time add costs
    microseconds even at a million rows (plus, every ``tail_limit`` adds, one
    rebuild of the tables: about a second at a million rows, off the readers' path).
    """

    def __init__(self, tail_limit: int = 4096) -> None:
        self.tail_limit = tail_limit
        self._lock = threading.Lock()
        self._ids: list[str] = []
        self._cats: list[str] = []
        self._orgs: list[str | None] = []
        self._row_of: dict[str, int] = {}
        self._words = np.zeros((1024, CHUNKS), np.uint16)
        self._alive = np.zeros(1024, bool)
        self._n = 0
        self._snap = self._build(0)
        self._masks: dict[int, np.ndarray] = {}

    # -- writing -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, entry_id: object) -> bool:
        return str(entry_id) in self._row_of

    def add(self, entry_id: str, hash_hex: str, category: str, org_id: str | None = None) -> None:
        """Bank one hash (replacing ``entry_id`` if it was banked before): "block and bank"."""
        self.add_many([(entry_id, hash_hex, category, org_id)])

    def add_many(self, rows) -> None:
        """Bank ``(entry_id, hash_hex, category, org_id)`` rows in one go (the start-up load)."""
        rows = list(rows)
        if not rows:
            return
        hexes = [str(r[1]).strip().lower() for r in rows]
        for h in hexes:
            if len(h) != 64:
                hash_to_words(h)  # raises with the bad value named
        try:
            raw = bytes.fromhex("".join(hexes))
        except ValueError:
            for h in hexes:
                hash_to_words(h)
            raise
        new_words = np.frombuffer(raw, dtype=">u2").astype(np.uint16).reshape(len(rows), CHUNKS)
        with self._lock:
            for entry_id, _, _, _ in rows:
                old = self._row_of.pop(str(entry_id), None)
                if old is not None:
                    self._alive[old] = False
            base = self._n
            self._reserve(base + len(rows))
            self._words[base : base + len(rows)] = new_words
            self._alive[base : base + len(rows)] = True
            for i, (entry_id, _, category, org_id) in enumerate(rows):
                self._ids.append(str(entry_id))
                self._cats.append(str(getattr(category, "value", category)))
                self._orgs.append(org_id)
                self._row_of[str(entry_id)] = base + i
            self._n = base + len(rows)
            snap = self._snap
            if self._n - snap.n_indexed > self.tail_limit:
                self._snap = self._build(self._n)
            else:
                self._snap = _Snapshot(self._words, self._alive, self._n, snap.starts, snap.order, snap.n_indexed)

    def _reserve(self, need: int) -> None:
        if need <= len(self._words):
            return
        cap = max(need, 2 * len(self._words))
        words = np.zeros((cap, CHUNKS), np.uint16)
        words[: self._n] = self._words[: self._n]
        alive = np.zeros(cap, bool)
        alive[: self._n] = self._alive[: self._n]
        self._words, self._alive = words, alive

    def remove(self, entry_id: str) -> bool:
        """Unbank ``entry_id``; False if it was not banked."""
        with self._lock:
            row = self._row_of.pop(str(entry_id), None)
            if row is None:
                return False
            self._alive[row] = False  # readers share this array: effective at once
            return True

    def compact(self) -> None:
        """Fold the tail into the tables now (done automatically past ``tail_limit``)."""
        with self._lock:
            self._snap = self._build(self._n)

    def _build(self, n: int) -> _Snapshot:
        words = self._words
        starts = np.zeros((CHUNKS, (1 << CHUNK_BITS) + 1), np.int64)
        order = np.zeros((CHUNKS, n), np.int32)
        for c in range(CHUNKS):
            col = words[:n, c]
            order[c] = np.argsort(col, kind="stable")  # radix sort for 16-bit keys
            np.cumsum(np.bincount(col, minlength=1 << CHUNK_BITS), out=starts[c, 1:])
        return _Snapshot(words, self._alive, n, starts, order, n)

    # -- reading -------------------------------------------------------------
    def _masks_for(self, radius: int) -> np.ndarray:
        m = self._masks.get(radius)
        if m is None:
            m = self._masks[radius] = _probe_masks(radius)
        return m

    def query(self, hash_hex: str, max_distance: int = PDQ_THRESHOLD, org_id: str | None = None) -> list[Match]:
        """Banked hashes within ``max_distance`` of ``hash_hex``, nearest first.

        Searches the platform bank and, when ``org_id`` is given, that
        organisation's bank; other organisations' banks are never consulted.
        """
        if not 0 <= max_distance < PDQ_BITS:
            raise ValueError(f"max_distance {max_distance!r} must be in 0..255")
        q = hash_to_words(hash_hex)
        s = self._snap
        cand_parts = []
        if s.n_indexed:
            masks = self._masks_for(max_distance // CHUNKS)
            # every (chunk, probe) bucket at once: value -> [lo, hi) in that chunk's order
            vals = np.bitwise_xor(masks[None, :], q[:, None]).astype(np.int64)  # (16, probes)
            lo = np.take_along_axis(s.starts, vals, axis=1).ravel()
            hi = np.take_along_axis(s.starts, vals + 1, axis=1).ravel()
            lengths = hi - lo
            total = int(lengths.sum())
            if total:
                base = (np.repeat(np.arange(CHUNKS, dtype=np.int64), len(masks)) * s.n_indexed + lo)
                ends = np.cumsum(lengths)
                pos = np.arange(total, dtype=np.int64) + np.repeat(base - (ends - lengths), lengths)
                cand_parts.append(s.order.ravel()[pos])
        if len(s.tail):
            cand_parts.append(s.tail)
        if not cand_parts:
            return []
        cands = np.concatenate(cand_parts)
        d = hamming(s.words[cands], q)
        keep = (d <= max_distance) & s.alive[cands]
        rows, first = np.unique(cands[keep], return_index=True)  # a row can come from several chunks
        dists = d[keep][first]
        out = []
        for row, dist in sorted(zip(rows.tolist(), dists.tolist()), key=lambda t: (t[1], t[0])):
            org = self._orgs[row]
            if org is not None and org != org_id:
                continue
            out.append(Match(self._ids[row], self._cats[row], org, int(dist), words_to_hex(s.words[row])))
        return out


def _pdq_input(image) -> np.ndarray:
    import cv2

    arr = np.asarray(image.convert("RGB")) if hasattr(image, "convert") else np.asarray(image)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    h, w = arr.shape[:2]
    if max(h, w) > 512:
        f = 512 / max(h, w)
        arr = cv2.resize(arr, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(arr, dtype=np.uint8)


def _hex(bits) -> str:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def pdq_dihedral(image) -> tuple[list[str], int]:
    """The PDQ hashes of the image and its 7 rotations/mirrorings (identity
    first), and the quality: matching all eight catches flipped or rotated
    re-uploads of a banked image without banking eight hashes per entry."""
    import pdqhash

    hashes, quality = pdqhash.compute_dihedral(_pdq_input(image))
    return [_hex(h) for h in hashes], int(quality)


def pdq_hash(image) -> tuple[str, int]:
    """PDQ hash (64 hex digits) and quality (0-100) of a PIL image or RGB array.

    Big images are first shrunk to 512 px (as the reference hasher does):
    PDQ only looks at a 64x64 luminance grid, so this loses nothing and saves
    most of the time. Bits are written most significant first, as
    ThreatExchange and HMA write them.
    """
    import pdqhash

    bits, quality = pdqhash.compute(_pdq_input(image))
    return _hex(bits), int(quality)


def hex_distance(a: str, b: str) -> int:
    return int(hamming(hash_to_words(a)[None, :], hash_to_words(b))[0])
