"""The dashboard's charts, for the screen and the PDF report alike (one macro,
``templates/reports/_charts.html``; no chart JavaScript).

A chart is a list of rows: a name, a bar, and its figure as text. The name and the figure are
HTML text, so they wrap instead of being cut off, keep the page's font size on a 360-pixel
phone, and a screen reader reads them. Only the bar is a small SVG, drawn with its colours as
attributes (WeasyPrint does not apply a page's CSS inside an SVG: with classes alone every bar
printed solid black at full width). A bar's length is proportional to its value, and a
target's bar ends at the 100% line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _

from lms.reports.targets import AreaFigures, Dashboard, Share


@dataclass(frozen=True)
class ChartSizes:
    """The bar's SVG, in its own units: the track is ``track`` long (100%), the goal line
    ``goal`` wide after it; the bar's height in CSS pixels (the PDF and the screen)."""

    track: int = 100
    goal: int = 2
    bar_height: int = 14


SIZES = ChartSizes()

#: the charts' colours, the same on the screen and in the PDF
COLOURS = {
    "track": "#e3e7eb",
    "bar": "#1f5fa8",
    "done": "#116329",
    "goal": "#a40e26",
}


@dataclass(frozen=True)
class Bar:
    label: str
    #: the bar's length, 0..SIZES.track (100%, or the busiest period, = SIZES.track)
    length: float
    #: the figure printed after the bar
    value: str
    share: Share | None = None
    area_id: int | None = None
    #: False: the commune sent no list (no bar: "Chưa nộp danh sách")
    has_list: bool = True
    #: the goal reached (drawn in the "done" colour)
    done: bool = False
    #: the chart measures against 100% (a target), so the goal line is drawn
    goal: bool = True


def share_value(share: Share) -> str:
    """A share's figure as the charts and tables print it: "37,5% (12/32)"."""
    if not share.whole:
        return "—"
    return f"{share.text} ({format_decimal(share.part)}/{format_decimal(share.whole)})"


def share_bar(label: str, share: Share, **extra) -> Bar:
    return Bar(
        label=label,
        length=_length(share.percent or 0),
        value=share_value(share),
        share=share,
        done=share.whole > 0 and share.part >= share.whole,
        **extra,
    )


def row_share(row: AreaFigures, code: str) -> Share:
    """The share of a row for a chart: a figure's code, "ocop" or "coverage"."""
    if code == "ocop":
        return row.ocop
    if code == "coverage":
        return row.coverage
    return row.shares.get(code, Share())


def commune_bars(board: Dashboard, code: str) -> list[Bar]:
    """One bar per commune for the target ``code`` ("ocop" for the products target,
    "coverage" for the registry against the plan); a commune with no list says so."""
    return [
        share_bar(
            row.name,
            row_share(row, code),
            area_id=row.area.id if row.area else None,
            has_list=row.has_list,
        )
        for row in board.rows
    ]


def target_bars(row: AreaFigures, figures) -> list[Bar]:
    """One bar per target for one commune (the PDF's page for that commune)."""
    bars = [share_bar(_("Households in the registry, of the plan's count"), row.coverage)]
    bars += [
        share_bar(str(figure.label), row.shares.get(figure.code, Share())) for figure in figures
    ]
    bars.append(share_bar(_("OCOP 3★+ products listed on a marketplace"), row.ocop))
    return bars


def period_label(start: date, period: str) -> str:
    if period == "month":
        return start.strftime("%m/%Y")
    end = start + timedelta(days=6)
    return f"{start:%d/%m}–{end:%d/%m/%Y}"


def period_bars(weeks: list[tuple[date, int]], period: str = "week") -> list[Bar]:
    """Certificates issued per week or month: bars proportional to the busiest one."""
    busiest = max((count for _, count in weeks), default=0) or 1
    return [
        Bar(
            label=period_label(start, period),
            length=round(SIZES.track * count / busiest, 1),
            value=format_decimal(count),
            goal=False,
        )
        for start, count in weeks
    ]


def _length(percent: float) -> float:
    """A bar's length for a percentage; past 100% it stops at the goal line."""
    return round(SIZES.track * min(percent, 100) / 100, 1)
