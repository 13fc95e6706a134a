import pytest

from classifiers.base import Content
from classifiers.media import MediaLimits, extract, synth
from modpipe.domain import Kind
from modpipe.errors import RejectedInput


@pytest.fixture(scope="module")
def clip_content(small_clip):
    c = Content(kind=Kind.VIDEO, data=small_clip)
    extract(c, MediaLimits(frame_interval=1.0, scene_check_interval=0.5))
    return c


def test_frames_are_sampled_by_interval_and_at_the_cut(clip_content):
    frames = clip_content.signals["frames"]
    times = [f["time"] for f in frames]
    assert times[0] == 0.0 and times == sorted(times)
    assert any(f["scene_change"] and 1.9 <= f["time"] <= 2.6 for f in frames), frames
    info = clip_content.signals["video"]
    assert (info["width"], info["height"], info["fps"]) == (320, 240, 10.0)
    assert info["decoded_seconds"] == pytest.approx(4.0, abs=0.2)
    assert {p["time"] for p in clip_content.signals["pdq"]} == set(times)


def test_frame_text_and_qr_carry_their_times(clip_content):
    texts = clip_content.texts
    first = [k for k in texts if k.endswith(":ocr") and "欢迎参加公益" in texts[k]]
    second = [k for k in texts if k.endswith(":ocr") and "本周义卖活动" in texts[k]]
    assert first and second
    assert first[0] == "frame@0.0:ocr"
    t2 = float(second[0].split("@")[1].split(":")[0])
    assert 1.9 <= t2 <= 3.1
    qr_fields = [k for k in texts if ":qr:" in k]
    assert [texts[k] for k in qr_fields] == ["https://video.example.cn/join"]
    (q,) = clip_content.signals["qr"]
    assert q["time"] is not None and q["time"] >= 1.9
    spans = clip_content.signals["ocr_boxes"][second[0]]
    assert spans[0]["time"] == pytest.approx(t2, abs=0.05)


def test_duration_and_size_caps_reject_with_a_reason(small_clip):
    with pytest.raises(RejectedInput, match="over the 2-second cap"):
        extract(Content(kind=Kind.VIDEO, data=small_clip), MediaLimits(max_video_seconds=2.0))
    with pytest.raises(RejectedInput, match="over the 1000-byte cap"):
        extract(Content(kind=Kind.VIDEO, data=small_clip), MediaLimits(max_video_bytes=1000))
    with pytest.raises(RejectedInput, match="over the cap of 10000 pixels"):
        extract(Content(kind=Kind.VIDEO, data=small_clip), MediaLimits(max_video_pixels=10_000))


def test_static_shots_reuse_the_analysed_frame():
    clip = synth.video_clip(3.0, (320, 240), 10.0, scene_every=10.0)
    c = Content(kind=Kind.VIDEO, data=clip)
    extract(c, MediaLimits(frame_interval=0.5, frame_dedupe_distance=64))
    frames = c.signals["frames"]
    assert len(frames) >= 5
    assert sum(f["reused_from"] is not None for f in frames) >= 1
    assert [k for k in c.texts if k.endswith(":ocr")] == ["frame@0.0:ocr"]  # the caption is recorded once
