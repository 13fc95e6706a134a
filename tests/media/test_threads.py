"""Workers run several items at once: the lazily loaded models must give the
same answers from many threads as from one."""

from concurrent.futures import ThreadPoolExecutor

from classifiers.base import Content
from classifiers.media import extract, synth
from modpipe.domain import Kind


def _scan(data: bytes) -> tuple:
    c = Content(kind=Kind.IMAGE, data=data)
    extract(c)
    return c.texts.get("ocr"), c.texts.get("qr:0"), c.signals["pdq"][0]["hash"], len(c.signals["nsfw"])


def test_concurrent_extracts_match_sequential_ones():
    images = [
        synth.encode(synth.poster(["同时处理多个文件", "结果必须一致"], (600, 300), seed=1), "PNG"),
        synth.encode(synth.poster(["扫码参加活动"], (600, 400), qr="https://example.org/t", seed=2), "JPEG"),
    ]
    sequential = [_scan(d) for d in images]
    assert sequential[0][0] == "同时处理多个文件\n结果必须一致"
    assert sequential[1][1] == "https://example.org/t"
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(_scan, images * 3))
    assert concurrent == sequential * 3


def test_a_model_loads_once_when_threads_race_for_it():
    import threading
    import time

    from classifiers.media.lazy import Lazy

    calls = []

    def load():
        calls.append(threading.get_ident())
        time.sleep(0.05)
        return object()

    lazy = Lazy(load)
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda _: lazy.get(), range(16)))
    assert len(calls) == 1 and all(g is got[0] for g in got)
