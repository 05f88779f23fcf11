"""Photos as evidence of a case: the database commands that store them and link them to their case.

The files themselves (checks by content, metadata stripped, random names on disk) are handled in
:mod:`bot.cases.photo_files`. A photo sent before the case exists is linked when the case is logged,
in the same transaction (:func:`bot.cases.aggregate.link_pending_photos`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Optional

from bot.cases.aggregate import link_pending_photos, record_photos_attached
from bot.cases.case_json import photo_to_dict
from bot.cases.models import CasePhoto
from bot.cases.photo_files import PhotoRejected, clean_photo, conversation_dir, write_photo
from bot.cases.store import Store

MAX_PHOTOS_PER_CONVERSATION = 5


def save_photo(store: Store, conversation_id: str, data: bytes, original_name: str = "") -> dict[str, Any]:
    """Check, clean and store one photo for a conversation; link it to the conversation's case if logged.

    The row and, when the case exists, its ``photos_attached`` event are written in one transaction.
    """
    folder = conversation_dir(store.settings.photos_dir, conversation_id)
    photo = clean_photo(data, store.settings.photo_max_bytes)
    with store.unit_of_work() as uow:
        if uow.photos.count_for_conversation(conversation_id) >= MAX_PHOTOS_PER_CONVERSATION:
            raise PhotoRejected(f"You can attach up to {MAX_PHOTOS_PER_CONVERSATION} photos.")
        case = uow.cases.latest_for_conversation(conversation_id, for_update=True)
        now = store.clock()
        row = uow.photos.add(
            CasePhoto(
                case_id=case.id if case is not None else None,
                conversation_id=conversation_id,
                filename=write_photo(folder, photo),
                original_name=(original_name or "")[:255],
                content_type=photo.content_type,
                size_bytes=len(photo.data),
                sha256=hashlib.sha256(photo.data).hexdigest(),
                metadata_stripped=photo.metadata_stripped,
                uploaded_at=now,
            )
        )
        if case is not None:
            record_photos_attached(uow, case, [row], now)
        uow.commit()
        return photo_to_dict(row)


def attach_pending(store: Store, reference: str) -> list[dict[str, Any]]:
    """Link the photos sent in a case's conversation that are not linked yet; returns the ones linked."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference, for_update=True)
        if case is None:
            return []
        photos = link_pending_photos(uow, case, store.clock())
        result = [photo_to_dict(photo) for photo in photos]
        uow.commit()
        return result


def photos_for_case(store: Store, case_id: int) -> list[dict[str, Any]]:
    """The photos linked to a case (by its database id), oldest first."""
    with store.unit_of_work() as uow:
        return [photo_to_dict(row) for row in uow.photos.for_case(case_id)]


def photo_file(store: Store, reference: str, photo_id: int) -> Optional[tuple[Path, str]]:
    """The file and content type of one photo of a case, or None."""
    with store.unit_of_work() as uow:
        row = uow.photos.of_case(reference, photo_id)
        if row is None:
            return None
        path = conversation_dir(store.settings.photos_dir, row.conversation_id) / row.filename
        return (path, row.content_type) if path.is_file() else None
