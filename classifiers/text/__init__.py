"""The trained text model: data, training, serving, evaluation and benchmark.

Nothing loads at import; ``TextModel.shared()`` loads the artifact on first use.
"""

from __future__ import annotations

from pathlib import Path


def aigc_text_score(texts: list[str], model_dir: Path | None = None) -> list[float]:
    """Calibrated probability that each text is AI-written (meaningful from ~50 characters).

    Turn it into AIGC Label 3 ("suspected") at ``load_thresholds()["aigc_text"]["review"]``; never a block.
    """
    from .model import TextModel

    return [s["aigc_text"] for s in TextModel.shared(model_dir).scores(list(texts))]
