"""The caps that keep hostile or oversized media from taking a worker down.

Defaults suit a charity platform: phone photos and posters (up to 50 MP),
short campaign videos (up to 10 minutes, 500 MB), documents and small
archives. Everything past a cap ends as ``RejectedInput`` with a reason that
names the cap, except archive bombs, which are hostile content and become a
``malware`` verdict (see :mod:`classifiers.media.archives`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaLimits:
    # --- images -------------------------------------------------------------
    #: bytes of one image upload
    max_image_bytes: int = 50 * 1024 * 1024
    #: pixels of one frame (width x height); 50 MP covers phone cameras
    max_pixels: int = 50_000_000
    #: an animation's frames times pixels: stops "animation bombs"
    max_animation_pixels: int = 400_000_000
    #: frames an animation may declare at all
    max_animation_frames: int = 2_000
    #: frames of an animation that go through the image stages (evenly spread)
    animation_sample_frames: int = 6
    #: longest side of the working copy the stages see (the original is untouched)
    analysis_max_side: int = 1600
    #: longest side OCR's text detector sees for a still image (960 keeps ~10 px
    #: text readable on a phone poster; 736 is ~40% cheaper and loses small print)
    ocr_max_side: int = 960
    #: PDQ hashes below this quality (flat, featureless images) are not matched
    pdq_min_quality: int = 50

    # --- video --------------------------------------------------------------
    max_video_bytes: int = 500 * 1024 * 1024
    max_video_seconds: float = 600.0
    #: pixels of one video frame (4K UHD passes)
    max_video_pixels: int = 3840 * 2160
    #: one frame every this many seconds goes through the image stages...
    frame_interval: float = 2.0
    #: ...plus a frame at every scene change, checked this often (seconds)
    scene_check_interval: float = 0.5
    #: grey-histogram distance (0..1, half the L1 distance of 32-bin histograms
    #: of a 64x36 thumbnail) that counts as a scene change; camera motion
    #: barely moves the histogram, a cut moves it a lot
    scene_threshold: float = 0.3
    #: ...or mean absolute grey-level difference (0..255) of the thumbnails;
    #: a cut between similar-looking scenes moves pixels, not the histogram
    scene_pixel_threshold: float = 30.0
    #: longest side of a video frame for NudeNet, QR and PDQ
    video_max_side: int = 960
    #: longest side of a video frame for OCR (captions are large; frames are many)
    video_ocr_max_side: int = 640
    #: threads analysing sampled frames while the next ones decode
    video_threads: int = 2
    #: at most this many frames per video through the image stages
    max_video_frames: int = 150
    #: a sampled frame whose PDQ hash is this close to the last analysed frame's
    #: reuses that frame's OCR/NSFW/QR results (static shots cost nothing)
    frame_dedupe_distance: int = 16

    # --- files and archives -------------------------------------------------
    max_file_bytes: int = 100 * 1024 * 1024
    max_archive_members: int = 1_000
    #: total bytes all members decompress to
    max_archive_total: int = 200 * 1024 * 1024
    #: decompressed/compressed ratio past which an archive is a bomb
    max_archive_ratio: float = 100.0
    #: archives inside archives
    max_archive_depth: int = 2
    #: bytes of one member read for YARA and text extraction
    max_member_scan_bytes: int = 8 * 1024 * 1024
    #: characters of extracted text kept per file or member
    max_text_chars: int = 200_000
    #: executables anywhere (declared file or inside archives) count as malware
    allow_executables: bool = False


DEFAULT_LIMITS = MediaLimits()
