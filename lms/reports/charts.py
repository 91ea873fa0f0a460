"""The geometry of the dashboard's charts, drawn as SVG by the templates (no chart JavaScript).

Bars carry their numbers as text, so a screen reader reads them and a printout shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lms.reports.targets import Dashboard, Share

#: the drawing area of a bar, in SVG units, after the commune's name
BAR_WIDTH = 400
COLUMN_HEIGHT = 120


@dataclass(frozen=True)
class Bar:
    label: str
    share: Share
    #: the bar's length, 0..BAR_WIDTH (100% = BAR_WIDTH)
    length: float
    area_id: int | None


@dataclass(frozen=True)
class Column:
    monday: date
    count: int
    #: the column's height, 0..COLUMN_HEIGHT (the busiest week = COLUMN_HEIGHT)
    height: float


def commune_bars(board: Dashboard, code: str) -> list[Bar]:
    """One bar per commune for the target ``code`` ("ocop" for the products target)."""
    bars = []
    for row in board.rows:
        share = row.ocop if code == "ocop" else row.shares.get(code, Share())
        percent = share.percent or 0
        bars.append(
            Bar(
                label=row.area.name if row.area else "",
                share=share,
                length=round(BAR_WIDTH * min(percent, 100) / 100, 1),
                area_id=row.area.id if row.area else None,
            )
        )
    return bars


def weekly_columns(weeks: list[tuple[date, int]]) -> list[Column]:
    busiest = max((count for _, count in weeks), default=0) or 1
    return [
        Column(monday, count, round(COLUMN_HEIGHT * count / busiest, 1)) for monday, count in weeks
    ]


def target_bars(row, figures) -> list[Bar]:
    """One bar per target for one commune (the PDF's page for that commune)."""
    from flask_babel import gettext as _

    bars = []
    shares = [(str(figure.label), row.shares.get(figure.code, Share())) for figure in figures]
    shares.append((_("OCOP 3★+ products listed on a marketplace"), row.ocop))
    for label, share in shares:
        percent = share.percent or 0
        bars.append(Bar(label, share, round(BAR_WIDTH * min(percent, 100) / 100, 1), None))
    return bars
