"""Exports an official takes to a meeting: what "listed but not trained" says to make the
call, and files that open in Excel ready to filter (widths, frozen header, autofilter,
sheet names, Excel dates, percentages as numbers, one way of naming files), streamed."""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime

from openpyxl import load_workbook

from lms.core.i18n import format_day
from lms.core.models import today
from lms.core.spreadsheets import (
    Percent,
    export_filename,
    save_xlsx,
    sheet_title,
    stream_csv,
    write_xlsx,
)

LIST = "/overview/households/listed_not_trained"


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_listed_not_trained_shows_what_the_call_needs(province, client_for):
    """Marketplace, product, listed since, the last class offered in the commune, phone."""
    h = province.households
    body = client_for(province.official).get(LIST).get_data(as_text=True)
    binh, em = h["revoked"], h["shop_only"]
    rows = {name: body[body.index(f">{name}</a>") :] for name in (binh.head_name, em.head_name)}
    bình = rows[binh.head_name].split("</tr>")[0]
    assert "Voso" in bình and "Chè xanh Thanh Chương" in bình
    assert format_day(today()) in bình  # listed since
    assert province.session_1.title in bình  # the class held in Diễn Châu three days ago
    em_row = rows[em.head_name].split("</tr>")[0]
    assert "Postmart" in em_row and "Đã kích hoạt gian hàng" in em_row
    assert province.session_2.title in em_row and f'href="tel:{em.phone}"' in em_row


def test_the_listed_not_trained_export_opens_ready_to_filter(province, client_for):
    response = client_for(province.official).get(f"{LIST}.xlsx")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert f"da-len-san-chua-dao-tao-{today().isoformat()}.xlsx" in disposition
    sheet = _book(response.data).active
    assert sheet.title == "Đã lên sàn nhưng chưa được đào"  # 30 characters, cut between words
    caption, header, *rows = list(sheet.iter_rows())
    assert "Ngày xuất: " in caption[0].value
    assert [cell.value for cell in header][9:13] == [
        "Sàn TMĐT", "Sản phẩm", "Lên sàn từ", "Buổi tập huấn gần nhất tại xã",
    ]  # fmt: skip
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:N{2 + len(rows)}"
    assert sheet.column_dimensions["B"].width >= len("Chủ hộ") + 2
    by_name = {row[1].value: row for row in rows}
    listed_since = by_name["Bình"][11]
    assert listed_since.is_date and listed_since.value.date() == today()
    assert listed_since.number_format == "dd/mm/yyyy"
    assert by_name["Bình"][13].is_date  # the day of that class
    assert by_name["Em"][9].value == "Postmart" and by_name["Em"][10].value is None


def test_the_csv_export_is_sent_from_a_file_with_dates_as_excel_reads_them(province, client_for):
    response = client_for(province.official).get(f"{LIST}.csv")
    assert response.is_streamed
    assert "da-len-san-chua-dao-tao-" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    binh = next(row for row in rows if row[1] == "Bình")
    assert binh[11] == today().strftime("%d/%m/%Y")


def test_dashboard_percentages_are_numbers(province, client_for):
    sheet = _book(client_for(province.official).get("/overview/export.xlsx").data).active
    percents = [
        cell for row in sheet.iter_rows(min_row=3) for cell in row if cell.number_format == "0.0%"
    ]
    assert percents and all(isinstance(cell.value, int | float) for cell in percents)
    assert all(0 <= cell.value <= 1 for cell in percents)


def test_the_household_export_has_the_filter_and_date_row(province, client_for):
    response = client_for(province.official).get("/households/export.xlsx?informed=yes")
    assert f"ho-sxnn-{today().isoformat()}.xlsx" in response.headers["Content-Disposition"]
    sheet = _book(response.data).active
    caption = sheet["A1"].value
    assert caption.startswith("Hộ — Tỉnh Nghệ An — Đã được tuyên truyền — Ngày xuất: ")
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")


def test_sheet_names_fit_excel_and_are_never_cut_inside_a_word():
    assert sheet_title("Tổng quan") == "Tổng quan"
    long = "Hộ có sản phẩm OCOP 3★+ đã lên sàn: chưa đạt"
    assert sheet_title(long) == "Hộ có sản phẩm OCOP 3★+ đã lên"
    assert all(len(sheet_title(t)) <= 31 for t in (long, "x" * 40, "[a]/b?c*d:e\\f"))
    assert sheet_title("[a]/b?c*d:e\\f") == "a b c d e f"
    assert sheet_title("Từ_một_chữ_rất_dài_không_có_khoảng_trắng")[:5] == "Từ_mộ"
    assert sheet_title("///") == "Sheet"


def test_file_names_are_folded_the_same_way_everywhere():
    day = date(2026, 12, 1)
    assert export_filename("Đã lên sàn chưa đào tạo", "xlsx", day) == (
        "da-len-san-chua-dao-tao-2026-12-01.xlsx"
    )
    assert export_filename("Đối soát: Postmart (11/2026)", "csv", day) == (
        "doi-soat-postmart-11-2026-2026-12-01.csv"
    )
    assert len(export_filename("Hộ " * 50, "pdf", day)) <= 60 + len("-2026-12-01.pdf")


def test_dates_and_percentages_keep_their_type(app):
    at = datetime(2026, 11, 30, 8, 5)  # noqa: DTZ001 (Excel has no time zones)
    rows = [["day", "at", "share"], [date(2026, 11, 30), at, Percent(45.3)]]
    sheet = _book(write_xlsx(rows, "S")).active
    day, moment, share = sheet[2]
    assert (day.value, day.number_format) == (datetime(2026, 11, 30), "dd/mm/yyyy")  # noqa: DTZ001
    assert moment.value == at and moment.number_format == "dd/mm/yyyy hh:mm"
    assert share.value == 0.453 and share.number_format == "0.0%"
    assert b"".join(stream_csv(rows)).decode("utf-8-sig").splitlines()[1] == (
        "30/11/2026,30/11/2026 08:05,45.3"
    )


def test_large_exports_are_written_as_the_rows_come(app, tmp_path):
    """Rows go to the sheet's temporary file while later rows are still being produced,
    and the CSV leaves in pieces before the last row is read: neither is whole in memory."""
    from openpyxl.worksheet import _writer

    seen: list[int] = []

    def rows(n: int):
        yield ["n", "name", "day"]
        for i in range(n):
            if i == 4000:
                sheet_file = _writer.ALL_TEMP_FILES[-1]
                seen.append(os.path.getsize(sheet_file))
            yield [i, f"Nguyễn Văn Thử {i}", date(2026, 11, 30)]

    with (tmp_path / "big.xlsx").open("wb") as target:
        save_xlsx(rows(5000), target, "Lớn")
    assert seen and seen[0] > 100_000  # 4,000 rows already written out
    assert _book((tmp_path / "big.xlsx").read_bytes()).active.max_row == 5001

    consumed = []

    def counted():
        for i, row in enumerate(rows(100_000)):
            consumed.append(i)
            yield row

    chunks = stream_csv(counted())
    next(chunks), next(chunks)  # the BOM, then the first rows
    assert len(consumed) <= 1000


def test_the_activation_export_is_named_and_dated_like_the_others(province, client_for):
    response = client_for(province.official).get("/activation/requests.xlsx")
    assert (
        f"yeu-cau-kich-hoat-{today().isoformat()}.xlsx" in response.headers["Content-Disposition"]
    )
    sheet = _book(response.data).active
    asked = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert asked and all(
        cell.is_date and cell.number_format == "dd/mm/yyyy hh:mm" for cell in asked
    )
