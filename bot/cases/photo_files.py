"""Photo files customers attach in the web chat: checked, cleaned and kept on disk (no database here).

Uploads are checked by content (magic bytes), not by name or declared type: JPEG and PNG
are decoded and **re-encoded with Pillow without any metadata** (EXIF with GPS position,
camera serial numbers, XMP, comments, text chunks), which also neutralises anything hidden
in the file. HEIC is recognised by its ``ftyp`` brand but Pillow cannot decode it here, so it
cannot be stripped safely: it is stored unchanged and flagged ``metadata_stripped=False``
(staff see the flag). Files live under ``<photos_dir>/<conversation_id>/`` with random
names. Linking photos to cases is the database side, in :mod:`bot.cases.photos`.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

MAX_PIXELS = 40_000_000
_SAFE_CONVERSATION = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class PhotoRejected(ValueError):
    """The upload is not an acceptable photo; the message says why, in words for the customer."""


@dataclass(frozen=True)
class CleanPhoto:
    """A checked photo ready to store."""

    content_type: str
    extension: str
    data: bytes
    metadata_stripped: bool


def sniff(data: bytes) -> Optional[str]:
    """The photo type by magic bytes: ``jpeg``, ``png``, ``heic`` or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return "heic"
    return None


def clean_photo(data: bytes, max_bytes: int) -> CleanPhoto:
    """Check ``data`` and return it without metadata, or raise :class:`PhotoRejected`."""
    if not data:
        raise PhotoRejected("The file is empty.")
    if len(data) > max_bytes:
        raise PhotoRejected(f"The photo is too large (the limit is {max_bytes // (1024 * 1024)} MB).")
    kind = sniff(data)
    if kind is None:
        raise PhotoRejected("Only JPEG, PNG or HEIC photos can be attached.")
    if kind == "heic":
        return CleanPhoto("image/heic", "heic", data, metadata_stripped=False)
    return CleanPhoto(*_reencode(data, kind), metadata_stripped=True)


def _reencode(data: bytes, kind: str) -> tuple[str, str, bytes]:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            if (image.format or "").lower() != kind:
                raise PhotoRejected("The photo's content does not match its type.")
            image.load()
            # apply the EXIF orientation to the pixels, since the EXIF block itself is dropped
            upright = ImageOps.exif_transpose(image) or image
            out = io.BytesIO()
            if kind == "jpeg":
                pixels = upright.convert("RGB")
                clean = Image.new("RGB", pixels.size)
                clean.paste(pixels)
                clean.save(out, format="JPEG", quality=90, optimize=True)
                return "image/jpeg", "jpg", out.getvalue()
            mode = upright.mode if upright.mode in ("RGB", "RGBA", "L", "LA") else "RGBA"
            pixels = upright.convert(mode)
            clean = Image.new(mode, pixels.size)
            clean.paste(pixels)
            clean.save(out, format="PNG", optimize=True)
            return "image/png", "png", out.getvalue()
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected("The photo has too many pixels.") from exc
    except Exception as exc:  # noqa: BLE001 - any decoder error means a broken or fake image
        raise PhotoRejected("The file could not be read as a photo.") from exc


def conversation_dir(photos_dir: Path, conversation_id: str) -> Path:
    """The folder holding one conversation's photos under ``photos_dir``."""
    if not _SAFE_CONVERSATION.match(conversation_id):
        raise PhotoRejected("Unknown conversation.")
    return photos_dir / conversation_id


def write_photo(folder: Path, photo: CleanPhoto) -> str:
    """Store a cleaned photo in ``folder`` under a new random name; returns the name."""
    filename = f"{secrets.token_hex(12)}.{photo.extension}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / filename).write_bytes(photo.data)
    return filename
