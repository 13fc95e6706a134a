"""``modpipe bench media [--short] [--json]``: how fast the media path runs here.

Reports
* images/s through the whole image path (sniff, YARA, safe decode, OCR, QR,
  NudeNet, PDQ, then the three media classifiers) on a mix of generated
  posters with Chinese text, QR posters and photo-like pictures, with as many
  worker threads as cores (a worker handles several items at once);
* OCR character accuracy on rendered Chinese lines;
* video seconds processed per wall-clock second for a generated 720p clip;
* PDQ hash-bank lookups/s at 1M banked hashes (multi-index hashing), next to
  a vectorised brute-force scan for scale.

Wall-clock figures depend on what else the machine runs; the load average
and CPU seconds per item are printed beside them so runs can be compared,
with the rate the cores would give if nothing else ran (cores / CPU seconds
per item: an upper bound, not a measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from classifiers.base import Content
from modpipe.domain import Kind


def _image_set(n: int) -> list[bytes]:
    from . import synth

    lines = [
        ["爱心助学公益活动", "时间：本周六上午九点", "地点：社区服务中心"],
        ["捐款收据", "捐赠人：张三  金额：￥200.00", "用途：山区儿童午餐计划", "感谢您的爱心支持"],
        ["招募志愿者", "扫码报名参加周末义卖"],
        ["加微信领取免费红包", "点击链接立即提现"],
    ]
    out = []
    for i in range(n):
        k = i % 4
        if k == 3:
            out.append(synth.encode(synth.photo_like((1280, 960), seed=i, cell=96), "JPEG", quality=88))
        elif k == 2:
            out.append(synth.encode(synth.poster(lines[i % 4], (900, 1200), qr=f"https://example.org/signup/{i}", seed=i),
                                    "PNG"))
        else:
            out.append(synth.encode(synth.poster(lines[i % 4], (1080, 720), seed=i), "JPEG", quality=90))
    return out


def _image_path(data: bytes, classifiers, limits=None) -> None:
    from .extract import extract

    c = Content(kind=Kind.IMAGE, data=data)
    extract(c, limits)
    for clf in classifiers:
        clf.classify(c)


def bench_images(n: int, threads: int, ocr_side: int) -> dict:
    from .hashbank import PdqIndex
    from .limits import MediaLimits
    from .media_classifiers import build_media_classifiers

    limits = MediaLimits(ocr_max_side=ocr_side)
    images = _image_set(n)
    classifiers = build_media_classifiers(PdqIndex())
    _image_path(images[0], classifiers, limits)  # load the models first
    _image_path(images[1], classifiers, limits)
    cpu0, t0 = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda d: _image_path(d, classifiers, limits), images))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"images": n, "threads": threads, "ocr_max_side": ocr_side, "seconds": round(wall, 3),
            "images_per_s": round(n / wall, 2), "cpu_s_per_image": round(cpu / n, 3),
            "images_per_s_if_cores_idle": round((os.cpu_count() or 1) / (cpu / n), 2)}


def bench_stages(n: int) -> dict:
    """CPU seconds per image of each stage, single-threaded."""
    from . import nsfw, ocr, qr
    from .decode import decode_image
    from .hashbank import pdq_hash

    images = _image_set(n)
    frames = [decode_image(d).frames[0] for d in images]
    ocr.ocr_lines(frames[0].rgb)
    nsfw.detect(frames[0].rgb)
    out = {}
    for name, fn in (("decode", lambda i, f: decode_image(images[i])), ("ocr", lambda i, f: ocr.ocr_lines(f.rgb)),
                     ("qr", lambda i, f: qr.read_codes(f.rgb)), ("nsfw", lambda i, f: nsfw.detect(f.rgb)),
                     ("pdq", lambda i, f: pdq_hash(f.rgb))):
        c0 = time.process_time()
        for i, f in enumerate(frames):
            fn(i, f)
        out[name] = round((time.process_time() - c0) / n, 4)
    return out


OCR_LINES = [
    "欢迎使用公益开放平台", "请您务必审慎阅读各条款", "本周六上午九点社区义卖", "善款全部用于山区助学",
    "志愿者请提前十分钟签到", "扫码关注官方账号", "加微信领取免费红包", "点击链接立即提现到账",
    "禁止发布违法违规信息", "散布谣言扰乱社会秩序", "捐赠金额：￥1,280.00元", "联系电话：010-62345678",
    "项目编号：GY2025-0317", "收据仅作公益捐赠凭证", "感谢每一位爱心人士", "儿童午餐计划第三期",
    "活动地点：朝阳区文化中心", "报名截止日期为五月底", "不得冒用他人名义募捐", "账户名称：某某基金会",
    "图书角募集旧书两千册", "医疗救助申请材料清单", "贫困家庭慰问物资发放", "环保徒步活动招募中",
]


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def bench_ocr_accuracy(n_lines: int) -> dict:
    """Character accuracy (1 - edit distance / length) on rendered Chinese lines, 3 per picture."""
    from . import ocr, synth

    lines = OCR_LINES[:n_lines]
    errors = chars = 0
    t0 = time.perf_counter()
    for k in range(0, len(lines), 3):
        group = lines[k : k + 3]
        rgb = np.asarray(synth.poster(group, (900, 320), seed=k, font_size=34))
        got = [line.text.replace(" ", "") for line in ocr.ocr_lines(rgb)]
        for i, ref in enumerate(group):
            errors += _edit_distance(ref.replace(" ", ""), got[i] if i < len(got) else "")
            chars += len(ref.replace(" ", ""))
    return {"lines": len(lines), "characters": chars, "char_accuracy": round(1 - errors / chars, 4),
            "seconds_per_picture": round((time.perf_counter() - t0) / ((len(lines) + 2) // 3), 3)}


def bench_video(seconds: float) -> dict:
    from . import synth
    from .extract import extract

    data = synth.video_clip(seconds, (1280, 720), 25.0, scene_every=5.0, qr_payload="https://example.org/v")
    warm = Content(kind=Kind.VIDEO, data=synth.video_clip(1.0, (320, 240), 25.0))
    extract(warm)
    c = Content(kind=Kind.VIDEO, data=data)
    cpu0, t0 = time.process_time(), time.perf_counter()
    extract(c)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    frames = c.signals["frames"]
    return {"clip_seconds": seconds, "resolution": "1280x720", "fps": 25, "seconds": round(wall, 3),
            "realtime_factor": round(seconds / wall, 2), "cpu_s_per_video_s": round(cpu / seconds, 3),
            "realtime_factor_if_cores_idle": round((os.cpu_count() or 1) / (cpu / seconds), 1),
            "frames_sampled": len(frames), "frames_reused": sum(1 for f in frames if f["reused_from"] is not None),
            "texts": len([k for k in c.texts if k.startswith("frame@")])}


def bench_hashes(n: int, queries: int) -> dict:
    from .hashbank import PdqIndex, hamming, hash_to_words

    rng = np.random.default_rng(0)
    raw = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    rows = ((f"e{i}", raw[i].tobytes().hex(), "porn_gambling_violence", None) for i in range(n))
    idx = PdqIndex()
    t0 = time.perf_counter()
    idx.add_many(rows)
    load = time.perf_counter() - t0
    qs = []
    for _ in range(queries):  # half near-copies (<= 31 bits away), half strangers
        if len(qs) % 2:
            qs.append(rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex())
            continue
        bits = np.unpackbits(raw[rng.integers(n)])
        bits[rng.choice(256, int(rng.integers(0, 32)), replace=False)] ^= 1
        qs.append(np.packbits(bits).tobytes().hex())
    t0 = time.perf_counter()
    found = sum(1 for q in qs if idx.query(q, 31))
    mih = time.perf_counter() - t0
    words = idx._snap.words[: idx._snap.n]
    k = min(20, queries)
    t0 = time.perf_counter()
    for q in qs[:k]:
        hamming(words, hash_to_words(q))
    brute = (time.perf_counter() - t0) / k
    t0 = time.perf_counter()
    for i in range(200):
        idx.add(f"rt{i}", rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex(), "malware", "org-1")
    add = (time.perf_counter() - t0) / 200
    return {"hashes": n, "load_s": round(load, 2), "queries": queries, "lookups_per_s": round(queries / mih, 1),
            "near_copies_found": f"{found}/{(queries + 1) // 2}", "brute_force_lookups_per_s": round(1 / brute, 1),
            "runtime_add_ms": round(add * 1000, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="modpipe bench media", description=__doc__.split("\n\n")[0])
    ap.add_argument("--short", action="store_true", help="small sizes, for tests (a few seconds)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--ocr-side", type=int, default=960, help="MediaLimits.ocr_max_side for the image path (960; 736 is faster)")
    ap.add_argument("--skip", nargs="*", default=[], choices=["images", "stages", "ocr", "video", "hashes"])
    args = ap.parse_args(argv)
    short = args.short
    report: dict = {"cores": os.cpu_count(), "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    if "images" not in args.skip:
        report["images"] = bench_images(4 if short else 40, args.threads, args.ocr_side)
    if "stages" not in args.skip:
        report["stage_cpu_s_per_image"] = bench_stages(2 if short else 8)
    if "ocr" not in args.skip:
        report["ocr"] = bench_ocr_accuracy(3 if short else len(OCR_LINES))
    if "video" not in args.skip:
        report["video"] = bench_video(2.0 if short else 30.0)
    if "hashes" not in args.skip:
        report["hashes"] = bench_hashes(20_000 if short else 1_000_000, 100 if short else 2_000)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"media bench ({'short' if short else 'full'}), {report['cores']} cores, "
          f"load average {report['load_average_before']} -> {report['load_average_after']}")
    if "images" in report:
        r = report["images"]
        print(f"  image path: {r['images_per_s']} images/s ({r['images']} images, {r['threads']} threads, OCR side "
              f"{r['ocr_max_side']}; {r['cpu_s_per_image']} CPU s/image, so {r['images_per_s_if_cores_idle']}/s on idle cores)")
    if "stage_cpu_s_per_image" in report:
        print("  CPU s per image by stage: " + ", ".join(f"{k} {v}" for k, v in report["stage_cpu_s_per_image"].items()))
    if "ocr" in report:
        r = report["ocr"]
        print(f"  OCR: {r['char_accuracy']:.2%} of {r['characters']} characters right on {r['lines']} rendered Chinese "
              f"lines ({r['seconds_per_picture']} s per 900x320 picture of 3 lines)")
    if "video" in report:
        r = report["video"]
        print(f"  video: {r['realtime_factor']}x real time ({r['clip_seconds']} s of {r['resolution']} in {r['seconds']} s; "
              f"{r['frames_sampled']} frames sampled, {r['frames_reused']} reused; {r['cpu_s_per_video_s']} CPU s per video s, "
              f"so {r['realtime_factor_if_cores_idle']}x on idle cores)")
    if "hashes" in report:
        r = report["hashes"]
        print(f"  hash bank: {r['lookups_per_s']} lookups/s at {r['hashes']} PDQ hashes (multi-index hashing; "
              f"brute force {r['brute_force_lookups_per_s']}/s); near copies found {r['near_copies_found']}; "
              f"load {r['load_s']} s; run-time add {r['runtime_add_ms']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
