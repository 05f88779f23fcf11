"""Charts of the evidence pack drawn with reportlab.graphics: bar charts, line charts and the process map.

Every label is drawn as PDF text, so the figures can be read back (pdftotext) as well as seen.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional, Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors

BAR = colors.HexColor("#3b6e99")
SERIES = (
    colors.HexColor("#3b6e99"),
    colors.HexColor("#c0504d"),
    colors.HexColor("#9bbb59"),
    colors.HexColor("#8064a2"),
)
INK = colors.HexColor("#1f3b57")
LABEL_CHARS = 16
FONT = "Helvetica"
MAX_AXIS_LABELS = 13


def _short(label: Any) -> str:
    text = str(label)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "."


def _top(values: Sequence[float]) -> float:
    """A round upper end of the value axis above the largest value."""
    biggest = max([v for v in values if v is not None] + [1])
    step = 10 ** math.floor(math.log10(biggest)) if biggest >= 10 else 1
    return float(math.ceil(biggest * 1.15 / step) * step)


def bar_chart(
    title: str,
    labels: Sequence[Any],
    values: Sequence[float],
    width: float,
    bar_height: float = 14,
    top: Optional[float] = None,
) -> Drawing:
    """A horizontal bar chart of ``values`` per label (labels read left to right), each bar labelled with its value.

    The value axis runs from 0 to ``top`` (default: a round number above the largest value).
    """
    plot_height = max(len(values), 1) * bar_height
    height = plot_height + 45
    drawing = Drawing(width, height)
    if title:
        drawing.add(String(0, height - 10, title, fontName="Helvetica-Bold", fontSize=9, fillColor=INK))
    if not values:
        drawing.add(String(0, height - 28, "no data in the period", fontSize=8, fontName=FONT))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 95, 20, width - 130, plot_height
    # The first label at the top, as in the tables.
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = [_short(label) for label in reversed(labels)]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.bars[0].fillColor = BAR
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top or _top(values)
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = chart.categoryAxis.labels.fontName = FONT
    chart.barLabels.fontName = FONT
    chart.barLabelFormat = "%g"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def week_labels(weeks: Sequence[str]) -> list[str]:
    """Short, level axis labels for ISO weeks ("W48", with the year when the weeks span two), at most 13 shown."""
    years = {w.split("-W")[0] for w in weeks}
    short = [w.split("-", 1)[1] if len(years) == 1 and "-W" in w else w[2:] for w in weeks]
    step = max(1, math.ceil(len(short) / MAX_AXIS_LABELS))
    return [label if index % step == 0 else "" for index, label in enumerate(short)]


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[Optional[float]]],
    width: float,
    height: float = 160,
) -> Drawing:
    """A line chart, one line per series over the labels (weeks); gaps where a value is missing."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName="Helvetica-Bold", fontSize=9, fillColor=INK))
    if not labels or not series:
        drawing.add(String(0, height - 28, "no data in the period", fontSize=8, fontName=FONT))
        return drawing
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 30, 40, width - 150, height - 65
    chart.data = [[None if v is None else float(v) for v in values] for values in series.values()]
    chart.categoryAxis.categoryNames = week_labels(labels)
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = chart.categoryAxis.labels.fontName = FONT
    for index in range(len(series)):
        chart.lines[index].strokeColor = SERIES[index % len(SERIES)]
        chart.lines[index].strokeWidth = 1.5
        chart.lines[index].symbol = None
    chart.joinedLines = 1
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 110, height - 30
    legend.fontSize = 7
    legend.fontName = FONT
    legend.colorNamePairs = [(SERIES[i % len(SERIES)], name) for i, name in enumerate(series)]
    drawing.add(legend)
    return drawing


# Where each status's box sits in the process map (points from the bottom left).
_LAYOUT = {
    "new": (0, 95),
    "triaged": (100, 160),
    "in_progress": (205, 160),
    "awaiting_customer": (205, 30),
    "resolved": (310, 95),
    "closed": (415, 160),
    "reopened": (415, 30),
}
_BOX_W, _BOX_H = 85, 30


def process_map_drawing(pmap: dict[str, Any], width: float) -> Drawing:
    """The statuses as boxes (with how many cases are in each now) and each step as an arrow with its count."""
    positions = dict(_LAYOUT)
    extra = [s for e in pmap["edges"] for s in (e["from"], e["to"]) if s not in positions]
    for index, name in enumerate(dict.fromkeys(extra)):
        positions[name] = (index * 100, -35)
    drawing = Drawing(width, 240 if not extra else 280)
    shift = 0 if not extra else 45
    current = pmap.get("current", {})
    for edge in pmap["edges"]:
        _arrow(drawing, positions[edge["from"]], positions[edge["to"]], shift, str(edge["count"]))
    for name, (x, y) in positions.items():
        drawing.add(
            Rect(x, y + shift, _BOX_W, _BOX_H, rx=5, ry=5, fillColor=colors.HexColor("#eef3f8"), strokeColor=INK)
        )
        drawing.add(
            String(
                x + _BOX_W / 2,
                y + shift + 17,
                name.replace("_", " "),
                fontSize=7.5,
                textAnchor="middle",
                fontName="Helvetica-Bold",
            )
        )
        drawing.add(
            String(
                x + _BOX_W / 2,
                y + shift + 6,
                f"{int(current.get(name, 0))} now",
                fontSize=7,
                textAnchor="middle",
                fontName=FONT,
            )
        )
    return drawing


def _arrow(
    drawing: Drawing, source: tuple[float, float], target: tuple[float, float], shift: float, label: str
) -> None:
    """A straight arrow from one box's centre towards the other's edge, labelled half way."""
    sx, sy = source[0] + _BOX_W / 2, source[1] + shift + _BOX_H / 2
    tx, ty = target[0] + _BOX_W / 2, target[1] + shift + _BOX_H / 2
    dx, dy = tx - sx, ty - sy
    if dx == 0 and dy == 0:
        return
    scale = min((_BOX_W / 2) / abs(dx) if dx else math.inf, (_BOX_H / 2) / abs(dy) if dy else math.inf)
    # Opposite steps (resolved -> reopened, reopened -> resolved) are drawn side by side, not on top of each other.
    nx, ny = -dy / math.hypot(dx, dy) * 4, dx / math.hypot(dx, dy) * 4
    bx, by = sx + dx * scale + nx, sy + dy * scale + ny
    ex, ey = tx - dx * scale + nx, ty - dy * scale + ny
    drawing.add(Line(bx, by, ex, ey, strokeColor=INK, strokeWidth=1))
    ux, uy = dx / math.hypot(dx, dy), dy / math.hypot(dx, dy)
    head = [ex, ey, ex - 6 * ux + 3 * uy, ey - 6 * uy - 3 * ux, ex - 6 * ux - 3 * uy, ey - 6 * uy + 3 * ux]
    drawing.add(Polygon(head, fillColor=INK, strokeColor=INK))
    drawing.add(
        String(
            (bx + ex) / 2 + nx,
            (by + ey) / 2 + ny + 2,
            label,
            fontSize=7,
            textAnchor="middle",
            fillColor=colors.black,
            fontName=FONT,
        )
    )
