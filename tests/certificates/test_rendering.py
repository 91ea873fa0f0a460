"""The certificate renderer, read back: every PDF it writes is well formed, holds its own
text exactly, and handles names that are long, unusual or unprintable."""

from __future__ import annotations

import dataclasses
import io
import subprocess

from pypdf import PdfReader

from lms.certificates.rendering import (
    CertificatePage,
    Unprintable,
    render_document,
    render_each,
)
from tests.tools import need_tool

PAGE = CertificatePage(
    serial="NA-2026-000042",
    holder_name="Nguyễn Thị Hương",
    commune_name="Xã Diễn Châu",
    programme="Đưa hộ SXNN lên sàn TMĐT — Nghệ An 2026",
    issuer="Bưu điện tỉnh Nghệ An",
    courses=[
        {"title": "Bán hàng trực tuyến", "completed_on": "15/11/2026"},
        {"title": "Thanh toán trực tuyến an toàn", "completed_on": "20/11/2026"},
    ],
    issued_on="29/11/2026",
    is_valid=True,
    url="https://taphuan.example.vn/v/abc.def",
)


def text_of(pdf: bytes, page: int = 0) -> str:
    # strict: a wrong cross-reference offset or a malformed object is an error, not a guess
    return PdfReader(io.BytesIO(pdf), strict=True).pages[page].extract_text()


def test_each_certificate_is_a_one_page_pdf_with_its_own_text_and_link():
    other = dataclasses.replace(PAGE, serial="NA-2026-000043", holder_name="Trần Văn Đức")
    first, second = render_each([PAGE, other])
    assert "Nguyễn Thị Hương" in text_of(first) and "Trần Văn Đức" not in text_of(first)
    text = text_of(second)
    assert "Trần Văn Đức" in text and "NA-2026-000043" in text
    assert "Thanh toán trực tuyến an toàn — 20/11/2026" in text and "GIẤY CHỨNG NHẬN" in text
    reader = PdfReader(io.BytesIO(second))
    (link,) = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert link["/A"]["/URI"] == PAGE.url  # the QR is also a link to the verification page


def test_a_name_longer_than_its_line_is_set_smaller_not_cut():
    name = "Nguyễn Thị Hương Giang Quỳnh Trâm Phương Anh Khánh Linh Ngọc Diệp"
    (pdf,) = render_each([dataclasses.replace(PAGE, holder_name=name)])
    assert name in text_of(pdf)


def test_a_rarer_letter_joins_the_fonts_and_a_missing_one_is_skipped_and_named():
    (pdf,) = render_each([dataclasses.replace(PAGE, holder_name="Lò Thị Ñoan Çhâu")])
    assert "Lò Thị Ñoan Çhâu" in text_of(pdf)
    missing = dataclasses.replace(PAGE, serial="NA-2026-000043", holder_name="阮 Thị Hương 🌾")
    first, skipped, last = render_each([PAGE, missing, PAGE])
    assert skipped == Unprintable("NA-2026-000043", "阮🌾")
    assert "Nguyễn Thị Hương" in text_of(first) and "Nguyễn Thị Hương" in text_of(last)
    document, left_out = render_document([PAGE, missing, PAGE])
    assert left_out == [skipped] and len(PdfReader(io.BytesIO(document)).pages) == 2
    assert render_each([missing]) == [skipped] and render_document([missing]) == (None, [skipped])


def test_one_document_for_printing_mixes_valid_and_revoked_pages():
    revoked = dataclasses.replace(PAGE, serial="NA-2026-000044", is_valid=False)
    pdf, skipped = render_document([PAGE, revoked, PAGE])
    assert skipped == [] and len(PdfReader(io.BytesIO(pdf)).pages) == 3
    assert "ĐÃ THU HỒI" not in text_of(pdf, 0)
    assert "ĐÃ THU HỒI" in text_of(pdf, 1) and "NA-2026-000044" in text_of(pdf, 1)


def test_poppler_draws_the_page_without_a_complaint(tmp_path):
    need_tool("pdftoppm")
    (pdf,) = render_each([PAGE])
    (tmp_path / "c.pdf").write_bytes(pdf)
    drawn = subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(tmp_path / "c.pdf"), str(tmp_path / "c")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Error" not in drawn.stderr.replace("Connection Error", "")
