"""Serving the trained text model: one pass per text for every head, calibrated category scores.

``TextModel.shared(model_dir)`` loads the artifact once per process (lazily, on first use)
and keeps a small cache keyed by text, so the 17 category classifiers, which each ask for
the same texts, cost one model run per text. Batches are sorted by length and padded only
to the longest text in each batch, and run under ``torch.inference_mode``.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .data import HARM_CLASSES
from .linear import LinearModel
from .mapping import AIGC, AIGC_SOURCES, CATEGORY_SOURCES
from .vocab import Vocab

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "models" / "text"
CACHE_SIZE = 20000
BATCH = 64  # batches of similar length; 32-64 were fastest on 2 cores (measured 16-512)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def head_probs_from_logits(z: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """head logits -> named probabilities: "spam", ..., "harm:fraud", ..."""
    out: dict[str, np.ndarray] = {}
    for head, arr in z.items():
        if arr.shape[1] == 1:
            out[head] = sigmoid(arr[:, 0])
        else:
            p = softmax(arr)
            for i, name in enumerate(HARM_CLASSES):
                out[f"{head}:{name}"] = p[:, i]
    return out


def blend(net: dict[str, np.ndarray], lin: dict[str, np.ndarray], weights: dict[str, float]) -> dict[str, np.ndarray]:
    """Per head, a weighted mean of the two halves' logits (weight = transformer's share)."""
    return {h: weights.get(h, 0.5) * net[h] + (1 - weights.get(h, 0.5)) * lin[h] for h in lin if h in net}


def calibrate(probs: dict[str, np.ndarray], sources: dict[str, dict[str, float]]) -> dict[str, np.ndarray]:
    """Category scores: each head output ("source") through its Platt scaling ``sources[name]``
    (fitted on its own head's calib rows; an output without one stays as it is), then per
    category the largest of its sources. Capped at 0.9999 so a block threshold of 1.0 means
    "never by score"."""
    def cal(name: str) -> np.ndarray:
        p = sources.get(name)
        return probs[name] if p is None else sigmoid(p["a"] * logit(probs[name]) + p["b"])

    table = {**CATEGORY_SOURCES, AIGC: AIGC_SOURCES}
    return {c: np.minimum(np.max(np.stack([cal(s) for s in srcs]), axis=0), 0.9999) for c, srcs in table.items()}


PRECISIONS = ("auto", "bf16", "fp32", "int8")


def serving_precision(requested: str) -> str:
    """The transformer's arithmetic at serving (config ``precision``):

    * ``bf16``: bfloat16 weights and activations. On a CPU with native bf16 (AVX512-BF16, AMX) the
      network served 1,137 texts/s on one thread against 668 in fp32 (4,000 dev texts, 29 November
      2026), logits within 0.05 of fp32 (mean 0.008); with batches padded to a multiple of
      ``vocab.PAD_MULTIPLE`` a text's scores are the same alone or batched (400 dev texts: no
      difference). Without native bf16 it is emulated and slow.
    * ``int8``: dynamic int8 quantisation of the Linear layers, 1,313 texts/s, but it takes the
      activation scale over the whole batch, so a text's scores alone and in a batch differed by up to
      0.014 (99th percentile 0.008) and 1 of those 400 texts changed decision; 1 verdict in 5,000
      changed between one and two scanning processes. Opt-in only: the same text must get the same
      verdict however it is batched.
    * ``fp32``: the reference.
    * ``auto`` (the default): bf16 where the CPU has it natively, else fp32.
    """
    if requested not in PRECISIONS:
        raise ValueError(f"text model precision {requested!r}: expected one of {', '.join(PRECISIONS)}")
    if requested != "auto":
        return requested
    import torch

    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch build without oneDNN
        native = False
    return "bf16" if native else "fp32"


class TextModel:
    """The shipped artifact: transformer + linear halves, blend weights, calibration."""

    _shared: dict[Path, "TextModel"] = {}
    _lock = threading.Lock()

    def __init__(self, model_dir: Path, precision: str | None = None) -> None:
        import torch
        from safetensors.torch import load_file

        from .network import MultiHeadTextNet, make_config

        self.dir = Path(model_dir)
        cfg = json.loads((self.dir / "config.json").read_text(encoding="utf-8"))
        self.config = cfg
        self.max_len = int(cfg["max_len"])
        self.vocab = Vocab.load(self.dir / "vocab.txt")
        self.weights: dict[str, float] = cfg["blend"]
        self.calib: dict[str, dict[str, float]] = cfg["calibration"]  # source -> Platt {"a", "b"}
        stale = sorted(k for k, v in self.calib.items() if set(v) != {"a", "b"})
        if stale:  # an artifact of the per-category stacker (before 29 November 2026)
            raise ValueError(f"{self.dir / 'config.json'}: calibration of {', '.join(stale)} is not per source "
                             "(an older artifact); retrain it with `modpipe train`")
        net = MultiHeadTextNet(make_config(len(self.vocab), max_len=self.max_len, **cfg["network"]), cfg["heads"])
        state = {k: v.float() for k, v in load_file(self.dir / "network.safetensors").items()}
        net.load_state_dict(state)
        net.eval()
        # an artifact from before `precision` (it said "int8": true) is served the default way too
        self.precision = serving_precision(precision or cfg.get("precision", "auto"))
        if self.precision == "bf16":
            net = net.to(torch.bfloat16)
        elif self.precision == "int8":
            import warnings

            with warnings.catch_warnings():  # torch announces a future move of this API to torchao
                warnings.simplefilter("ignore")
                net = torch.ao.quantization.quantize_dynamic(net, {torch.nn.Linear}, dtype=torch.qint8)
        self.net = net
        self.linear = LinearModel.load(self.dir / "linear.npz")
        self._cache: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def shared(cls, model_dir: Path | None = None) -> "TextModel":
        key = Path(model_dir or DEFAULT_DIR).resolve()
        with cls._lock:
            if key not in cls._shared:
                cls._shared[key] = cls(key)
            return cls._shared[key]

    def net_logits(self, texts: list[str]) -> dict[str, np.ndarray]:
        import torch

        n = len(texts)
        out = {h: np.zeros((n, k), dtype=np.float32) for h, k in self.config["heads"].items()}
        order = sorted(range(n), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for s in range(0, n, BATCH):
                idx = order[s : s + BATCH]
                ids, mask = self.vocab.batch([texts[i] for i in idx], self.max_len)
                res = self.net(torch.from_numpy(ids), torch.from_numpy(mask))
                for h, v in res.items():
                    out[h][idx] = v.float().numpy()
        return out

    def raw_logits(self, texts: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        return self.net_logits(texts), self.linear.logits(texts)

    def _compute(self, texts: list[str]) -> list[dict[str, float]]:
        net, lin = self.raw_logits(texts)
        probs = head_probs_from_logits(blend(net, lin, self.weights))
        cal = calibrate(probs, self.calib)
        keys = list(cal)
        return [{k: float(cal[k][i]) for k in keys} for i in range(len(texts))]

    def scores(self, texts: list[str]) -> list[dict[str, float]]:
        """Calibrated scores per text: {category slug: p, ..., "aigc_text": p}."""
        with self._cache_lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            fresh = self._compute(missing)
            with self._cache_lock:
                for t, s in zip(missing, fresh):
                    self._cache[t] = s
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._cache_lock:
            return [self._cache[t] if t in self._cache else self._compute([t])[0] for t in texts]
