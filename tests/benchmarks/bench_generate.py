"""How fast ``flask demo generate`` fills a province, on a fresh SQLite database.

    .venv/bin/python tests/benchmarks/bench_generate.py [HOUSEHOLDS]    (default 100000)

A province is about 500,000 households. As a baseline measured in the same run, 2,000
households are first made the naive way: the same kind of rows (households, products,
certifications, listings, outreach), one ORM object each, ``add`` + ``flush``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import TypeVar

import flask_migrate

from lms import create_app
from lms.demo.generate import SyntheticProvince, ensure_areas, ensure_classes, generate_province
from lms.extensions import db
from lms.households.models import Household, OutreachEvent
from lms.products.models import Certification, Listing, Product

T = TypeVar("T")

NAIVE_HOUSEHOLDS = 2_000


def naive(households: int, seed: int) -> float:
    """Seconds to make the same kind of data one ORM object at a time, each added and flushed."""
    province, _ = ensure_areas()
    ensure_classes()
    synthetic = SyntheticProvince(random.Random(seed), province)
    started = time.perf_counter()
    for _ in range(households):
        row, notes = synthetic.household_row()
        household = _flushed(Household(**row))
        for product_row in synthetic.product_rows(household.id, notes):
            product = _flushed(Product(**product_row))
            certifications = synthetic.certification_rows(product.id, notes.group)
            for certification in certifications:
                _flushed(Certification(**certification))
            for listing in synthetic.listing_rows(product.id, product_row, certifications):
                _flushed(Listing(**listing))
        for event in synthetic.outreach_rows(household.id):
            _flushed(OutreachEvent(**event))
    db.session.commit()
    return time.perf_counter() - started


def _flushed(record: T) -> T:
    db.session.add(record)
    db.session.flush()
    return record


def bulk(households: int, seed: int) -> tuple[float, int]:
    """Seconds for ``generate_province``, and how many rows it wrote in all."""
    started = time.perf_counter()
    done = 0

    def progress(step: int) -> None:
        nonlocal done
        done += step
        if done % 100_000 == 0 or done == households:
            print(f"  {done:>9,} households  {time.perf_counter() - started:7.1f} s", flush=True)

    report = generate_province(households, seed=seed, progress=progress)
    rows = (
        report.households
        + report.products
        + report.certifications
        + report.listings
        + report.outreach_events
    )
    return time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", nargs="?", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                "SECRET_KEY": "bench",
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            naive_seconds = naive(NAIVE_HOUSEHOLDS, seed=args.seed + 1)
            print(f"generating {args.households:,} households (seed {args.seed})", flush=True)
            bulk_seconds, rows = bulk(args.households, seed=args.seed)
            size = database.stat().st_size / 1e6
            db.session.remove()
            db.engine.dispose()

    naive_rate = NAIVE_HOUSEHOLDS / naive_seconds
    bulk_rate = args.households / bulk_seconds
    print(
        f"naive (ORM object, add + flush): {NAIVE_HOUSEHOLDS:,} households in {naive_seconds:.2f} s"
        f" = {naive_rate:,.0f} households/s"
    )
    print(
        f"bulk (generate_province): {args.households:,} households in {bulk_seconds:.1f} s"
        f" = {bulk_rate:,.0f} households/s ({rows:,} rows in all, {rows / bulk_seconds:,.0f}"
        f" rows/s; database {size:,.0f} MB)"
    )
    print(f"speed-up: {bulk_rate / naive_rate:.0f}x")


if __name__ == "__main__":
    main()
