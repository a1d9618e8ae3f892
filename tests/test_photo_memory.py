"""Photo decoding is bounded: lossless giants are refused unread, and the decodes one process runs at
once fit a memory budget (hardening finding 5; bench/photo_memory.py measures the server's memory)."""

import io
import threading
import time

import pytest
from PIL import Image

from hk import photos
from hk.photos import DecodeBudget, PhotoRejected, process_photo


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


def _decode_together(monkeypatch, data: bytes, uploads: int) -> int:
    """Upload `uploads` copies at once from threads; how many were decoding at the same moment."""
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
    barrier, results = threading.Barrier(uploads), []

    def upload():
        barrier.wait()
        results.append(process_photo(data))

    threads = [threading.Thread(target=upload) for _ in range(uploads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == uploads
    return most


def test_large_decodes_wait_for_their_share_of_the_budget(monkeypatch):
    data = _png(1000, 1000, "RGBA")  # costs 8 MB of the budget
    monkeypatch.setattr(photos, "decode_budget", DecodeBudget(capacity=17 * 1024 * 1024))
    assert _decode_together(monkeypatch, data, 6) == 2


def test_small_photos_decode_side_by_side(monkeypatch):
    data = _png(400, 300, "RGB")  # 0.7 MB each: many fit the budget at once
    monkeypatch.setattr(photos, "decode_budget", DecodeBudget(capacity=17 * 1024 * 1024))
    assert _decode_together(monkeypatch, data, 6) > 2


def test_a_picture_larger_than_the_whole_budget_still_goes_alone(monkeypatch):
    monkeypatch.setattr(photos, "decode_budget", DecodeBudget(capacity=1024 * 1024))
    assert _decode_together(monkeypatch, _png(1000, 1000, "RGBA"), 3) == 1
