"""A phone photo to measure uploads with: 12 MP of a room's detail and a sensor's noise, as a JPEG.

Made with Pillow alone, no file shipped: a wall under window light, tiles with grout lines, a wood
cupboard's grain, a sofa's weave, hard edges; the lens a little soft; then luminance and colour
noise of a small sensor at indoor light; saved as a phone saves it (JPEG quality 92, 4:2:0).
About 5 MB at 4000×3000, like the photo in issue #14.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SIZE = (4000, 3000)


def _texture(size: tuple[int, int], cell: int, sigma: float) -> Image.Image:
    """Grey texture around 128: Gaussian noise at a coarser scale, smoothly enlarged."""
    w, h = size
    small = Image.effect_noise((max(1, w // cell), max(1, h // cell)), sigma)
    return small.resize(size, Image.Resampling.BICUBIC)


def _add(image: Image.Image, grey: Image.Image) -> Image.Image:
    """Add a grey image centred on 128 to every channel of an RGB image."""
    return ImageChops.add(image, Image.merge("RGB", (grey, grey, grey)), 1.0, -128)


def noisy_photo(seed: int = 0, size: tuple[int, int] = SIZE, noise: float = 9.0, quality: int = 92) -> bytes:
    """The JPEG bytes of a detailed, noisy photo of `size` pixels."""
    rnd = random.Random(seed)
    w, h = size
    picture = Image.new("RGB", size, (205, 196, 182))
    draw = ImageDraw.Draw(picture)
    tile = 140 + 20 * (seed % 3)
    for top in range(int(h * 0.55), h, tile):  # the floor: tiles, each its own tone, grout between
        for left in range(0, w, tile):
            tone = rnd.randint(-16, 16)
            draw.rectangle((left, top, left + tile, top + tile), fill=(96, 94, 90))
            draw.rectangle(
                (left + 6, top + 6, left + tile - 1, top + tile - 1),
                fill=(170 + tone, 165 + tone, 158 + tone),
            )
    wood = (int(w * 0.68), 0, w, int(h * 0.62))  # a cupboard: planks and their grain
    draw.rectangle(wood, fill=(122, 84, 52))
    for x in range(wood[0], w, 3):
        shade = rnd.randint(-22, 22)
        draw.line(
            (x, 0, x + rnd.randint(-30, 30), wood[3]),
            fill=(122 + shade, 84 + shade, 52 + shade // 2),
            width=2,
        )
    for x in range(wood[0], w, 260):
        draw.line((x, 0, x, wood[3]), fill=(60, 38, 20), width=5)
    sofa = (int(w * 0.18), int(h * 0.38), int(w * 0.6), int(h * 0.7))
    draw.rounded_rectangle(sofa, radius=80, fill=(58, 92, 128))
    for y in range(sofa[1], sofa[3], 4):  # the weave
        draw.line((sofa[0] + 40, y, sofa[2] - 40, y), fill=(50, 84, 120), width=1)
    for _ in range(60):  # things on the shelves and the floor: hard edges of many colours
        x, y = rnd.randrange(w), rnd.randrange(h)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        draw.rectangle((x, y, x + rnd.randint(20, 160), y + rnd.randint(20, 160)), fill=colour)
    # window light from the left, fading across the room
    light = Image.linear_gradient("L").rotate(90).resize(size).point(lambda v: 255 - v // 3)
    picture = ImageChops.multiply(picture, Image.merge("RGB", (light, light, light)))
    picture = _add(picture, _texture(size, 40, 12))  # uneven surfaces
    picture = _add(picture, _texture(size, 3, 10))  # fine grain, fibres, dust
    picture = picture.filter(ImageFilter.GaussianBlur(0.7))  # the lens
    channels = [ImageChops.add(c, Image.effect_noise(size, noise), 1.0, -128) for c in picture.split()]
    picture = _add(Image.merge("RGB", channels), Image.effect_noise(size, noise * 0.8))  # sensor noise
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality, subsampling=2)
    return out.getvalue()
