"""How fast officials' figures answer for a whole province, on SQLite and on PostgreSQL.

    .venv/bin/python tests/benchmarks/bench_dashboard.py [--households 500000]
        [--sqlite PATH] [--postgresql URL] [--only sqlite|postgresql]

A province is about 500,000 households, 1.5 million attendance marks, 1.5 million quiz
attempts and 100,000 products (``flask demo generate --training`` makes them). The database
is generated once and kept (outside the repository) for the next runs: the SQLite file in
``/tmp/lms-bench/`` and, on PostgreSQL, the schema ``bench`` of the database given, which
the test suite (that empties the ``public`` schema) leaves alone.

Timed, each the best of three runs: the province dashboard (every target, per commune,
measured against the plan's targets entered for every commune), the same for a past period
(an as-of date a month ago and certificates per month over the quarter before it: every
figure then has its date conditions), and the "listed but not trained" screen (its first page,
its total, the page's training status).
Goal: ≤ 1 s each. As a baseline measured in the same run, the naive ORM version loads
households one by one and asks Python the same questions; it runs on a sample of households
and is extrapolated to the province, as its output says.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import flask_migrate
from flask import current_app
from sqlalchemy import func, select

from lms import create_app
from lms.auth.models import Role, User
from lms.core.models import today
from lms.extensions import db
from lms.households.models import Household

DEFAULT_SQLITE = Path(tempfile.gettempdir()) / "lms-bench" / "dashboard.sqlite3"
DEFAULT_POSTGRESQL = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/lms_officials?options=-csearch_path%3Dbench"
)
NAIVE_SAMPLE = 5_000
GOAL_SECONDS = 1.0


def prepare(households: int) -> None:
    """Migrate, then fill the province once: courses, demo logins, households, training."""
    flask_migrate.upgrade()
    present = db.session.scalar(select(func.count()).select_from(Household))
    if present >= households:
        print(f"  reusing the {present:,} households already generated", flush=True)
        analyse()
        return
    from lms.config import Config
    from lms.courses.loading import load_courses
    from lms.demo.data import load_demo_data
    from lms.demo.generate import generate_province
    from lms.demo.training import generate_training

    started = time.perf_counter()
    load_courses(Path(Config.COURSES_FOLDER))
    load_demo_data()
    generate_province(households - present, seed=2026)
    print(f"  households generated in {time.perf_counter() - started:.0f} s", flush=True)
    report = generate_training(seed=2026)
    print(
        f"  training generated ({report.marks:,} marks, {report.attempts:,} attempts,"
        f" {report.certificates:,} certificates) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    analyse()


def analyse() -> None:
    """Table statistics, as a live database has them (PostgreSQL's autovacuum; on SQLite,
    ``PRAGMA optimize``): without them a planner guesses the size of every table."""
    from sqlalchemy import text

    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("VACUUM ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
            connection.commit()


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        db.session.expire_all()
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def measure(label: str) -> list[str]:
    from lms.reports import targets

    official = db.session.scalar(
        select(User).where(User.role == Role.OFFICIAL, User.email == "canbo.tinh@demo.vn")
    )
    sizes = {
        model: db.session.scalar(select(func.count()).select_from(model))
        for model in _counted_models()
    }
    print(f"{label}: " + ", ".join(f"{n:,} {m.__tablename__}" for m, n in sizes.items()))
    filters = targets.TargetFilter()
    communes = enter_targets(official)

    dashboard = best_of(3, lambda: targets.dashboard(official, filters))
    past = past_period()
    in_the_past = best_of(3, lambda: targets.dashboard(official, past))
    workers = current_app.config["REPORT_QUERY_WORKERS"]
    current_app.config["REPORT_QUERY_WORKERS"] = 1
    one_by_one = best_of(3, lambda: targets.dashboard(official, filters))
    current_app.config["REPORT_QUERY_WORKERS"] = workers

    def listed_page():  # what its screen asks: a page, its total, the page's training
        page = targets.list_households(official, filters, targets.LISTED_NOT_TRAINED, 1)
        targets.training_status([household.id for household in page.items])
        return page

    listed = best_of(3, listed_page)
    board = targets.dashboard(official, filters)
    untrained = listed_page().total

    total = board.total.households
    naive_seconds, sample = naive_dashboard(official, NAIVE_SAMPLE)
    naive_estimate = naive_seconds * total / sample
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    lines = [
        f"{label}: province dashboard {dashboard:.3f} s "
        f"({total:,} households in {len(board.rows)} communes, every target and the weekly"
        f" chart; its queries side by side; {one_by_one:.3f} s one after the other) — goal ≤"
        f" {GOAL_SECONDS:.0f} s: {'met' if dashboard <= GOAL_SECONDS else 'MISSED'}"
        f" (plan targets entered for {communes} communes)",
        f"{label}: the same as of {past.as_of:%d/%m/%Y}, certificates per month from"
        f" {past.date_from:%d/%m/%Y}: {in_the_past:.3f} s — goal ≤ {GOAL_SECONDS:.0f} s:"
        f" {'met' if in_the_past <= GOAL_SECONDS else 'MISSED'}",
        f"{label}: listed but not trained, first page with its total {listed:.3f} s "
        f"({untrained:,} households) — goal ≤ {GOAL_SECONDS:.0f} s: "
        f"{'met' if listed <= GOAL_SECONDS else 'MISSED'}",
        f"{label}: naive ORM (one household at a time, rules in Python): {sample:,} households"
        f" in {naive_seconds:.2f} s, extrapolated to {total:,}: {naive_estimate:,.0f} s"
        f" ({naive_estimate / max(dashboard, 1e-9):,.0f}x slower than the SQL dashboard)",
    ]
    lines.append(f"{label}: machine load average while measuring: {load} ({os.cpu_count()} cores)")
    for line in lines:
        print(line, flush=True)
    return lines


def enter_targets(official: User) -> int:
    """The plan's targets for this year in every commune of the province, as officials enter
    them (10% above the households imported, one OCOP product in 20): returns how many."""
    from lms.core.scope import communes_in_scope
    from lms.reports import plan_targets

    communes = communes_in_scope(official)
    counts = dict(
        db.session.execute(
            select(Household.area_id, func.count()).group_by(Household.area_id)
        ).all()
    )
    values = {
        area.id: (round(counts.get(area.id, 0) * 1.1), counts.get(area.id, 0) // 20)
        for area in communes
    }
    plan_targets.save_targets(official, today().year, values)
    return len(values)


def past_period():
    from lms.reports import targets

    as_of = today() - timedelta(days=30)
    return targets.TargetFilter(as_of=as_of, date_from=as_of - timedelta(days=90), period="month")


def _counted_models() -> list[type]:
    from lms.attendance.models import AttendanceMark
    from lms.certificates.models import Certificate
    from lms.courses.models import QuizAttempt
    from lms.products.models import Listing, Product

    return [Household, AttendanceMark, QuizAttempt, Product, Listing, Certificate]


def naive_dashboard(official: User, sample: int) -> tuple[float, int]:
    """Seconds for the naive version on ``sample`` households: load each household with the
    ORM, then its products, listings, certificates, outreach and marks, and decide in Python."""
    from lms.activation.models import ActivationRequest, ActivationStatus
    from lms.attendance.models import AttendanceMark
    from lms.certificates.models import Certificate, CertificateStatus
    from lms.core.scope import visible_households
    from lms.households.services import household_problems
    from lms.products.services import MIN_OCOP_STARS

    started = time.perf_counter()
    statement = select(Household).where(visible_households(official)).limit(sample)
    counts: dict[str, int] = {}
    households = db.session.scalars(statement).all()
    for household in households:
        informed = bool(household.outreach) or any(
            mark.status is not None and mark.status.attended
            for mark in db.session.scalars(
                select(AttendanceMark).where(AttendanceMark.household_id == household.id)
            )
        )
        certificates = db.session.scalars(
            select(Certificate).where(Certificate.household_id == household.id)
        ).all()
        certified = any(c.status is CertificateStatus.VALID for c in certificates)
        listed = any(
            listing.is_listed for product in household.products for listing in product.listings
        )
        ocop = sum(1 for product in household.products if product.ocop_stars >= MIN_OCOP_STARS)
        activated = db.session.scalars(
            select(ActivationRequest).where(
                ActivationRequest.household_id == household.id,
                ActivationRequest.status == ActivationStatus.ACTIVATED,
            )
        ).all()
        facts = {
            "informed": informed,
            "standardised": not household_problems(household),
            "certified": certified,
            "listed": listed,
            "listed_not_trained": listed and not certified,
            "activated": bool(activated),
        }
        for name, value in facts.items():
            counts[name] = counts.get(name, 0) + int(value)
        counts["ocop"] = counts.get("ocop", 0) + ocop
    return time.perf_counter() - started, len(households)


def run(label: str, url: str, households: int) -> list[str]:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b"})
    with app.app_context():
        print(f"{label}: preparing {url}", flush=True)
        prepare(households)
        lines = measure(label)
        db.session.remove()
        db.engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=500_000)
    parser.add_argument("--sqlite", type=Path, default=DEFAULT_SQLITE)
    parser.add_argument("--postgresql", default=DEFAULT_POSTGRESQL)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()

    lines = []
    if args.only in (None, "sqlite"):
        args.sqlite.parent.mkdir(parents=True, exist_ok=True)
        lines += run("SQLite", f"sqlite:///{args.sqlite}", args.households)
    if args.only in (None, "postgresql"):
        _ensure_schema(args.postgresql)
        lines += run("PostgreSQL", args.postgresql, args.households)
    print("\n".join(["", "summary:", *lines]))


def _ensure_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.split("?")[0])
    with engine.begin() as connection:
        connection.execute(text("CREATE SCHEMA IF NOT EXISTS bench"))
    engine.dispose()


if __name__ == "__main__":
    main()
