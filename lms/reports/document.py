"""The report officials must send: "Báo cáo kết quả thực hiện kế hoạch", laid out as a
Vietnamese administrative document (Decree 30/2020/NĐ-CP: national motto, issuing body, number
and symbol, place and date, "Kính gửi", the body, the signature block, an annex), as a PDF
(WeasyPrint, the shipped Noto Serif) and as a .docx the office edits before signing.

Both are made from one ``Dashboard`` (``lms.reports.targets``): the figures are the
dashboard's, for the area and period chosen, and every share is printed by the one rule
(``format_percent``). The PDF's charts are the screen's (``templates/reports/_charts.html``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import render_template
from flask_babel import format_decimal
from flask_babel import gettext as _

from lms.areas.models import AreaLevel
from lms.core.i18n import format_day
from lms.core.models import today
from lms.core.pdf import html_to_pdf
from lms.reports import charts, targets
from lms.reports.targets import AreaFigures, Dashboard, Share

#: the shipped fonts (Noto Serif, full Vietnamese coverage), also the certificate's
FONTS = Path(__file__).resolve().parents[2] / "certificates" / "fonts"


def chart_context(board: Dashboard, chart: str) -> dict:
    """What the chart macro needs, on the screen and in the PDF alike."""
    return {
        "bars": charts.commune_bars(board, chart),
        "periods": charts.period_bars(board.weeks, board.period),
        "sizes": charts.SIZES,
        "colours": charts.COLOURS,
    }


@dataclass(frozen=True)
class ReportHeader:
    """What the document says of itself; each part defaults from the area shown."""

    governing_body: str
    issuer: str
    number: str
    place: str
    recipient: str
    signer_position: str
    signer_name: str
    day: date

    @classmethod
    def from_form(cls, form, board: Dashboard) -> ReportHeader:
        form.validate()
        area = board.area
        name = area.name if area else ""
        place = _short_name(name) if area else ""
        province = area
        while province is not None and province.level is not AreaLevel.PROVINCE:
            province = province.parent
        if area is not None and area.level is AreaLevel.PROVINCE:
            recipient = _("The Ministry of Industry and Trade")
        elif province is not None:
            recipient = _("The People's Committee of %(area)s", area=province.name)
        else:
            recipient = ""
        defaults = {
            "governing_body": "",
            "issuer": _("People's Committee of %(area)s", area=name).upper() if area else "",
            "number": "      /BC-UBND",
            "place": place,
            "recipient": recipient,
            "signer_position": _("Chairperson").upper(),
            "signer_name": "",
        }
        values = {
            key: (getattr(form, key).data or "").strip() or default
            for key, default in defaults.items()
        }
        return cls(**values, day=today())

    def date_line(self) -> str:
        """ "Nghệ An, ngày 01 tháng 12 năm 2026" (Decree 30: the day and month with two
        digits)."""
        return _(
            "%(place)s, day %(day)s month %(month)s year %(year)s",
            place=self.place,
            day=f"{self.day.day:02d}",
            month=f"{self.day.month:02d}",
            year=self.day.year,
        )


def _short_name(name: str) -> str:
    for prefix in ("Tỉnh ", "Thành phố ", "Xã ", "Phường ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@dataclass(frozen=True)
class ResultLine:
    """One target's result in the body: its name, what was done of what, and the share."""

    label: str
    part: int
    whole: int
    unit: str
    text: str


def result_lines(total: AreaFigures, figures=targets.FIGURES) -> list[ResultLine]:
    households, products = _("households"), _("products")
    lines = [
        ResultLine(
            _("Households in the registry, of the plan's count"),
            total.households if not total.coverage.whole else total.coverage.part,
            total.coverage.whole,
            households,
            total.coverage.text,
        )
    ]
    for figure in figures:
        share = total.shares.get(figure.code, Share())
        lines.append(ResultLine(str(figure.label), share.part, share.whole, households, share.text))
    lines.append(
        ResultLine(
            _("OCOP 3★+ products listed on a marketplace"),
            total.ocop.part,
            total.ocop.whole,
            products,
            total.ocop.text,
        )
    )
    return lines


def period_text(board: Dashboard) -> str:
    if board.date_from:
        return _(
            "from %(first)s to %(last)s",
            first=format_day(board.date_from),
            last=format_day(board.as_of),
        )
    return _("as of %(day)s", day=format_day(board.as_of))


def missing_communes(board: Dashboard) -> list[str]:
    return [row.name for row in board.rows if not row.has_list]


def _context(board: Dashboard, header: ReportHeader, caption: str) -> dict:
    context = {
        "board": board,
        "header": header,
        "caption": caption,
        "lines": result_lines(board.total),
        "period": period_text(board),
        "missing": missing_communes(board),
        "figures": targets.FIGURES,
        "districts": targets.former_districts(board),
        "target_bars": lambda row: charts.target_bars(row, targets.FIGURES),
        **chart_context(board, "trained"),
    }
    context["body"] = _body_paragraphs(context)
    context["annex"] = annex_rows(board)
    return context


def report_pdf(board: Dashboard, header: ReportHeader, caption: str) -> bytes:
    html = render_template("reports/report_pdf.html", **_context(board, header, caption))
    return html_to_pdf(html, FONTS)


def report_docx(board: Dashboard, header: ReportHeader, caption: str) -> bytes:
    """The same report as an editable Word document (the office numbers and signs it)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    context = _context(board, header, caption)
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    def paragraph(cell_or_doc, text="", bold=False, italic=False, center=False, size=None):
        p = cell_or_doc.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        p.paragraph_format.space_after = Pt(2)
        return p

    # the header: issuing body and number on the left, the motto, place and date on the right
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    if header.governing_body:
        paragraph(left, header.governing_body.upper(), center=True, size=12)
    paragraph(left, header.issuer.upper(), bold=True, center=True, size=12)
    paragraph(left, "———", center=True, size=10)
    paragraph(left, _("No.: %(number)s", number=header.number), center=True, size=13)
    right.paragraphs[0].text = ""
    paragraph(right, _("SOCIALIST REPUBLIC OF VIETNAM"), bold=True, center=True, size=12)
    paragraph(right, _("Independence - Freedom - Happiness"), bold=True, center=True, size=13)
    paragraph(right, "———————", center=True, size=10)
    paragraph(right, header.date_line(), italic=True, center=True, size=13)

    paragraph(doc)
    paragraph(doc, _("REPORT").upper(), bold=True, center=True, size=14)
    paragraph(doc, _("Results of the plan's implementation"), bold=True, center=True, size=14)
    paragraph(doc, f"({context['caption']})", italic=True, center=True, size=12)
    if header.recipient:
        paragraph(doc, _("To: %(recipient)s", recipient=header.recipient), center=True)
    for text in context["body"]:
        paragraph(doc, text)
    targets_table = doc.add_table(rows=1, cols=3)
    targets_table.style = "Table Grid"
    for cell, text in zip(
        targets_table.rows[0].cells, (_("Target"), _("Done / plan"), "%"), strict=True
    ):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for line in context["lines"]:
        cells = targets_table.add_row().cells
        cells[0].text = line.label
        cells[1].text = (
            f"{format_decimal(line.part)} / {format_decimal(line.whole)}"
            if line.whole
            else format_decimal(line.part)
        )
        cells[2].text = line.text

    # the signature block: where it is sent on the left, the signer on the right
    paragraph(doc)
    signature = doc.add_table(rows=1, cols=2)
    left, right = signature.rows[0].cells
    left.paragraphs[0].text = ""
    paragraph(left, _("Recipients:"), bold=True, italic=True, size=12)
    paragraph(left, "- " + _("As above;"), size=11)
    paragraph(left, "- " + _("Filed: Office."), size=11)
    right.paragraphs[0].text = ""
    paragraph(right, header.signer_position.upper(), bold=True, center=True)
    for _blank in range(3):
        paragraph(right)
    paragraph(right, header.signer_name or "", bold=True, center=True)

    # the annex: one line per commune, in a landscape section
    annex = doc.add_section()
    annex.orientation = WD_ORIENT.LANDSCAPE
    annex.page_width, annex.page_height = Cm(29.7), Cm(21)
    annex.left_margin = annex.right_margin = Cm(1.5)
    paragraph(doc, _("ANNEX"), bold=True, center=True)
    paragraph(doc, _("Results per commune") + f" ({context['period']})", bold=True, center=True)
    header_cells, rows = context["annex"]
    grid = doc.add_table(rows=1, cols=len(header_cells))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, header_cells, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(10)
    for values in rows:
        cells = grid.add_row().cells
        if len(values) < len(cells):  # a commune with no list: its note across the figures
            cells[len(values) - 1].merge(cells[-1])
        for cell, text in zip(cells, values, strict=False):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(10)
    output = io.BytesIO()
    doc.save(output)
    return output.getvalue()


def _body_paragraphs(context: dict) -> list[str]:
    """The body in words: the period, each target's result, the lists still to send."""
    board: Dashboard = context["board"]
    total = board.total
    texts = [
        _(
            "Implementing the plan to bring agricultural households onto the e-commerce "
            "marketplaces, the results %(period)s are as follows.",
            period=context["period"],
        ),
        "I. " + _("Results against the plan's targets").upper(),
    ]
    for number, line in enumerate(context["lines"], start=1):
        if not line.whole:
            texts.append(
                _(
                    "%(n)d. %(label)s: %(part)s %(unit)s (no target to measure against).",
                    n=number,
                    label=line.label,
                    part=format_decimal(line.part),
                    unit=line.unit,
                )
            )
            continue
        texts.append(
            _(
                "%(n)d. %(label)s: %(part)s of %(whole)s %(unit)s, %(share)s.",
                n=number,
                label=line.label,
                part=format_decimal(line.part),
                whole=format_decimal(line.whole),
                unit=line.unit,
                share=line.text,
            )
        )
    texts.append(
        _(
            "Certificates issued in the period: %(n)s.",
            n=format_decimal(board.certificates_in_period),
        )
    )
    texts.append(
        _(
            "Households listed on a marketplace but not trained: %(n)s (the plan says none).",
            n=format_decimal(total.listed_not_trained),
        )
    )
    if context["missing"]:
        texts.append(
            _(
                "%(n)d of %(all)d communes have not sent their household list: %(names)s.",
                n=len(context["missing"]),
                all=total.communes,
                names=", ".join(context["missing"]),
            )
        )
    if total.without_target:
        texts.append(
            _(
                "%(n)d communes have no target entered for %(year)d: their shares are measured "
                "against the households in the registry.",
                n=total.without_target,
                year=board.year,
            )
        )
    texts.append("II. " + _("Results per commune").upper() + ": " + _("see the annex."))
    return texts


def annex_rows(board: Dashboard) -> tuple[list[str], list[list[str]]]:
    """The annex table: one line per commune, then the total; a commune with no list says
    "Chưa nộp danh sách" across its figures."""
    header = [
        _("No."),
        _("Commune"),
        _("Former district"),
        _("Plan: households"),
        _("In the registry"),
    ]
    header += [str(figure.label) for figure in targets.FIGURES]
    header += [_("OCOP 3★+ products listed on a marketplace"), _("Listed but not trained")]
    rows = []
    for number, row in enumerate(board.rows, start=1):
        start = [
            str(number),
            row.name,
            row.area.former_district if row.area else "",
            format_decimal(row.target_households) if row.target_households is not None else "—",
        ]
        if not row.has_list:  # one cell across the figures (merged in both documents)
            rows.append([*start, _("No list sent yet")])
            continue
        rows.append(start + _figure_cells(row))
    total = board.total
    rows.append(
        ["", _("Total"), "", format_decimal(total.target_households or 0), *_figure_cells(total)]
    )
    return header, rows


def _figure_cells(row: AreaFigures) -> list[str]:
    cells = [
        charts.share_value(row.coverage) if row.coverage.whole else format_decimal(row.households)
    ]
    cells += [
        charts.share_value(row.shares.get(figure.code, Share())) for figure in targets.FIGURES
    ]
    cells += [charts.share_value(row.ocop), format_decimal(row.listed_not_trained)]
    return cells
