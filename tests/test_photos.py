import hashlib
import io
import random
import struct
import warnings
import zlib
from datetime import UTC, datetime

import pytest
from PIL import ExifTags, Image, ImageCms, ImageDraw, ImageFile

from hk.photos import PhotoRejected, ProcessedPhoto, process_photo

TAKEN = "2025:03:14 09:26:53"
# Only these JPEG segments may remain: JFIF header, tables, frame, scans, restart interval.
PIXEL_SEGMENTS = {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDA, 0xDD}


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def camera_exif(orientation: int = 6, taken: str | None = TAKEN, offset: str | None = None) -> Image.Exif:
    """EXIF as a phone writes it: orientation, capture time and where the photo was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    if taken is not None:
        sub[ExifTags.Base.DateTimeOriginal] = taken
    if offset is not None:
        sub[ExifTags.Base.OffsetTimeOriginal] = offset
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 2.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 0.0)
    return exif


def marked_picture(size: tuple[int, int]) -> Image.Image:
    """A picture whose stored top-left quarter is red, so the output shows which way it was turned."""
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    ImageDraw.Draw(img).rectangle((0, 0, size[0] // 2, size[1] // 2), fill=(255, 0, 0))
    return img


def segments(jpeg: bytes) -> list[tuple[int, bytes]]:
    """The JPEG's marker segments up to the first scan, as (marker, payload)."""
    assert jpeg[:2] == b"\xff\xd8"
    found, pos = [], 2
    while True:
        marker = jpeg[pos + 1]
        length = struct.unpack(">H", jpeg[pos + 2 : pos + 4])[0]
        found.append((marker, jpeg[pos + 4 : pos + 2 + length]))
        if marker == 0xDA:
            return found
        pos += 2 + length


def assert_no_metadata(jpeg: bytes) -> None:
    found = segments(jpeg)
    assert {marker for marker, _ in found} <= PIXEL_SEGMENTS, [hex(m) for m, _ in found]
    header = jpeg[: sum(len(payload) + 4 for _, payload in found) + 2]
    for needle in (b"Exif", b"GPS", b"ICC_PROFILE", b"http://ns.adobe.com/xap", b"PhoneMaker", b"secret"):
        assert needle not in header
    assert b"Exif\x00\x00" not in jpeg
    with Image.open(io.BytesIO(jpeg)) as img:
        assert img.format == "JPEG"
        assert not img.getexif()
        for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "dpi"):
            assert key not in img.info


def rejected(data: bytes, **kwargs) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, **kwargs)
    return caught.value


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size but carries almost no pixel data: what a decompression bomb looks like."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def phone_jpeg() -> bytes:
    """A 4000×3000 camera JPEG with GPS, orientation 6, capture time, ICC profile, XMP and a comment."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        marked_picture((4000, 3000)),
        "JPEG",
        quality=90,
        exif=camera_exif(),
        icc_profile=srgb,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><secret/></x:xmpmeta>',
        comment=b"secret comment",
    )


@pytest.fixture(scope="module")
def processed(phone_jpeg) -> ProcessedPhoto:
    return process_photo(phone_jpeg)


def test_the_phone_photo_really_carries_the_metadata_we_expect_removed(phone_jpeg):
    with Image.open(io.BytesIO(phone_jpeg)) as img:
        exif = img.getexif()
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (31.0, 14.0, 2.5)
        assert exif[ExifTags.Base.Orientation] == 6
        assert {"exif", "icc_profile", "xmp", "comment"} <= set(img.info)


def test_a_phone_photo_loses_all_metadata(processed):
    assert_no_metadata(processed.image)
    assert_no_metadata(processed.thumb)


def test_a_phone_photo_is_turned_upright_and_scaled_to_1600(processed):
    assert (processed.width, processed.height) == (1200, 1600)
    with Image.open(io.BytesIO(processed.image)) as img:
        assert img.size == (1200, 1600)
        assert img.mode == "RGB"
        # Orientation 6 means "turn 90° clockwise": the stored top-left lands top-right.
        red, green, blue = img.getpixel((1100, 100))
        assert red > 200 and green < 60 and blue < 60
        red, green, blue = img.getpixel((100, 100))
        assert abs(red - green) < 30 and abs(green - blue) < 30


def test_the_thumbnail_is_small_and_upright(processed):
    with Image.open(io.BytesIO(processed.thumb)) as thumb:
        assert max(thumb.size) <= 320
        assert thumb.size == (240, 320)


def test_the_sha256_is_that_of_the_image_bytes(processed):
    assert processed.sha256 == hashlib.sha256(processed.image).hexdigest()


def test_taken_at_is_read_before_the_exif_is_dropped(processed):
    # No OffsetTimeOriginal: the wall-clock time is the company's (Asia/Shanghai, UTC+8).
    assert processed.taken_at == datetime(2025, 3, 14, 1, 26, 53, tzinfo=UTC)
    assert processed.source_format == "JPEG"


def test_a_big_jpeg_is_decoded_at_reduced_size(phone_jpeg, monkeypatch):
    sizes = []
    original = ImageFile.ImageFile.load

    def spy(self):
        sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    process_photo(phone_jpeg)
    assert sizes[0] == (2000, 1500)


@pytest.mark.parametrize(
    ("taken", "offset", "tz", "expected"),
    [
        (TAKEN, None, "Asia/Shanghai", datetime(2025, 3, 14, 1, 26, 53, tzinfo=UTC)),
        (TAKEN, None, "Europe/London", datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)),
        (TAKEN, "-05:00", "Asia/Shanghai", datetime(2025, 3, 14, 14, 26, 53, tzinfo=UTC)),
        (TAKEN, "+09:00", "Asia/Shanghai", datetime(2025, 3, 14, 0, 26, 53, tzinfo=UTC)),
        (TAKEN, "garbage", "Asia/Shanghai", datetime(2025, 3, 14, 1, 26, 53, tzinfo=UTC)),
        (None, None, "Asia/Shanghai", None),
        ("0000:00:00 00:00:00", None, "Asia/Shanghai", None),
        ("    :  :     :  :  ", None, "Asia/Shanghai", None),
        ("2025:13:40 25:61:00", None, "Asia/Shanghai", None),
        ("yesterday", None, "Asia/Shanghai", None),
    ],
)
def test_taken_at(taken, offset, tz, expected):
    data = encode(marked_picture((64, 48)), "JPEG", exif=camera_exif(1, taken, offset))
    assert process_photo(data, tz=tz).taken_at == expected


def test_a_photo_without_exif_has_no_taken_at():
    photo = process_photo(encode(marked_picture((64, 48)), "JPEG"))
    assert photo.taken_at is None
    assert (photo.width, photo.height) == (64, 48)


def test_a_small_photo_is_never_enlarged():
    photo = process_photo(encode(marked_picture((800, 600)), "JPEG"))
    assert (photo.width, photo.height) == (800, 600)
    with Image.open(io.BytesIO(photo.thumb)) as thumb:
        assert thumb.size == (320, 240)


def test_a_png_with_transparency_is_laid_on_white():
    img = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((400, 0, 799, 599), fill=(255, 0, 0, 255))

    photo = process_photo(encode(img, "PNG"))

    assert photo.source_format == "PNG"
    with Image.open(io.BytesIO(photo.image)) as out:
        assert out.mode == "RGB"
        assert min(out.getpixel((100, 300))) > 245
        red, green, blue = out.getpixel((700, 300))
        assert red > 240 and green < 20 and blue < 20
    assert_no_metadata(photo.image)


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_a_webp_is_accepted(mode):
    img = marked_picture((2400, 1800)).convert(mode)
    photo = process_photo(encode(img, "WEBP", quality=80, exif=camera_exif(1)))
    assert photo.source_format == "WEBP"
    assert (photo.width, photo.height) == (1600, 1200)
    assert photo.taken_at == datetime(2025, 3, 14, 1, 26, 53, tzinfo=UTC)
    assert_no_metadata(photo.image)


def heic_bytes(img: Image.Image, **params) -> bytes:
    try:
        return encode(img, "HEIF", **params)
    except (KeyError, OSError, RuntimeError, ValueError) as exc:
        pytest.skip(f"pillow-heif cannot encode HEIF here: {exc}")


def test_a_heic_is_accepted():
    # pillow-heif turns EXIF orientation (given as bytes) into HEIF's own rotation when encoding;
    # decoding applies that rotation, so the photo must come out upright without a second turn.
    data = heic_bytes(marked_picture((2000, 1500)), quality=70, exif=camera_exif(6).tobytes())

    photo = process_photo(data)

    assert photo.source_format == "HEIF"
    assert (photo.width, photo.height) == (1200, 1600)
    with Image.open(io.BytesIO(photo.image)) as img:
        red, green, blue = img.getpixel((1100, 100))
        assert red > 200 and green < 60 and blue < 60
    assert photo.taken_at == datetime(2025, 3, 14, 1, 26, 53, tzinfo=UTC)
    assert_no_metadata(photo.image)


def test_a_jpeg_with_a_second_picture_mpo_counts_as_jpeg():
    first, second = marked_picture((640, 480)), marked_picture((320, 240))
    data = encode(first, "MPO", save_all=True, append_images=[second])
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "MPO"

    photo = process_photo(data)

    assert photo.source_format == "JPEG"
    assert (photo.width, photo.height) == (640, 480)


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [("L", "JPEG"), ("CMYK", "JPEG"), ("P", "PNG"), ("LA", "PNG"), ("1", "PNG"), ("I;16", "PNG")],
)
def test_other_colour_modes_become_rgb(mode, fmt):
    img = marked_picture((300, 200)).convert(mode) if mode != "I;16" else Image.new("I;16", (300, 200), 40000)
    if mode == "P":
        img.info["transparency"] = 0

    photo = process_photo(encode(img, fmt))

    with Image.open(io.BytesIO(photo.image)) as out:
        assert out.mode == "RGB"
        assert out.size == (300, 200)
        if mode == "I;16":
            # 40000 of 65535 is about 156 of 255, not clipped to white.
            assert 150 <= out.getpixel((10, 10))[0] <= 162


def test_a_broken_icc_profile_does_not_stop_the_photo():
    data = encode(marked_picture((300, 200)), "PNG", icc_profile=b"not a colour profile")
    photo = process_photo(data)
    assert_no_metadata(photo.image)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO", "PPM"])
def test_other_image_types_are_unsupported(fmt):
    error = rejected(encode(marked_picture((64, 64)), fmt))
    assert error.code == "unsupported_type"
    assert error.params == {"format": fmt}


@pytest.mark.parametrize(
    "data",
    [
        random.Random(7).randbytes(5000),
        b"Dear customer,\nthe kitchen is clean.\n" * 50,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        b"\x00",
    ],
    ids=["random", "text", "pdf", "one-byte"],
)
def test_things_that_are_not_images_are_refused(data):
    assert rejected(data).code in {"not_an_image", "unsupported_type"}


def test_a_text_file_is_not_an_image():
    assert rejected(b"just some words, not a photo\n" * 10).code == "not_an_image"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_a_truncated_photo_is_refused(fmt):
    img = Image.effect_noise((600, 400), 40).convert("RGB")
    data = heic_bytes(img) if fmt == "HEIF" else encode(img, fmt)
    assert rejected(data[: int(len(data) * 0.6)]).code == "truncated"


def test_a_60_megapixel_image_is_refused_without_decoding(monkeypatch):
    def must_not_decode(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", must_not_decode)

    error = rejected(png_header_only(10_000, 6_000))

    assert error.code == "too_many_pixels"
    # PNG cannot be decoded at a reduced scale: its limit is lower than a camera photo's
    assert error.params == {"megapixels": 60.0, "max_megapixels": 16.0}


def test_pillows_own_bomb_error_becomes_too_many_pixels():
    # 400 megapixels: Pillow itself refuses at open, whatever limit we are given.
    error = rejected(png_header_only(20_000, 20_000), max_pixels=10**12)
    assert error.code == "too_many_pixels"
    assert error.params["megapixels"] == 400.0


@pytest.mark.parametrize("action", ["ignore", "error"])
def test_pillows_bomb_warning_becomes_too_many_pixels(action):
    # 100 megapixels is between Pillow's warning and error limits; a caller's higher limit is capped.
    with warnings.catch_warnings():
        warnings.simplefilter(action, Image.DecompressionBombWarning)
        error = rejected(png_header_only(10_000, 10_000), max_pixels=10**12)
    assert error.code == "too_many_pixels"


def test_an_empty_file_is_refused():
    assert rejected(b"").code == "empty"


def test_a_file_over_the_limit_is_refused_before_anything_else():
    error = rejected(b"\xff\xd8\xff" + b"\x00" * (20 * 1024 * 1024))
    assert error.code == "too_large"
    assert error.params == {"max_mb": 20}
    assert rejected(b"x" * 1025, max_bytes=1024).params == {"max_mb": 0.0}


def test_photo_rejected_is_a_value_error_with_code_and_params():
    error = PhotoRejected("too_large", max_mb=20)
    assert isinstance(error, ValueError)
    assert (error.code, error.params) == ("too_large", {"max_mb": 20})


def test_truncated_photos_are_refused_even_after_weasyprint_is_imported():
    """WeasyPrint flips Pillow's LOAD_TRUNCATED_IMAGES on import; hk.records.render flips it back."""
    import hk.records.render  # noqa: F401

    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 200)).save(buf, "JPEG", quality=95)
    data = buf.getvalue()
    with pytest.raises(PhotoRejected) as excinfo:
        process_photo(data[: len(data) * 6 // 10])
    assert excinfo.value.code == "truncated"
