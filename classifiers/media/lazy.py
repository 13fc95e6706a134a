"""Load each model once per process, on first use, from any thread.

No model loads at import: workers that never see an image never pay for OCR.
"""

from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    """A value built by ``factory`` the first time ``get()`` is called.

    Double-checked under a lock, so concurrent first calls build it once.
    """

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                value = self._value
                if value is None:
                    value = self._factory()
                    self._value = value
        return value

    @property
    def loaded(self) -> bool:
        return self._value is not None
