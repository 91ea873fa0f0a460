"""The geometry of the dashboard's charts, drawn as SVG by the templates (no chart JavaScript).

Bars carry their numbers as text, so a screen reader reads them and a printout shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lms.reports.targets import Dashboard, Share


@dataclass(frozen=True)
class ChartSizes:
    """Every size of the charts, in SVG units, for the dashboard and the PDF report alike:
    ``charts`` scales the bars and columns to them, the templates draw with them."""

    #: a bar chart: the room for a row's name, the bar's length at 100%, the room for its
    #: figure after it; each row's height, the bar's thickness, the room above the rows
    name_width: int = 190
    bar_width: int = 400
    value_width: int = 130
    row_height: int = 26
    bar_height: int = 18
    bars_top: int = 20
    #: the weekly chart: each week's slot, the gap between columns, the busiest week's
    #: height, the room above the columns and below them (for the dates)
    column_slot: int = 56
    column_gap: int = 14
    column_height: int = 120
    columns_top: int = 20
    columns_bottom: int = 40


SIZES = ChartSizes()


@dataclass(frozen=True)
class Bar:
    label: str
    share: Share
    #: the bar's length, 0..SIZES.bar_width (100% = SIZES.bar_width)
    length: float
    area_id: int | None


@dataclass(frozen=True)
class Column:
    monday: date
    count: int
    #: the column's height, 0..SIZES.column_height (the busiest week = SIZES.column_height)
    height: float


def commune_bars(board: Dashboard, code: str) -> list[Bar]:
    """One bar per commune for the target ``code`` ("ocop" for the products target)."""
    bars = []
    for row in board.rows:
        share = row.ocop if code == "ocop" else row.shares.get(code, Share())
        bars.append(
            Bar(
                label=row.area.name if row.area else "",
                share=share,
                length=_length(share.percent or 0),
                area_id=row.area.id if row.area else None,
            )
        )
    return bars


def weekly_columns(weeks: list[tuple[date, int]]) -> list[Column]:
    busiest = max((count for _, count in weeks), default=0) or 1
    return [
        Column(monday, count, round(SIZES.column_height * count / busiest, 1))
        for monday, count in weeks
    ]


def target_bars(row, figures) -> list[Bar]:
    """One bar per target for one commune (the PDF's page for that commune)."""
    from flask_babel import gettext as _

    bars = []
    shares = [(str(figure.label), row.shares.get(figure.code, Share())) for figure in figures]
    shares.append((_("OCOP 3★+ products listed on a marketplace"), row.ocop))
    for label, share in shares:
        bars.append(Bar(label, share, _length(share.percent or 0), None))
    return bars


def _length(percent: float) -> float:
    """A bar's length for a percentage; past 100% it stops at the goal line."""
    return round(SIZES.bar_width * min(percent, 100) / 100, 1)
