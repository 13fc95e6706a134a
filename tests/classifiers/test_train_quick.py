"""`modpipe train --quick`: a real (tiny) training run that must produce a loadable artifact
whose predictions come from training, and must take moderator rows."""

import json

import numpy as np
import pytest
import torch

from classifiers.base import Content
from classifiers.categories import build_category_classifiers, load_thresholds
from classifiers.text import train
from classifiers.text.data import HEADS, load_rows, split
from classifiers.text.model import TextModel
from classifiers.text.network import MultiHeadTextNet, make_config
from modpipe.domain import Category, Kind

EXEMPLAR = "某某组织号召大家本周六到广场集合，统一穿白衣，不要告诉任何人"


@pytest.mark.slow
def test_quick_training_makes_a_model_that_learned(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [
        {"text": EXEMPLAR, "category": "illegal_assembly", "label": 1, "source": "moderator"},
        {"text": "加我微信领红包，限时抢购", "category": "spam_ads_sexual", "label": 1, "source": "moderator"},
        {"text": "感谢捐赠人的善意", "category": None, "label": 0, "source": "moderator"},
    ]), encoding="utf-8")
    out = tmp_path / "model"
    assert train.main(["--quick", "--no-eval", "--threads", "1", "--out", str(out), "--extra", str(rows)]) == 0
    for name in ("config.json", "vocab.txt", "network.safetensors", "linear.npz", "thresholds.json",
                 "exemplars.jsonl"):
        assert (out / name).is_file(), name
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["training"]["quick"] and set(cfg["calibration"]) >= {"spam", "rumor", "harm:fraud"}
    assert set(load_thresholds(out)) == {c.value for c in Category} | {"aigc_text"}

    tm = TextModel(out)
    sms = [r for r in split(load_rows())["dev"] if r.dataset == "sms_spam"][:300]
    scores = np.array([s["spam_ads_sexual"] for s in tm.scores([r.text for r in sms])])
    y = np.array([r.label for r in sms], dtype=bool)
    assert scores[y].mean() > scores[~y].mean() + 0.2  # it learned spam from the tiny sample

    # the transformer's outputs come from training, not from its seeded initialisation
    torch.manual_seed(13)
    fresh = MultiHeadTextNet(make_config(len(tm.vocab), max_len=cfg["max_len"], **cfg["network"]), HEADS).eval()
    ids, mask = tm.vocab.batch([r.text for r in sms[:20]], cfg["max_len"])
    with torch.inference_mode():
        before = fresh(torch.from_numpy(ids), torch.from_numpy(mask))["spam"].numpy()
    after = tm.net_logits([r.text for r in sms[:20]])["spam"]
    assert not np.allclose(before, after, atol=1e-3)

    # a moderator-confirmed item of a category without a head becomes an exemplar
    clf = next(c for c in build_category_classifiers(out) if c.categories == (Category.ILLEGAL_ASSEMBLY,))
    [hit] = clf.classify(Content(kind=Kind.TEXT, text=EXEMPLAR + "！"))
    assert hit.score >= load_thresholds(out)["illegal_assembly"]["review"]
    assert any(e.source == "exemplar" for e in hit.evidence)
    [miss] = clf.classify(Content(kind=Kind.TEXT, text="本周六下午两点在图书馆举办读书分享会"))
    assert miss.score == 0.0
