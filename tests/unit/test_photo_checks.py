"""Photo checks: type by content, size limit, metadata removed (bot/cases/photo_files.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.cases.photo_files import PhotoRejected, clean_photo, sniff

LIMIT = 8 * 1024 * 1024


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"private note")
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Jane Customer")
    info.add_text("GPS", "51.5,-0.1")
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 128, 0, 255)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def test_jpeg_is_reencoded_without_exif() -> None:
    original = jpeg_with_exif()
    assert b"SecretCam" in original
    photo = clean_photo(original, LIMIT)
    assert photo.content_type == "image/jpeg" and photo.metadata_stripped
    assert b"SecretCam" not in photo.data and b"Exif" not in photo.data and b"private note" not in photo.data
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.size == (64, 48)
        assert len(image.getexif()) == 0


def test_png_text_chunks_are_removed() -> None:
    original = png_with_text()
    assert b"Jane Customer" in original
    photo = clean_photo(original, LIMIT)
    assert photo.content_type == "image/png"
    assert b"Jane Customer" not in photo.data and b"tEXt" not in photo.data
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.size == (20, 10)


def test_exif_orientation_is_applied_to_pixels() -> None:
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    photo = clean_photo(out.getvalue(), LIMIT)
    with Image.open(io.BytesIO(photo.data)) as cleaned:
        assert cleaned.size == (20, 40)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + b"\x00" * 100,
        b"%PDF-1.4 not a photo",
        b"\xff\xd8\xff\xe0" + b"garbage that is not a jpeg" * 10,  # JPEG magic, broken body
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
    ],
)
def test_fake_images_are_refused(data: bytes) -> None:
    with pytest.raises(PhotoRejected):
        clean_photo(data, LIMIT)


def test_renamed_file_is_judged_by_content() -> None:
    # a PNG that a client called "photo.jpg" is still a PNG, and an HTML file called .jpg is refused
    assert sniff(png_with_text()) == "png"
    assert sniff(b"<!doctype html>") is None


def test_oversized_photo_is_refused() -> None:
    with pytest.raises(PhotoRejected, match="too large"):
        clean_photo(jpeg_with_exif(), max_bytes=100)


def test_heic_is_recognised_and_kept_unmodified() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    photo = clean_photo(heic, LIMIT)
    assert photo.content_type == "image/heic"
    assert photo.data == heic and photo.metadata_stripped is False
