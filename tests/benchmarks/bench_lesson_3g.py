"""Benchmark: a lesson page in Chromium over emulated slow 3G (400 kbit/s, 400 ms RTT).

Goal: < 2 s. Not a test (tests/benchmarks is not collected). Run:

    .venv/bin/python tests/benchmarks/bench_lesson_3g.py

Prints, for every lesson of the first course, the load time on slow 3G and, as the
baseline from the same run, on the unthrottled loopback, with the bytes transferred.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
from pathlib import Path

import flask_migrate
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from lms import create_app
from lms.courses.loading import load_courses
from lms.courses.services import list_courses
from lms.demo.data import DEMO_LOGINS, load_demo_data
from lms.extensions import db

ROOT = Path(__file__).resolve().parents[2]
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    app = create_app(
        {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'b.sqlite3'}"}
    )
    with app.app_context():
        flask_migrate.upgrade()
        load_courses(ROOT / "courses")
        load_demo_data()
        course = list_courses()[0]
        paths = [f"/learn/{course.slug}/{lesson.position}" for lesson in course.current.lessons]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    _role, phone, pin = DEMO_LOGINS[-1]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--disable-gpu", "--disable-quic", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
        page = context.new_page()
        page.goto(f"{url}/login")
        page.get_by_label("Số điện thoại").fill(phone)
        page.get_by_label("Mã PIN").fill(pin)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{url}/learn/")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

        results = {}
        for name, conditions in (("loopback", None), ("slow 3G", SLOW_3G)):
            if conditions:
                cdp.send("Network.emulateNetworkConditions", conditions)
            times, sizes = [], []
            for path in paths:
                page.goto(url + path, wait_until="load")
                timing = page.evaluate(
                    "() => { const n = performance.getEntriesByType('navigation')[0];"
                    " const r = performance.getEntriesByType('resource');"
                    " return [n.loadEventEnd, n.transferSize + r.reduce((s, e) => s + e.transferSize, 0)]; }"
                )
                times.append(timing[0] / 1000)
                sizes.append(timing[1])
            results[name] = (times, sizes)
            print(
                f"{name:>9}: median {statistics.median(times):.2f} s, worst {max(times):.2f} s, "
                f"{statistics.median(sizes) / 1024:.1f} KB transferred (median of {len(paths)} lessons)"
            )
        browser.close()
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    worst = max(results["slow 3G"][0])
    print(
        f"goal < 2 s on slow 3G: {'met' if worst < 2 else 'NOT met'} (worst lesson {worst:.2f} s)"
    )


if __name__ == "__main__":
    main()
