"""Building blocks shared by the PDFs we hand out (case exports, the evidence pack): escaped text, grid tables."""

from __future__ import annotations

from typing import Any, Optional, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

HEADER_BLUE = colors.HexColor("#dfe7ef")


def paragraph(text: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: escaped, because reportlab paragraphs read markup."""
    value = "" if text is None else str(text)
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def grid_table(
    rows: Sequence[Sequence[Any]], widths: Sequence[float], header: bool = True, align: Optional[str] = None
) -> Table:
    """A gridded table; with ``header`` its first row is shaded and repeated on every page it runs over."""
    options = {"hAlign": align} if align else {}
    table = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=1 if header else 0, **options)
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_BLUE))
    table.setStyle(TableStyle(style))
    return table
