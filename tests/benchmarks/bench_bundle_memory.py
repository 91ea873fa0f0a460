"""Memory and time of a certificate bundle written by the job's service (``write_bundle``):
N certificates in one commune of a scratch SQLite database, the ZIP of PDFs and the merged
PDF each written to a file. Prints the peak resident memory of the process during each
bundle (``VmHWM``, reset before it; the render pool's children are counted apart: each
renders one step of ``BUNDLE_STEP`` certificates) beside the file's size, which the former
in-memory bundle held whole.

    .venv/bin/python tests/benchmarks/bench_bundle_memory.py 3000
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import flask_migrate

from lms import create_app
from lms.extensions import db


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def main(count: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    os.environ["LMS_INSTANCE_PATH"] = str(folder)
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SECRET_KEY": "bench",
            "PUBLIC_BASE_URL": "https://taphuan.example.vn",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        from lms.areas.models import AreaLevel
        from lms.auth.models import Role
        from lms.certificates import services
        from tests.builders import make_area, make_certificate, make_household, make_user

        province = make_area(code="40", name="Tỉnh Nghệ An", level=AreaLevel.PROVINCE)
        commune = make_area(code="17464", name="Xã Diễn Châu", parent=province)
        admin = make_user(Role.ADMIN)
        started = time.perf_counter()
        for _ in range(count):
            make_certificate(make_household(area=commune))
        db.session.commit()
        admin_id = admin.id
        print(f"{count} certificates made in {time.perf_counter() - started:.1f} s")
        for kind in ("zip", "pdf"):
            db.session.expunge_all()
            admin = db.session.get(type(admin), admin_id)
            reset_peak()
            before = peak_kib()
            started = time.perf_counter()
            written: list[Path] = []

            def output(name: str, written=written) -> Path:
                written.append(folder / name)
                return written[-1]

            with app.test_request_context("/", base_url="https://taphuan.example.vn"):
                bundle = services.write_bundle(admin, None, kind, output)
            seconds = time.perf_counter() - started
            size = written[0].stat().st_size
            print(
                f"{kind}: {bundle.count} certificates, {seconds:.1f} s, file {size / 2**20:.1f} MiB, "
                f"peak RSS {peak_kib() / 1024:.0f} MiB (before {before / 1024:.0f} MiB)"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
