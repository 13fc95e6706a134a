"""The text model's data: the split keeps dev out of training, and other domains' negatives
(with the project's everyday texts) reach every head without crossing split parts."""

from collections import Counter

from classifiers.text.data import CROSS_SOURCES, cross_negatives, everyday_texts, load_rows, split
from classifiers.text.mapping import CATEGORY_SOURCES, coverage


def test_everyday_texts_are_many_short_and_long_and_unique():
    texts = everyday_texts()
    assert len(texts) >= 500 and len(set(texts)) == len(texts)
    assert sum(len(t) <= 6 for t in texts) >= 100  # the short greetings the harm head misread
    assert sum(len(t) >= 40 for t in texts) >= 100
    assert not any(t.startswith("#") for t in texts)


def test_cross_negatives_stay_in_their_split_part_and_reach_every_listed_head():
    parts = split(load_rows())
    keys = {p: {(r.dataset, r.key) for r in rows} for p, rows in parts.items()}
    train = cross_negatives(parts["train"], 4000)
    assert {r.head for r in train} == set(CROSS_SOURCES)
    assert all(r.dataset == "cross" and r.label == 0 and r.klass == 0 for r in train)
    # every text comes from the train part (topic holds its source data set)
    assert all((r.topic, r.key) in keys["train"] for r in train)
    assert not any((r.topic, r.key) in keys["dev"] for r in train)
    n_everyday = sum(r.dataset == "everyday" for r in parts["train"])
    for head, sources in CROSS_SOURCES.items():
        by_source = Counter(r.topic for r in train if r.head == head)
        assert set(by_source) <= set(sources)
        assert by_source["everyday"] == n_everyday  # always all of them
        share = (4000 - n_everyday) // (len(sources) - 1)  # the rest split evenly between the other sets
        for s in sources:
            if s != "everyday":
                available = sum(r.dataset == s and r.label == 0 for r in parts["train"])
                assert by_source[s] == min(share, available), (head, s)


def test_cross_negatives_come_from_rows_labelled_negative_in_their_own_set():
    part = split(load_rows())["calib"]
    negative = {(r.dataset, r.key) for r in part if r.label == 0}
    positive = {r.text for r in part if r.label == 1}
    rows = cross_negatives(part, 600)
    assert rows and all((r.topic, r.key) in negative and r.text not in positive for r in rows)


def test_a_cross_row_says_no_for_every_category_its_head_feeds():
    rows = cross_negatives(split(load_rows())["calib"], 600)
    harm = next(r for r in rows if r.head == "harm")
    fed_by_harm = {c for c, srcs in CATEGORY_SOURCES.items() if any(s.startswith("harm") for s in srcs)}
    assert coverage(harm) == {c: 0 for c in fed_by_harm}
    spam = next(r for r in rows if r.head == "spam")
    assert coverage(spam) == {"spam_ads_sexual": 0}
