"""A logged-in lesson page against a bare Flask "hello", same gunicorn settings, one run.

Goal (issue #20): the lesson page serves at least 0.5 x the requests per second of the bare
app, with p99 < 100 ms, at 50 connections. Not a test (tests/benchmarks is not collected).
Needs `wrk` (Debian package) and Redis on 127.0.0.1 (the workers' shared rate limits). Run:

    .venv/bin/python tests/benchmarks/bench_lesson_load.py [--seconds 10] [--rounds 2]
        [--postgresql postgresql://postgres@127.0.0.1:5432/NAME]

On SQLite by default (a new file); with ``--postgresql`` the database named is emptied
first. Both apps are served by gunicorn with the production settings (gunicorn.conf.py);
wrk drives each with 50 connections as fast as it answers (closed loop), the two taking
turns for ``--rounds`` rounds so that a neighbour's load on this shared machine falls on
both. Any answer but 200 (a redirect to the login page too) is an error. Printed: req/s,
p50, p99 and errors per round and overall, and the ratio lesson / hello.

A third page shows the application's own floor: ``/offline``, which reads no database and
renders the base layout for an anonymous visitor (every extension and hook of the app, no
query). A lesson page cannot be faster than it; its ratio says how much of the gap is the
lesson's own work and how much is serving any page of this application.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import flask_migrate
from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import BARE_APP, RATE_LIMITS, ROOT, THREADS, USER_AGENT, WORKERS, log_in, serve

from lms import create_app
from lms.areas.models import Area, AreaLevel
from lms.auth.models import Role, User
from lms.auth.services import hash_secret
from lms.courses.loading import load_courses
from lms.courses.services import list_courses
from lms.demo.data import load_demo_data
from lms.extensions import db
from lms.households.models import Household

CONNECTIONS = 50
PIN = "270419"  # not a guessable one: no request to change it
PHONE = "0985999001"

#: every answer but a 200 is an error (wrk itself counts only 4xx/5xx): a lesson URL that
#: redirects to the login page must not pass for a fast lesson
LUA = r"""
local threads = {}
bad = 0
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  for _, thread in ipairs(threads) do failed = failed + thread:get("bad") end
  io.write(string.format("RESULT %d %.1f %.2f %.2f %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, failed))
end
"""


def prepare(database_url: str) -> str:
    """Courses, the demo, and one household member who can log in; the first lesson's path."""
    app = create_app({"SECRET_KEY": "lesson-load", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        flask_migrate.upgrade()
        load_courses(ROOT / "courses")
        load_demo_data()
        commune = db.session.scalar(
            select(Area).where(Area.level == AreaLevel.COMMUNE, Area.name == "Xã Diễn Châu")
        )
        household = Household(head_name="Hộ đo tốc độ", phone=PHONE, area_id=commune.id)
        db.session.add(household)
        db.session.flush()
        db.session.add(
            User(
                role=Role.HOUSEHOLD, full_name=household.head_name, phone=PHONE,
                household_id=household.id, password_hash=hash_secret(PIN),
            )
        )  # fmt: skip
        path = f"/learn/{list_courses()[0].slug}/2"
        db.session.commit()
        db.engine.dispose()
    return path


def drive(url: str, script: Path, seconds: int, cookie: str | None = None) -> dict[str, float]:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s"]
    command += ["-H", f"User-Agent: {USER_AGENT}"]  # the browser that logged in
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, "-s", str(script), url], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    requests, rate, p50, p99, errors = line.split()[1:]
    return {
        "requests": int(requests), "rate": float(rate), "p50": float(p50), "p99": float(p99),
        "errors": int(errors),
    }  # fmt: skip


def summary(runs: list[dict[str, float]]) -> dict[str, float]:
    """Over the rounds: mean req/s, median p50, the worst p99, every error."""
    return {
        "rate": statistics.mean(r["rate"] for r in runs),
        "p50": statistics.median(r["p50"] for r in runs),
        "p99": max(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
    }


def line(name: str, f: dict[str, float]) -> str:
    return (
        f"{name:>12}: {f['rate']:8.1f} req/s  p50 {f['p50']:7.1f} ms  p99 {f['p99']:7.1f} ms  "
        f"{f['errors']} errors ({f['requests']:,} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="of each wrk run (10)")
    parser.add_argument("--rounds", type=int, default=2, help="hello, lesson, hello, … (2)")
    parser.add_argument("--postgresql", metavar="URL", help="run on this PostgreSQL database")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lms-lesson-load-"))
    database_url = options.postgresql or f"sqlite:///{folder / 'lesson.sqlite3'}"
    print(f"preparing on {database_url.split(':')[0]}…", flush=True)
    path = prepare(database_url)
    script = folder / "count.lua"
    script.write_text(LUA)
    (folder / "bare.py").write_text(BARE_APP)
    environment = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "lesson-load",
        "LMS_INSTANCE_PATH": str(folder),
        **RATE_LIMITS,
    }
    lesson_server, lesson_url = serve("wsgi:app", ROOT, environment)
    bare_server, bare_url = serve("bare:app", folder, RATE_LIMITS)
    figures: dict[str, list[dict[str, float]]] = {"hello": [], "no-db page": [], "lesson": []}
    try:
        cookie, _token = log_in(lesson_url, "/login", {"phone": PHONE, "pin": PIN}, path)
        drive(lesson_url + path, script, 2, cookie)  # warm: every worker copies the programme
        drive(bare_url + "/", script, 2)
        for n in range(1, options.rounds + 1):
            for name, url, session in (
                ("hello", bare_url + "/", None),
                ("no-db page", lesson_url + "/offline", None),
                ("lesson", lesson_url + path, cookie),
            ):
                figures[name].append(drive(url, script, options.seconds, session))
                print(f"round {n} " + line(name, figures[name][-1]), flush=True)
    finally:
        for server in (lesson_server, bare_server):
            server.terminate()
            server.wait()

    hello, lesson = summary(figures["hello"]), summary(figures["lesson"])
    floor = summary(figures["no-db page"])
    ratio = lesson["rate"] / hello["rate"] if hello["rate"] else 0.0
    print(
        f"gunicorn: {WORKERS} workers × {THREADS} threads on {os.cpu_count()} cores, "
        f"{CONNECTIONS} connections, {database_url.split(':')[0]}, {path}"
    )
    print(line("bare hello", hello))
    print(line("no-db page", floor))
    print(line("lesson", lesson))
    print(f"ratio no-db page / hello: {floor['rate'] / hello['rate']:.2f} x (the app's floor)")
    print(f"ratio lesson / hello: {ratio:.2f} x")
    met = ratio >= 0.5 and lesson["p99"] < 100 and lesson["errors"] == 0
    print(f"goal (>= 0.5 x, p99 < 100 ms, 0 errors): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
