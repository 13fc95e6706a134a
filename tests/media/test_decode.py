import io

import numpy as np
import pytest
from PIL import Image

from classifiers.media import MediaLimits
from classifiers.media.decode import decode_image
from classifiers.media.gif import gif_frames
from modpipe.errors import RejectedInput


def _marked(w=200, h=100) -> Image.Image:
    """White image with a red block in the top-left corner."""
    a = np.full((h, w, 3), 255, np.uint8)
    a[:20, :40] = (255, 0, 0)
    return Image.fromarray(a)


def test_exif_orientation_is_honoured_and_the_original_untouched():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored pixels must be turned 90 degrees clockwise to be shown
    buf = io.BytesIO()
    _marked().save(buf, "JPEG", exif=exif.tobytes(), quality=95)
    data = buf.getvalue()
    before = bytes(data)
    img = decode_image(data)
    assert img.orientation == 6
    assert img.size == (100, 200)  # shown portrait
    rgb = img.frames[0].rgb
    assert rgb.shape[:2] == (200, 100)
    # the red corner is now top-right, as a viewer shows it
    assert rgb[5, 95, 0] > 200 and rgb[5, 95, 1] < 80
    assert rgb[5, 5, 1] > 200
    assert data == before


def test_animated_gif_is_sampled_frame_by_frame_with_times():
    frames = [Image.new("RGB", (40, 40), (i * 20, 0, 0)) for i in range(10)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=250, loop=0)
    data = buf.getvalue()
    assert len(gif_frames(data, 100)) == 10
    img = decode_image(data, MediaLimits(animation_sample_frames=4))
    assert img.n_frames == 10
    times = [f.time for f in img.frames]
    assert times[0] == 0.0 and len(times) == 4
    assert times == sorted(times) and times[-1] == pytest.approx(9 * 0.25)
    reds = [int(f.rgb[0, 0, 0]) for f in img.frames]
    assert reds == sorted(reds) and reds[-1] > reds[0]


def test_big_images_get_a_small_working_copy_with_the_scale_back():
    buf = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 200, 30)).save(buf, "JPEG")
    img = decode_image(buf.getvalue(), MediaLimits(analysis_max_side=1000))
    f = img.frames[0]
    assert img.size == (4000, 3000)
    assert max(f.rgb.shape[:2]) <= 1000
    assert f.scale == pytest.approx(4000 / f.rgb.shape[1], rel=0.01)


def test_pixel_cap_names_the_numbers():
    buf = io.BytesIO()
    Image.new("L", (3000, 3000)).save(buf, "PNG")
    with pytest.raises(RejectedInput, match=r"3000x3000 = 9000000 pixels, over the cap of 1000000"):
        decode_image(buf.getvalue(), MediaLimits(max_pixels=1_000_000))
    with pytest.raises(RejectedInput, match="over the 100-byte cap"):
        decode_image(buf.getvalue(), MediaLimits(max_image_bytes=100))


def test_transparency_is_flattened_on_white():
    im = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    rgb = decode_image(buf.getvalue()).frames[0].rgb
    assert rgb.min() == 255
