""""Block and bank": a blocked image's PDQ hash joins a hash bank so copies are caught on upload."""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from modpipe.errors import InvalidInput
from modpipe.models import HashBankEntry, Item


def pdq_hex(data: bytes) -> str:
    """The 256-bit PDQ hash of an image, as 64 hex digits."""
    import numpy as np
    import pdqhash
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        rgb = np.asarray(im.convert("RGB"))
    bits, _quality = pdqhash.compute(rgb)
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def bank_item(s: Session, store, item: Item, categories: list[str], added_by: str,
              platform: bool = True) -> HashBankEntry:
    """Add the item's image to the platform bank (``platform``) or its organisation's bank; once per hash."""
    if item.kind != "image" or not item.blob_sha256:
        raise InvalidInput(f"only images can be banked; item {item.id} is {item.kind}")
    pdq = pdq_hex(store.get(item.blob_sha256))
    org_id = None if platform else item.org_id
    existing = s.scalar(select(HashBankEntry).where(HashBankEntry.pdq == pdq, HashBankEntry.org_id.is_(org_id)
                                                    if org_id is None else HashBankEntry.org_id == org_id))
    if existing is not None:
        return existing
    entry = HashBankEntry(org_id=org_id, pdq=pdq, category=(categories or ["other_illegal"])[0], item_id=item.id,
                          added_by=added_by)
    s.add(entry)
    s.flush()
    return entry
