"""Evidence packs for an assessor or auditor: one PDF (or JSON) per period, mapped to the criteria, audit-logged.

``bot.evidence`` reads ``bot.reports``, ``bot.reviews`` and ``bot.cases``; none of them imports it.
"""

from bot.evidence.export_log import list_exports, record_export, verify_exports
from bot.evidence.handout import PackFile, hand_out
from bot.evidence.pack import build_pack, pack_json
from bot.evidence.pdf import pack_pdf

__all__ = [
    "PackFile",
    "build_pack",
    "hand_out",
    "list_exports",
    "pack_json",
    "pack_pdf",
    "record_export",
    "verify_exports",
]
