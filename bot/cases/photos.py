"""Photos customers attach in the web chat, kept as evidence and linked to their case.

Uploads are checked by content (magic bytes), not by name or declared type: JPEG and PNG
are decoded and **re-encoded with Pillow without any metadata** (EXIF with GPS position,
camera serial numbers, XMP, comments, text chunks), which also neutralises anything hidden
in the file. HEIC is recognised by its ``ftyp`` brand but Pillow cannot decode it here, so it
cannot be stripped safely: it is stored unchanged and flagged ``metadata_stripped=False``
(staff see the flag). Files live under ``<photos_dir>/<conversation_id>/`` with random
names; a photo sent before the case exists is linked when the case is logged.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select, update

from bot.cases.models import Case, CasePhoto
from bot.cases.store import Store

MAX_PHOTOS_PER_CONVERSATION = 5
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


def conversation_dir(store: Store, conversation_id: str) -> Path:
    """The folder holding one conversation's photos."""
    if not _SAFE_CONVERSATION.match(conversation_id):
        raise PhotoRejected("Unknown conversation.")
    return store.settings.photos_dir / conversation_id


def save_photo(store: Store, conversation_id: str, data: bytes, original_name: str = "") -> dict[str, Any]:
    """Check, clean and store one photo for a conversation; link it to the conversation's case if logged."""
    folder = conversation_dir(store, conversation_id)
    photo = clean_photo(data, store.settings.photo_max_bytes)
    with store.unit_of_work() as uow:
        count = len(uow.session.execute(select(CasePhoto.id).where(CasePhoto.conversation_id == conversation_id)).all())
        if count >= MAX_PHOTOS_PER_CONVERSATION:
            raise PhotoRejected(f"You can attach up to {MAX_PHOTOS_PER_CONVERSATION} photos.")
        case_id = uow.session.execute(
            select(Case.id).where(Case.conversation_id == conversation_id).order_by(Case.id.desc()).limit(1)
        ).scalar_one_or_none()
        filename = f"{secrets.token_hex(12)}.{photo.extension}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / filename).write_bytes(photo.data)
        row = CasePhoto(
            case_id=case_id,
            conversation_id=conversation_id,
            filename=filename,
            original_name=(original_name or "")[:255],
            content_type=photo.content_type,
            size_bytes=len(photo.data),
            sha256=hashlib.sha256(photo.data).hexdigest(),
            metadata_stripped=photo.metadata_stripped,
            uploaded_at=store.clock(),
        )
        uow.session.add(row)
        uow.commit()
        result = photo_to_dict(row)
    if case_id is not None:
        _record_attached(store, case_id, [result])
    return result


def attach_pending(store: Store, reference: str) -> list[dict[str, Any]]:
    """Link the photos sent in a case's conversation before it was logged; returns them."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        if case is None or not case.conversation_id:
            return []
        uow.session.execute(
            update(CasePhoto)
            .where(CasePhoto.conversation_id == case.conversation_id, CasePhoto.case_id.is_(None))
            .values(case_id=case.id)
            .execution_options(synchronize_session=False)
        )
        uow.commit()
        case_id = case.id
    photos = [p for p in photos_for_case(store, case_id)]
    if photos:
        _record_attached(store, case_id, photos)
    return photos


def _record_attached(store: Store, case_id: int, photos: list[dict[str, Any]]) -> None:
    from bot.cases.service import record_event

    with store.unit_of_work() as uow:
        reference = uow.session.execute(select(Case.reference).where(Case.id == case_id)).scalar_one()
    record_event(
        store,
        reference,
        "photos_attached",
        "customer",
        {"photos": [{"id": p["id"], "sha256": p["sha256"], "content_type": p["content_type"]} for p in photos]},
    )


def photos_for_case(store: Store, case_id: int) -> list[dict[str, Any]]:
    """The photos linked to a case (by its database id), oldest first."""
    with store.unit_of_work() as uow:
        rows = uow.session.execute(
            select(CasePhoto).where(CasePhoto.case_id == case_id).order_by(CasePhoto.id)
        ).scalars()
        return [photo_to_dict(row) for row in rows]


def photo_file(store: Store, reference: str, photo_id: int) -> Optional[tuple[Path, str]]:
    """The file and content type of one photo of a case, or None."""
    with store.unit_of_work() as uow:
        row = uow.session.execute(
            select(CasePhoto)
            .join(Case, Case.id == CasePhoto.case_id)
            .where(Case.reference == reference, CasePhoto.id == photo_id)
        ).scalar_one_or_none()
        if row is None:
            return None
        path = conversation_dir(store, row.conversation_id) / row.filename
        return (path, row.content_type) if path.is_file() else None


def photo_to_dict(row: CasePhoto) -> dict[str, Any]:
    """The JSON form of a photo."""
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "filename": row.filename,
        "original_name": row.original_name,
        "content_type": row.content_type,
        "size_bytes": row.size_bytes,
        "sha256": row.sha256,
        "metadata_stripped": bool(row.metadata_stripped),
        "uploaded_at": row.uploaded_at.isoformat() if row.uploaded_at else None,
    }
