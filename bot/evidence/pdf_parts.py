"""The building blocks of the evidence pack PDF: styles, escaped paragraphs, tables that paginate, number formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from bot.exports.pdf_blocks import grid_table
from bot.exports.pdf_blocks import paragraph as para

MARGIN = 15 * mm


def fmt(value: Any) -> str:
    """A value as table text: "-" for nothing, yes/no for booleans."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def plural(count: int, word: str) -> str:
    """``1 case``, ``3 cases``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def pct(share: Optional[float]) -> str:
    """A share 0..1 as a whole percent ("83%"), "-" when there is none."""
    return "-" if share is None else f"{share * 100:.0f}%"


@dataclass(frozen=True)
class Look:
    """Styles and the usable page width every part of the pack is drawn with."""

    styles: StyleSheet1
    body: ParagraphStyle
    small: ParagraphStyle
    criterion: ParagraphStyle
    width: float

    @classmethod
    def default(cls) -> Look:
        """Body text at 9 pt, small print at 7.5 pt, on A4 with 15 mm margins."""
        styles = getSampleStyleSheet()
        body = ParagraphStyle("pack-body", parent=styles["BodyText"], fontSize=9, leading=11.5)
        small = ParagraphStyle("pack-small", parent=body, fontSize=7.5, leading=9)
        criterion = ParagraphStyle(
            "pack-criterion", parent=body, fontName="Helvetica-Oblique", textColor=colors.HexColor("#1f3b57")
        )
        return cls(styles, body, small, criterion, A4[0] - 2 * MARGIN)

    def title(self, text: str) -> Paragraph:
        """The document title."""
        return para(text, self.styles["Title"])

    def heading(self, text: str) -> Paragraph:
        """A section heading."""
        return para(text, self.styles["Heading1"])

    def subheading(self, text: str) -> Paragraph:
        """A heading inside a section."""
        return para(text, self.styles["Heading3"])

    def para_criterion(self, criterion: str) -> Paragraph:
        """The line under a section heading that names the criterion it evidences."""
        return para(f"Criterion: {criterion}", self.criterion)

    def text(self, value: Any) -> Paragraph:
        """A paragraph of body text."""
        return para(value, self.body)

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Optional[Sequence[float]] = None
    ) -> Table:
        """A table with a header row repeated on every page it runs over (long tables paginate)."""
        if widths is None:
            widths = [self.width / len(header)] * len(header)
        cells = [[para(h, self.small) for h in header]]
        cells += [[para(fmt(v), self.small) for v in row] for row in rows]
        return grid_table(cells, widths, align="LEFT")

    def facts(self, pairs: Sequence[tuple[str, Any]]) -> Table:
        """A two-column table of what and value (no header)."""
        rows = [[para(k, self.body), para(fmt(v), self.body)] for k, v in pairs]
        table = Table(rows, colWidths=[60 * mm, self.width - 60 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return table

    def gap(self, height: float = 3) -> Flowable:
        """Vertical space of ``height`` mm."""
        return Spacer(1, height * mm)
