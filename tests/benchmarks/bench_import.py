"""Benchmark: import 100,000 households from one .xlsx file.

Not a test (tests/benchmarks is not collected). Run:

    .venv/bin/python tests/benchmarks/bench_import.py [ROWS] [--postgresql URL] [--plain | --messy]

Two files, each beside the same run's baseline, the time openpyxl alone needs to read every
cell (the floor any import pays):

- plain (goal ≤ 30 s on 2 cores): one sheet of new households into an empty registry;
- messy (goal ≤ 15 s): a registry of 500,000 households, then a file as communes keep them:
  a sheet per village under a title, a hidden sheet and a summary sheet, a village typed in
  TCVN3, footers, phones in every form, 10% of the rows a registered phone under another
  name (conflicts), 5% updates of a registered household, the rest new.

Each prints the preview (read + standardise + match) and the commit (matches again, writes).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import flask_migrate
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, insert, select

from lms import create_app
from lms.areas.models import Area, AreaLevel
from lms.areas.services import import_areas_csv
from lms.extensions import db
from lms.households import importing
from lms.households.models import Household

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Phan",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Thái",
]
MIDDLE = ["Văn", "Thị", "Đình", "Hữu", "Ngọc", "Xuân", "Minh"]
GIVEN = [
    "Hương",
    "Đức",
    "Quang",
    "Lan",
    "Bình",
    "Thắng",
    "Mai",
    "Tám",
    "Xuân",
    "Thành",
    "Lợi",
    "Ánh",
]


def make_file(path: Path, rows: int, communes: list[str]) -> None:
    rng = random.Random(7)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách hộ")
    sheet.append(["DANH SÁCH HỘ SẢN XUẤT NÔNG NGHIỆP"])
    sheet.append(
        ["STT", "Họ và tên", "Số điện thoại", "CCCD", "Xã/Phường", "Thôn/Xóm", "Ngày tuyên truyền"]
    )
    for n in range(rows):
        phone = f"09{n:08d}"
        if n % 3 == 0:
            phone = f"+84 {phone[1:4]} {phone[4:7]} {phone[7:]}"
        sheet.append(
            [
                n + 1,
                f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                phone,
                f"040{n:09d}" if n % 2 else "",
                rng.choice(communes),
                f"Xóm {rng.randint(1, 15)}",
                "15/03/2026" if n % 4 == 0 else "",
            ]
        )
    workbook.save(path)


#: names typed with a TCVN3 font, as old commune computers still write them
TCVN3_NAMES = [
    "NguyÔn V¨n An",
    "TrÇn ThÞ B×nh",
    "Lª V¨n C\u00adêng",
    "Phan ThÞ Lîi",
    "Bïi ThÞ Thñy",
]
TCVN3_VILLAGES = ["Xãm §ång T©m", "Th«n 3", "Xãm 5"]
REGISTRY = 500_000
SHEETS = 5


def _registered_name(n: int) -> str:
    return f"{SURNAMES[n % 12]} {MIDDLE[n % 7]} {GIVEN[(n // 7) % 12]}"


def fill_registry(area_ids: list[int]) -> None:
    """500,000 registered households: phones 03…, a CCCD for every other one."""
    for start in range(0, REGISTRY, 10_000):
        db.session.execute(
            insert(Household),
            [
                importing._household_values(
                    {
                        "head_name": _registered_name(n),
                        "phone": f"03{n:08d}",
                        "national_id": f"041{n:09d}" if n % 2 else None,
                        "area_id": area_ids[n % len(area_ids)],
                        "village": f"Xóm {n % 15 + 1}",
                    }
                )
                for n in range(start, min(start + 10_000, REGISTRY))
            ],
        )
    db.session.commit()


def make_messy_file(path: Path, rows: int, communes: list[tuple[int, str, str]]) -> None:
    """``rows`` households over ``SHEETS`` village sheets; ``communes``: (id, name, code)."""
    rng = random.Random(11)
    workbook = Workbook(write_only=True)
    header = ["STT", "Họ và tên", "Số điện thoại", "CCCD", "Xã/Phường", "Mã xã", "Thôn/Xóm"]
    per_sheet = rows // SHEETS
    for sheet_number in range(SHEETS):
        sheet = workbook.create_sheet(f"Thôn {sheet_number + 1}")
        sheet.append([f"DANH SÁCH HỘ THÔN {sheet_number + 1}"])
        sheet.append([])
        sheet.append(header)
        legacy = sheet_number == SHEETS - 1
        for i in range(per_sheet):
            n = sheet_number * per_sheet + i
            _id, name, code = communes[n % len(communes)]
            kind = n % 20
            if kind < 2:  # a registered phone under another name: a conflict
                registered = rng.randrange(REGISTRY)
                phone, head = f"03{registered:08d}", "Người Khác Tên"
            elif kind == 2:  # a registered household whose village changed: an update
                registered = rng.randrange(REGISTRY)
                phone, head = f"03{registered:08d}", _registered_name(registered)
                _, name, code = communes[registered % len(communes)]
            else:
                phone = f"09{n:08d}"
                head = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            if n % 3 == 0:
                phone = f"+84 {phone[1:4]} {phone[4:7]} {phone[7:]}"
            elif n % 3 == 1:
                phone = f"{phone[:4]}.{phone[4:7]}.{phone[7:]}"
            village = f"Xóm {rng.randint(16, 30)}"
            if legacy and kind > 2:
                head, village = rng.choice(TCVN3_NAMES), rng.choice(TCVN3_VILLAGES)
            sheet.append([i + 1, head, phone, "", "" if legacy else name, code, village])
        sheet.append([])
        sheet.append([f"Tổng cộng: {per_sheet} hộ"])
        sheet.append(["Người lập biểu", None, "Trưởng thôn"])
    summary = workbook.create_sheet("Tổng hợp")
    summary.append(["Thôn", "Số hộ"])
    for sheet_number in range(SHEETS):
        summary.append([f"Thôn {sheet_number + 1}", per_sheet])
    old = workbook.create_sheet("Danh sách cũ")
    old.sheet_state = "hidden"
    old.append(header)
    workbook.save(path)


def openpyxl_floor(path: Path) -> float:
    start = time.perf_counter()
    workbook = load_workbook(path, read_only=True)
    cells = sum(1 for sheet in workbook for row in sheet.iter_rows(values_only=True) for _ in row)
    workbook.close()
    floor = time.perf_counter() - start
    print(f"baseline: openpyxl reads {cells:,} cells in {floor:.1f} s")
    return floor


def time_import(path: Path, goal: float, floor: float) -> None:
    start = time.perf_counter()
    with path.open("rb") as stream:
        record, preview = importing.start_import(None, stream, path.name)
    previewed = time.perf_counter() - start
    print(f"preview: {previewed:.1f} s  {preview.counts}")
    start = time.perf_counter()
    result = importing.commit_import(None, record)
    committed = time.perf_counter() - start
    written = db.session.scalar(select(func.count()).select_from(Household))
    print(f"commit: {committed:.1f} s  {result.counts}, {written:,} households in the database")
    total = previewed + committed
    rows = len(preview.rows)
    print(
        f"import (preview + commit): {total:.1f} s, {rows / total:,.0f} rows/s, "
        f"{total / floor:.1f}× the openpyxl floor; goal ≤ {goal:.0f} s: "
        f"{'met' if total <= goal else 'NOT met'}"
    )


def main() -> None:
    rows = int(next((a for a in sys.argv[1:] if a.isdigit()), 100_000))
    url = sys.argv[sys.argv.index("--postgresql") + 1] if "--postgresql" in sys.argv else None
    scenarios = [name for name in ("plain", "messy") if f"--{name}" in sys.argv] or [
        "plain",
        "messy",
    ]
    for scenario in scenarios:
        run(scenario, rows, url)


def run(scenario: str, rows: int, url: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "bench",
            "IMPORT_FOLDER": str(folder),
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder / 'bench.sqlite3'}",
        }
    )
    with app.app_context():
        db.drop_all()
        flask_migrate.upgrade()
        with resources.files("lms.areas").joinpath("data/nghe_an.csv").open("rb") as stream:
            import_areas_csv(None, stream)
        current = (
            select(Area.id, Area.name, Area.code)
            .where(Area.level == AreaLevel.COMMUNE, Area.merged_into_id.is_(None))
            .order_by(Area.id)
        )
        communes = [tuple(row) for row in db.session.execute(current)]
        path = folder / "households.xlsx"
        if scenario == "plain":
            make_file(path, rows, [name for _id, name, _code in communes])
            goal = 30.0
        else:
            start = time.perf_counter()
            fill_registry([area_id for area_id, _name, _code in communes])
            print(
                f"registry: {REGISTRY:,} households written in {time.perf_counter() - start:.0f} s"
            )
            make_messy_file(path, rows, communes)
            goal = 15.0
        size = path.stat().st_size / 2**20
        print(f"{scenario}: {rows:,} rows, {size:.1f} MB, {db.engine.dialect.name}")
        time_import(path, goal, openpyxl_floor(path))
        db.session.close()  # its open transaction would hold drop_all's locks on PostgreSQL
        db.drop_all()


if __name__ == "__main__":
    main()
