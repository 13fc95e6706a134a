from watermark import label, xmp


def test_parse_valid_wrapped_and_bare():
    obj = {"Label": "1", "ContentProducer": "p", "ProduceID": "x1", "ReservedCode1": "",
           "ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}
    for raw in (label.dumps(obj), '{"Label":"1","ContentProducer":"p","ProduceID":"x1","ReservedCode1":"",'
                '"ContentPropagator":"","PropagateID":"","ReservedCode2":""}'):
        meta, errors = label.parse(raw)
        assert meta == obj and errors == []


def test_malformed_labels_are_reported_not_raised():
    meta, errors = label.parse("{not json")
    assert meta is None and "not valid JSON" in errors[0]
    meta, errors = label.parse('{"AIGC": {"Label": "7"}}')
    assert meta is None and any("must be one of 1, 2, 3" in e for e in errors)
    meta, errors = label.parse('{"AIGC": {"Label": 1, "ContentProducer": "x"}}')
    assert meta["Label"] == "1"  # usable, but every problem is listed
    assert any("should be a string" in e for e in errors)
    assert any("lacks the PropagateID field" in e for e in errors)
    meta, errors = label.parse("[1, 2]")
    assert meta is None and "JSON object" in errors[0]
    meta, errors = label.parse('{"AIGC": {"Label": "2", "Evil": 1}}')
    assert meta["Label"] == "2" and any("unknown fields: Evil" in e for e in errors)


def test_build_keeps_producer_and_sets_propagator():
    producer = {"Label": "1", "ContentProducer": "gen-co", "ProduceID": "abc", "ReservedCode1": "r1",
                "ContentPropagator": "other", "PropagateID": "old", "ReservedCode2": ""}
    out = label.build("3", "modpipe", "item-9", producer)
    assert out["Label"] == "1"  # the producer's stronger label stands
    assert out["ContentProducer"] == "gen-co" and out["ProduceID"] == "abc" and out["ReservedCode1"] == "r1"
    assert out["ContentPropagator"] == "modpipe" and out["PropagateID"] == "item-9"
    assert label.build("2", "m", "i")["Label"] == "2"


def test_xmp_element_attribute_and_hostile_packets():
    packet = xmp.build('{"Label":"1"}')
    assert xmp.find_label(packet) == '{"Label":"1"}'
    attr = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            b'<rdf:Description xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/" '
            b'TC260:AIGC="{&quot;Label&quot;:&quot;2&quot;}"/></rdf:RDF></x:xmpmeta>')
    assert xmp.find_label(attr) == '{"Label":"2"}'
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><TC260:AIGC>&b;</TC260:AIGC></x:xmpmeta>')
    assert xmp.find_label(bomb) == "&b;"  # never expanded: read as plain text, then rejected by parse
    assert label.parse(xmp.find_label(bomb))[0] is None
    assert xmp.find_label(b"<x:xmpmeta>no label here</x:xmpmeta>") is None
