"""Photo decoding is bounded: lossless giants are refused unread, and one process decodes at most
DECODES_AT_ONCE photos at a time (hardening finding 5; bench/photo_memory.py measures the memory)."""

import io
import threading
import time

import pytest
from PIL import Image

from hk import photos
from hk.photos import DECODES_AT_ONCE, PhotoRejected, process_photo


def _png(width: int, height: int, mode: str = "RGBA") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (width, height), (200, 30, 30, 128) if mode == "RGBA" else 200).save(buf, "PNG")
    return buf.getvalue()


def test_a_50_megapixel_png_is_refused_before_its_pixels_are_decoded():
    data = _png(8160, 6100)  # 49.8 MP, 0.2 MB on the wire: once ~1 GB in memory
    started = time.process_time()
    with pytest.raises(PhotoRejected) as refused:
        process_photo(data)
    assert refused.value.code == "too_many_pixels"
    assert time.process_time() - started < 1  # refused from the header, not after a decode


def test_a_16_megapixel_transparent_png_is_kept_flattened_on_white():
    photo = process_photo(_png(4000, 4000))
    assert (photo.width, photo.height) == (1600, 1600)
    pixel = Image.open(io.BytesIO(photo.image)).getpixel((800, 800))
    assert all(abs(a - b) <= 6 for a, b in zip(pixel, (227, 142, 142), strict=True))  # half red on white


def test_no_more_than_decodes_at_once_photos_are_decoded_together(monkeypatch):
    running, most, lock = 0, 0, threading.Lock()
    real = photos._process

    def counting(*args, **kwargs):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.05)
            return real(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(photos, "_process", counting)
    data = _png(1200, 900, "RGB")
    barrier = threading.Barrier(8)
    results = []

    def upload():
        barrier.wait()
        results.append(process_photo(data))

    threads = [threading.Thread(target=upload) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 8
    assert most == DECODES_AT_ONCE
