"""Benchmark: import 100,000 households from one .xlsx file (goal: ≤ 30 s on 2 cores).

Not a test (tests/benchmarks is not collected). Run:

    .venv/bin/python tests/benchmarks/bench_import.py [ROWS] [--postgresql URL]

It prints, from the same run: the time openpyxl alone needs to read every cell (the floor
any import pays), the preview (read + standardise + match) and the commit (which reads and
analyses the file again, then writes).
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
from sqlalchemy import func, select

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


def main() -> None:
    rows = int(next((a for a in sys.argv[1:] if a.isdigit()), 100_000))
    url = sys.argv[sys.argv.index("--postgresql") + 1] if "--postgresql" in sys.argv else None
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
        communes = list(
            db.session.scalars(
                select(Area.name).where(
                    Area.level == AreaLevel.COMMUNE, Area.merged_into_id.is_(None)
                )
            )
        )
        path = folder / "households.xlsx"
        make_file(path, rows, communes)
        print(f"{rows:,} rows, {path.stat().st_size / 2**20:.1f} MB, {db.engine.dialect.name}")

        start = time.perf_counter()
        workbook = load_workbook(path, read_only=True)
        cells = sum(1 for row in workbook.active.iter_rows(values_only=True) for _ in row)
        workbook.close()
        floor = time.perf_counter() - start
        print(f"baseline: openpyxl reads {cells:,} cells in {floor:.1f} s")

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
        print(
            f"import (preview + commit): {previewed + committed:.1f} s, "
            f"{rows / (previewed + committed):,.0f} rows/s; the commit alone: {committed:.1f} s"
        )
        db.drop_all()


if __name__ == "__main__":
    main()
