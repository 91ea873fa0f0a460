"""The report officials send, "Báo cáo kết quả thực hiện kế hoạch": the PDF read back as text
and measured as pixels (its bars are as long as their values, in the screen's colours, with
the 100% line), and the .docx read back with python-docx."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from PIL import Image, ImageChops
from pypdf import PdfReader

from lms.core.models import today
from lms.extensions import db
from lms.reports import charts, plan_targets, targets
from lms.reports.targets import TargetFilter
from tests.builders import make_area
from tests.tools import need_tool

YEAR = today().year


@pytest.fixture
def reported(province):
    """The province, a commune that sent no list, and targets for the first commune."""
    make_area(name="Xã Quỳnh Lưu", parent=province.province, former_district="Huyện Quỳnh Lưu")
    db.session.commit()
    return province


def _pdf_text(response) -> list[str]:
    """Each page's text, its lines joined (a wrapped cell or title reads as one line)."""
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    return [" ".join(page.extract_text().split()) for page in pages]


def test_the_report_is_laid_out_as_an_administrative_document(reported, client_for):
    query = (
        "?issuer=Sở Công Thương&governing_body=UBND tỉnh Nghệ An&number=45/BC-SCT"
        "&recipient=Ủy ban nhân dân tỉnh Nghệ An&signer_position=Giám đốc&signer_name=Nguyễn Văn Bình"
    )
    pages = _pdf_text(client_for(reported.official).get("/overview/report.pdf" + query))
    first, whole = pages[0], "\n".join(pages)
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "SỞ CÔNG THƯƠNG",
        "UBND TỈNH NGHỆ AN",
        "Số: 45/BC-SCT",
        "BÁO CÁO",
        "Kính gửi: Ủy ban nhân dân tỉnh Nghệ An",
    ):
        assert words in first, words
    day = today()
    assert f"Nghệ An, ngày {day:%d} tháng {day:%m} năm {day:%Y}" in first
    assert "Nơi nhận:" in whole and "GIÁM ĐỐC" in whole and "Nguyễn Văn Bình" in whole
    # the body: each target's result, the communes with no list named
    assert "Hộ đã được đào tạo (có giấy chứng nhận): 3/7 hộ, đạt 42,9%." in whole
    assert "1/3 xã, phường chưa nộp danh sách hộ: Xã Quỳnh Lưu." in whole
    # the annex, on landscape pages: one line per commune
    reader = PdfReader(io.BytesIO(client_for(reported.official).get("/overview/report.pdf").data))
    annex = [page for page in reader.pages if "PHỤ LỤC" in page.extract_text()]
    assert annex, "the annex is missing"
    assert annex[0].mediabox.width > annex[0].mediabox.height  # landscape
    text = " ".join(annex[0].extract_text().split())
    assert "Xã Diễn Châu" in text and "Xã Yên Thành" in text
    assert "Xã Quỳnh Lưu Huyện Quỳnh Lưu — Chưa nộp danh sách" in text
    first_page = reader.pages[0]
    assert (
        round(float(first_page.mediabox.width) / 72 * 25.4),
        round(float(first_page.mediabox.height) / 72 * 25.4),
    ) == (210, 297)


def test_the_report_defaults_its_header_from_the_area(reported, client_for):
    first = _pdf_text(client_for(reported.official_1).get("/overview/report.pdf"))[0]
    assert "ỦY BAN NHÂN DÂN XÃ DIỄN CHÂU" in first
    assert "Kính gửi: Ủy ban nhân dân Tỉnh Nghệ An" in first
    assert "Diễn Châu, ngày" in first


def test_the_report_s_figures_are_the_dashboard_s_for_the_period(reported, client_for):
    plan_targets.save_targets(reported.official, YEAR, {reported.commune_1.id: (40, 2)})
    first = today() - timedelta(days=14)
    query = f"?date_from={first:%Y-%m-%d}&as_of={today():%Y-%m-%d}&area_id={reported.commune_1.id}"
    whole = "\n".join(_pdf_text(client_for(reported.official).get("/overview/report.pdf" + query)))
    board = targets.dashboard(
        reported.official,
        TargetFilter(area_id=reported.commune_1.id, date_from=first, as_of=today()),
    )
    trained = board.total.shares["trained"]
    assert (trained.part, trained.whole) == (2, 40)
    assert f"Hộ đã được đào tạo (có giấy chứng nhận): 2/40 hộ, đạt {trained.text}." in whole
    assert trained.text == "5,0%"
    assert f"từ ngày {first:%d/%m/%Y} đến ngày {today():%d/%m/%Y}" in whole
    assert "Xã Yên Thành" not in whole


# ---------------------------------------------------------------- the charts, measured


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _mask(image: Image.Image, colour, tolerance=24) -> bytes:
    """One byte per pixel, 255 where the pixel is ``colour`` (within ``tolerance``)."""
    channels = [
        channel.point(lambda v, c=c: 255 if abs(v - c) <= tolerance else 0)
        for channel, c in zip(image.split(), colour, strict=True)
    ]
    both = ImageChops.multiply(ImageChops.multiply(channels[0], channels[1]), channels[2])
    return both.tobytes()


def _runs(mask: bytes, width: int, y: int) -> list[tuple[int, int]]:
    """The horizontal runs (first x, last x) of the mask on the pixel row ``y``."""
    row = mask[y * width : (y + 1) * width]
    return [(m.start(), m.end() - 1) for m in re.finditer(rb"\xff+", row)]


def _bar_rows(image: Image.Image) -> list[dict]:
    """Each bar drawn on the page, top to bottom: on the pixel row through its middle, where
    its bar starts, how much of it is filled, and where the red goal line starts. A bar is
    a run of bar or track colour at least 20 pixels long that ends at the goal line (grey
    text antialiasing never does)."""
    track, bar, done, goal = (
        _mask(image, _hex(charts.COLOURS[k])) for k in ("track", "bar", "done", "goal")
    )
    width = image.width

    def measure(y):
        goals = _runs(goal, width, y)
        if not goals:
            return None
        filled = [r for r in _runs(bar, width, y) + _runs(done, width, y) if r[1] - r[0] >= 1]
        empty = [r for r in _runs(track, width, y) if r[1] - r[0] >= 20]
        parts = sorted(filled + empty)
        if not parts or abs(parts[-1][1] + 1 - goals[0][0]) > 2:
            return None
        return {
            "y": y,
            "start": parts[0][0],
            "filled": sum(end - start + 1 for start, end in filled),
            "goal": goals[0][0],
        }

    bars, band = [], []
    for y in range(image.height):
        found = measure(y)
        if found:
            band.append(found)
        elif band:
            bars.append(band[len(band) // 2])
            band = []
    return bars


def _pages_as_images(body: bytes, tmp_path) -> list[Image.Image]:
    need_tool("pdftoppm")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(body)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(tmp_path / "page")], check=True)
    return [Image.open(path).convert("RGB") for path in sorted(tmp_path.glob("page*.png"))]


def test_the_pdf_bars_are_as_long_as_their_values(reported, client_for, tmp_path):
    """Per commune, trained: Diễn Châu 2/3 (66.7%), Yên Thành 1/4 (25%), Quỳnh Lưu no list
    (no bar). Each bar's filled part is its share of the track, the track ends at the red
    100% line, and nothing is drawn solid black."""
    response = client_for(reported.official).get("/overview/report.pdf")
    images = _pages_as_images(response.data, tmp_path)
    rows = []
    for image in images:
        rows += [(image, row) for row in _bar_rows(image)]
    # the commune chart comes first: two communes with a list, then the periods chart
    commune_rows = rows[:2]
    assert len(rows) >= 2
    for (image, row), expected in zip(commune_rows, (2 / 3, 1 / 4), strict=True):
        full = row["goal"] - row["start"]
        assert full > 200  # a real bar, not a sliver: 44% of the text width at 100 dpi
        assert row["filled"] / full == pytest.approx(expected, abs=0.02)
        inside = [image.getpixel((x, row["y"])) for x in range(row["start"], row["goal"])]
        assert not [pixel for pixel in inside if max(pixel) < 60]  # no black in the bar
    # the figures are printed beside the bars
    text = "\n".join(_pdf_text(response))
    assert "66,7% (2/3)" in text and "25,0% (1/4)" in text
    assert "Chưa nộp danh sách" in text


def test_a_commune_s_report_draws_a_bar_per_target_with_no_label_cut_off(
    reported, client_for, tmp_path
):
    response = client_for(reported.official_1).get("/overview/report.pdf")
    text = "\n".join(_pdf_text(response))
    # the longest target's name is printed whole (it wraps instead of being cut off)
    label = "Hộ đã đào tạo có tài khoản thanh toán trực tuyến đã kích hoạt"
    assert label in text
    images = _pages_as_images(response.data, tmp_path)
    rows = [row for image in images for row in _bar_rows(image)]
    assert len(rows) >= 7  # coverage, six targets, OCOP
    # every label starts inside the text area: the left margin (30 mm = 118 px at 100 dpi)
    # of the portrait pages stays blank
    for image in images:
        if image.width < image.height:
            assert image.crop((0, 0, 110, image.height)).getextrema() == ((255, 255),) * 3


# ---------------------------------------------------------------- the .docx


def test_the_word_report_reads_back_with_the_same_figures(reported, client_for):
    response = client_for(reported.official).get(
        "/overview/report.docx?number=12/BC-UBND&signer_name=Trần Thị Hoa"
    )
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"].endswith('.docx"')
        or ".docx" in (response.headers["Content-Disposition"])
    )
    document = Document(io.BytesIO(response.data))
    header_table = document.tables[0]
    left = header_table.cell(0, 0).text
    right = header_table.cell(0, 1).text
    assert "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN" in left and "Số: 12/BC-UBND" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert re.search(r"Nghệ An, ngày \d{2} tháng \d{2} năm \d{4}", right)
    paragraphs = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert any(p.startswith("Kính gửi:") for p in paragraphs)
    assert "Hộ đã được đào tạo (có giấy chứng nhận): 3/7 hộ, đạt 42,9%." in "\n".join(paragraphs)
    signature = document.tables[2]
    assert "Trần Thị Hoa" in signature.cell(0, 1).text
    assert "Nơi nhận:" in signature.cell(0, 0).text
    annex = document.tables[-1]
    lines = {row.cells[1].text: [c.text for c in row.cells] for row in annex.rows[1:]}
    assert set(lines) == {"Xã Diễn Châu", "Xã Quỳnh Lưu", "Xã Yên Thành", "Tổng cộng"}
    assert lines["Xã Quỳnh Lưu"][4:] == ["Chưa nộp danh sách"] * (len(annex.columns) - 4)
    assert "66,7% (2/3)" in lines["Xã Diễn Châu"]
    assert document.sections[-1].orientation == WD_ORIENT.LANDSCAPE


def test_the_dashboard_offers_both_reports(reported, client_for):
    body = client_for(reported.official).get("/overview/").get_data(as_text=True)
    assert 'action="/overview/report.pdf"' in body
    assert 'formaction="/overview/report.docx"' in body
