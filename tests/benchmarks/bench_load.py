"""Load: 200 households reading lessons and taking quizzes while 20 trainers mark rosters.

Goal: no error, p99 < 300 ms. Not a test (tests/benchmarks is not collected). Needs `wrk`
(Debian package) and Redis on 127.0.0.1 (the workers' shared rate limits). Run:

    .venv/bin/python tests/benchmarks/bench_load.py [SECONDS]

On SQLite by default (a new file); set ``LOAD_DATABASE_URL`` to a PostgreSQL database to run
there instead — it is emptied first. The app is served by gunicorn on 127.0.0.1 as in
production (README); ``LOAD_INSTANCES=2`` starts two sharing the database and Redis, each
given half the connections. Every user logs in over HTTP first, then `wrk` drives both
populations at once for SECONDS (60), at three paces (PACES below): the goal is judged at
class pace, the stress pace shows where the machine saturates, and capacity is a closed
loop (no think time, as fast as the server answers). Printed: requests/s, p50 / p95 / p99
and errors per population and pace (a redirect to the login page counts as an error), the
capacity beside class pace, and, measured in the same run, the requests/s the same
gunicorn serves from a bare Flask app with no think time: the ceiling of this machine.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import flask_migrate
from sqlalchemy import select, text

from lms import create_app
from lms.areas.models import Area, AreaLevel
from lms.attendance.models import EnrolmentSource
from lms.attendance.services import enrol, save_session
from lms.auth.models import Role, User
from lms.auth.services import hash_secret
from lms.core.models import utcnow
from lms.courses.loading import load_courses
from lms.courses.services import list_courses
from lms.demo.data import load_demo_data
from lms.extensions import db
from lms.households.models import Household
from lms.organisations.models import Organisation

ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLDS, TRAINERS, ROSTER = 200, 20, 10
SECRET = "123456"
#: milliseconds a simulated person waits between two requests. "class pace": a fast reader
#: turning a page every 3–9 s (a real lesson takes minutes, so this is already ten times a
#: class); "stress": 1–3 s, about 110 requests/s, to show where this machine saturates
PACES = {"class pace": (3000, 9000), "stress": (1000, 3000), "capacity": (0, 0)}
#: "capacity" is a closed loop: every connection sends its next request as soon as the last
#: is answered, so its requests/s is what this machine serves of this mix at most
#: the production settings (gunicorn.conf.py); GUNICORN_WORKERS / GUNICORN_THREADS try others
WORKERS = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1)))
THREADS = int(os.environ.get("GUNICORN_THREADS", 64))
#: LOAD_INSTANCES=2: two gunicorn instances share the database and Redis (docs/scaling.md)
INSTANCES = int(os.environ.get("LOAD_INSTANCES", 1))
#: the workers share their rate-limit counts in Redis, as in production (gunicorn.conf.py
#: refuses several workers on memory://); LOAD_REDIS_URL picks another Redis
RATE_LIMITS = {
    "LMS_RATELIMIT_STORAGE_URI": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/0"),
    "LMS_RATELIMIT_KEY_PREFIX": f"bench-load-{os.getpid()}",
}

#: the browser of every simulated phone: the log-in and wrk's requests send the same one
USER_AGENT = "Mozilla/5.0 (Linux; Android 10; SM-A105F) AppleWebKit/537.36 Chrome/120 Mobile"

LUA_COMMON = r"""
local users = {}
errors = 0  -- a global: done() reads it from every thread
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local fields = {}
    for field in string.gmatch(line, "[^\t]+") do table.insert(fields, field) end
    table.insert(users, fields)
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function delay()
  return math.random(THINK_FROM, THINK_TO)
end

function response(status, headers, body)
  if status >= 400 then
    errors = errors + 1
    _G["status" .. status] = (_G["status" .. status] or 0) + 1
  elseif status >= 300 and string.find(headers["Location"] or "", "/login", 1, true) then
    -- logged out: a redirect to the login page is no lesson served
    errors = errors + 1
    status_login = (status_login or 0) + 1
  end
end

local function form(user, path, body)
  return wrk.format("POST", path, {
    ["Cookie"] = user[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. user[2] .. body)
end

local function page(user, path)
  return wrk.format("GET", path, {["Cookie"] = user[1]})
end

-- each phone's first request is the stylesheet, as a browser's is: then it thinks like the
-- others, so 220 people do not all click in the same millisecond when the run starts
opened = 0
local function arriving()
  if opened >= PER_THREAD then return nil end
  opened = opened + 1
  return wrk.format("GET", "/static/app.css")
end

function done(summary, latency, requests)
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  local codes = ""
  for _, thread in ipairs(threads) do failed = failed + thread:get("errors") end
  for _, code in ipairs({400, 403, 404, 405, 409, 413, 429, 500, 502, 503, 504}) do
    local count = 0
    for _, thread in ipairs(threads) do count = count + (thread:get("status" .. code) or 0) end
    if count > 0 then codes = codes .. " " .. code .. "×" .. count end
  end
  local logins = 0
  for _, thread in ipairs(threads) do logins = logins + (thread:get("status_login") or 0) end
  if logins > 0 then codes = codes .. " login×" .. logins end
  local e = summary.errors
  if codes ~= "" or failed > 0 then
    io.write(string.format("STATUSES%s connect×%d read×%d write×%d timeout×%d\n",
      codes, e.connect, e.read, e.write, e.timeout))
  end
  io.write(string.format("RESULT %d %.1f %.1f %.1f %.1f %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, failed))
end
"""

# a household: user = {session, csrf}; reads lessons, the course list, finishes lessons, quizzes
LUA_HOUSEHOLDS = (
    LUA_COMMON
    + r"""
function request()
  local first = arriving()
  if first then return first end
  local user = users[math.random(#users)]
  local course = COURSES[math.random(#COURSES)]
  local lesson = math.random(5)
  local roll = math.random()
  if roll < 0.55 then
    return page(user, "/learn/" .. course .. "/" .. lesson)
  elseif roll < 0.70 then
    return page(user, "/learn/")
  elseif roll < 0.80 then
    return form(user, "/learn/" .. course .. "/" .. lesson .. "/done", "")
  elseif roll < 0.90 then
    return page(user, "/learn/" .. course .. "/quiz")
  else
    local answers = ""
    for q = 1, 10 do answers = answers .. "&q" .. q .. "=" .. math.random(2) end
    return form(user, "/learn/" .. course .. "/quiz",
      "&nonce=" .. math.random(1, 2^30) .. answers)
  end
end
"""
)

# a trainer: user = {session, csrf, session id, household ids…}; opens and saves the roster
LUA_TRAINERS = (
    LUA_COMMON
    + r"""
local STATUSES = {"present", "present", "present", "absent", "excused"}
-- the mark each household's row showed, as the marks screen sends it back ("was-"): the
-- service writes a mark only while it still holds what the form showed
local shown = {}
function request()
  local first = arriving()
  if first then return first end
  local user = users[math.random(#users)]
  local path = "/sessions/" .. user[3] .. "/marks"
  if math.random() < 0.5 then return page(user, path) end
  local body = "&all_present=1"
  for i = 4, #user do
    local status = STATUSES[math.random(#STATUSES)]
    body = body .. "&was-" .. user[i] .. "=" .. (shown[user[i]] or "")
      .. "&status-" .. user[i] .. "=" .. status
    shown[user[i]] = status
  end
  return form(user, path, body)
end
"""
)

BARE_APP = """
from flask import Flask
app = Flask(__name__)

@app.get("/")
def index():
    return "Xin chào"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(app_path: str, folder: Path, environment: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_path,
        ],
        cwd=folder,
        env={**os.environ, **environment},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=1)  # noqa: S310 - our own server
            return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def prepare(database_url: str) -> tuple[list[str], list[tuple[str, int, list[int]]]]:
    """Courses, the demo, 200 household logins and 20 trainers with a roster each."""
    app = create_app({"SECRET_KEY": "load", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        flask_migrate.upgrade()
        load_courses(ROOT / "courses")
        load_demo_data()
        slugs = [course.slug for course in list_courses()]
        commune = db.session.scalar(
            select(Area).where(Area.level == AreaLevel.COMMUNE, Area.name == "Xã Diễn Châu")
        )
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.code == "VNPOST-NA")
        )
        secret = hash_secret(SECRET)  # one scrypt hash for all: the login still checks it
        households = []
        for n in range(HOUSEHOLDS):
            household = Household(
                head_name=f"Hộ tải thử {n}", phone=f"0985{n:06d}", area_id=commune.id
            )
            db.session.add(household)
            db.session.flush()
            db.session.add(
                User(
                    role=Role.HOUSEHOLD, full_name=household.head_name, phone=household.phone,
                    household_id=household.id, password_hash=secret,
                )
            )  # fmt: skip
            households.append(household)
        trainers = []
        for n in range(TRAINERS):
            trainer = User(
                role=Role.TRAINER, full_name=f"Giảng viên {n}", email=f"gv{n}@load.vn",
                password_hash=secret, organisation_id=organisation.id, area_id=commune.id,
            )  # fmt: skip
            db.session.add(trainer)
            db.session.flush()
            session = save_session(
                trainer, None, list_courses()[:1], title=f"Lớp {n}", place="Nhà văn hóa",
                area_id=commune.id, starts_at=utcnow() - timedelta(hours=1),
                ends_at=utcnow() + timedelta(hours=2),
            )  # fmt: skip
            roster = households[n * ROSTER : (n + 1) * ROSTER]
            enrol(trainer, session, roster, EnrolmentSource.SEARCH)
            trainers.append((trainer.email, session.id, [h.id for h in roster]))
        phones = [h.phone for h in households]
        db.session.commit()
        db.engine.dispose()
    return slugs, phones, trainers


def csrf_token(page: str) -> str:
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


def log_in(url: str, path: str, fields: dict[str, str], form_path: str) -> tuple[str, str]:
    """The ``Cookie`` header a browser sends after logging in (the session and the device
    id), and a CSRF token of that session. The log-in is made with ``USER_AGENT``, which wrk
    sends too: Flask-Login would rewrite the cookie of a session whose browser changed."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    token = csrf_token(opener.open(url + path).read().decode())
    opener.open(url + path, urllib.parse.urlencode({"csrf_token": token, **fields}).encode())
    token = csrf_token(opener.open(url + form_path).read().decode())
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def wrk(url: str, script: str, users: Path, connections: int, seconds: int) -> subprocess.Popen:
    return subprocess.Popen(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-H", f"User-Agent: {USER_AGENT}", "-s", script, url, "--", str(users)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def result(process: subprocess.Popen) -> dict[str, float]:
    output = process.communicate()[0]
    for line in output.splitlines():
        if line.startswith("STATUSES"):
            print("  answers in error:", line.removeprefix("STATUSES"))
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    requests, rate, p50, p95, p99, errors = line.split()[1:]
    return {
        "requests": int(requests), "rate": float(rate), "p50": float(p50),
        "p95": float(p95), "p99": float(p99), "errors": int(errors),
    }  # fmt: skip


def merged(results: list[dict[str, float]]) -> dict[str, float]:
    """Several instances' figures as one: requests and errors added, the worst percentiles."""
    return {
        key: (sum if key in ("requests", "rate", "errors") else max)(r[key] for r in results)
        for key in results[0]
    }


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    folder = Path(tempfile.mkdtemp(prefix="lms-load-"))
    database_url = os.environ.get("LOAD_DATABASE_URL") or f"sqlite:///{folder / 'load.sqlite3'}"
    print(
        f"preparing {HOUSEHOLDS} households and {TRAINERS} trainers on {database_url.split(':')[0]}…"
    )
    slugs, phones, trainers = prepare(database_url)
    environment = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "load",
        "LMS_INSTANCE_PATH": str(folder),
        # the set-up logs 220 people in from one address within seconds; a class takes minutes
        "LMS_LOGIN_RATE_LIMIT": "10000 per minute",
        **RATE_LIMITS,
    }
    servers = [serve("wsgi:app", ROOT, environment) for _ in range(INSTANCES)]
    url, urls = servers[0][1], [address for _server, address in servers]
    try:
        households = folder / "households.tsv"
        households.write_text(
            "".join(
                "\t".join(log_in(url, "/login", {"phone": phone, "pin": SECRET}, "/learn/" + slugs[0] + "/1")) + "\n"
                for phone in phones
            )
        )  # fmt: skip
        staff = folder / "trainers.tsv"
        lines = []
        for email, session_id, household_ids in trainers:
            cookie, token = log_in(url, "/login/staff", {"email": email, "password": SECRET}, f"/sessions/{session_id}/marks")  # fmt: skip
            lines.append("\t".join([cookie, token, str(session_id), *map(str, household_ids)]))
        staff.write_text("\n".join(lines) + "\n")
        courses = "COURSES = {" + ", ".join(f'"{slug}"' for slug in slugs) + "}\n"
        figures = {}
        for pace, (think_from, think_to) in PACES.items():
            think = f"THINK_FROM, THINK_TO = {think_from}, {think_to}\n"
            per_thread = "PER_THREAD = {}\n".format
            (folder / "households.lua").write_text(
                think + per_thread(HOUSEHOLDS // 2 // INSTANCES) + courses + LUA_HOUSEHOLDS
            )
            (folder / "trainers.lua").write_text(
                think + per_thread(TRAINERS // 2 // INSTANCES) + LUA_TRAINERS
            )
            print(
                f"driving for {seconds} s, {think_from / 1000:g}–{think_to / 1000:g} s between requests…"
            )
            # with several instances, each gets its share of the connections (as behind a
            # load balancer); a session cookie is good on every instance (one SECRET_KEY)
            runs = {
                "households": [
                    wrk(at, str(folder / "households.lua"), households, HOUSEHOLDS // INSTANCES, seconds)
                    for at in urls
                ],
                "trainers": [
                    wrk(at, str(folder / "trainers.lua"), staff, TRAINERS // INSTANCES, seconds)
                    for at in urls
                ],
            }  # fmt: skip
            figures[pace] = {
                name: merged([result(process) for process in processes])
                for name, processes in runs.items()
            }
    finally:
        for server, _address in servers:
            server.terminate()
            server.wait()

    (folder / "bare.py").write_text(BARE_APP)
    bare_server, bare_url = serve("bare:app", folder, RATE_LIMITS)
    try:
        plain = folder / "plain.lua"
        plain.write_text('function done(s, l, r) io.write(string.format("RESULT %d %.1f %.1f %.1f %.1f %d\\n", s.requests, s.requests / (s.duration / 1e6), l:percentile(50) / 1000, l:percentile(95) / 1000, l:percentile(99) / 1000, s.errors.status + s.errors.timeout)) end\n')  # fmt: skip
        ceiling = result(wrk(bare_url, str(plain), plain, HOUSEHOLDS, min(seconds, 15)))
    finally:
        bare_server.terminate()
        bare_server.wait()

    print(
        f"gunicorn: {INSTANCES} instance(s) × {WORKERS} workers × {THREADS} threads "
        f"on {os.cpu_count()} cores, {database_url.split(':')[0]}"
    )
    for pace, populations in figures.items():
        print(f"{pace}:")
        for name, f in populations.items():
            print(
                f"  {name:>10}: {f['requests']:,} requests, {f['rate']:.1f} req/s, "
                f"p50 {f['p50']:.0f} ms, p95 {f['p95']:.0f} ms, p99 {f['p99']:.0f} ms, "
                f"{f['errors']} errors"
            )
    capacity = sum(f["rate"] for f in figures["capacity"].values())
    print(
        f"capacity (closed loop, no think time): {capacity:.0f} req/s of this mix, "
        f"beside {sum(f['rate'] for f in figures['class pace'].values()):.0f} req/s at class pace"
    )
    print(f"bare Flask: {ceiling['rate']:.0f} req/s, p99 {ceiling['p99']:.0f} ms (no think time)")
    judged = figures["class pace"].values()
    met = sum(f["errors"] for f in judged) == 0 and max(f["p99"] for f in judged) < 300
    print(f"goal at class pace (0 errors, p99 < 300 ms): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
