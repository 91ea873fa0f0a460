"""``flask demo generate --training``: class sessions, attendance, quiz attempts, certificates
and activated shops for the synthetic households, so officials' figures have something to
count at province scale.

About three attendance marks and three quiz attempts per household (1.5 million each for a
province of 500,000), a certificate for most households that went through the training (a
few revoked), and an activated shop or payment account for part of the listed households.
The rows are made to be counted, not to replay the completion rule: a benchmark and a demo
need the shapes and the volumes, and the certificate rule has its own tests.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, insert, select

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.areas.models import Area
from lms.attendance.models import AttendanceMark, ClassSession, EnrolmentSource, MarkStatus
from lms.auth.models import Role, User
from lms.certificates.models import (
    Certificate,
    CertificateStatus,
    RevocationCategory,
    SerialCounter,
)
from lms.certificates.services import province_prefix, refresh_certified
from lms.core.models import today, utcnow
from lms.courses.models import CourseVersion, Programme, QuizAttempt
from lms.demo.generate import CHUNK, PROVINCE_CODE, _Choice
from lms.extensions import db
from lms.households.models import Household
from lms.households.services import refresh_informed
from lms.products.models import Listing, Marketplace, PartnerKind, Product

#: how many sessions (and quiz attempts) a household went through: about 3 on average
DEPTH = _Choice([(0, 20), (3, 40), (4, 25), (5, 15)])
MARK_STATUS = _Choice(
    [
        (MarkStatus.PRESENT, 72),
        (MarkStatus.LATE, 10),
        (MarkStatus.ABSENT, 13),
        (MarkStatus.EXCUSED, 5),
    ]
)
#: households per class session
SESSION_SIZE = 30
TRAINING_DAYS = 180
CERTIFIED_SHARE = 0.70
REVOKED_SHARE = 0.02
SHOP_SHARE = 0.55
PAYMENT_SHARE = 0.35


@dataclass
class TrainingReport:
    households: int = 0
    sessions: int = 0
    marks: int = 0
    attempts: int = 0
    certificates: int = 0
    activations: int = 0


class _Setup:
    """What the training rows refer to: trainers, course versions, the programme."""

    def __init__(self) -> None:
        trainers = db.session.execute(
            select(User.id, User.organisation_id).where(
                User.role == Role.TRAINER, User.organisation_id.is_not(None)
            )
        ).all()
        self.versions = list(db.session.scalars(select(CourseVersion.id)))
        self.programme = db.session.scalar(
            select(Programme).where(Programme.is_active).order_by(Programme.id)
        )
        if not trainers or not self.versions or self.programme is None:
            raise RuntimeError("load the courses and the demo first (trainers, a programme)")
        self.trainers = trainers
        self.province = db.session.scalar(select(Area).where(Area.code == PROVINCE_CODE))
        self.marketplaces = self._partners(PartnerKind.MARKETPLACE)
        #: the payment services the migrations seed (PostPay, Viettel Money)
        self.payment_services = self._partners(PartnerKind.PAYMENT_PROVIDER)

    @staticmethod
    def _partners(kind: PartnerKind) -> list[int]:
        statement = select(Marketplace.id).where(Marketplace.kind == kind).order_by(Marketplace.id)
        return list(db.session.scalars(statement))


def generate_training(
    seed: int = 2026, progress: Callable[[int], None] | None = None
) -> TrainingReport:
    """Give the households that have no attendance and no certificate yet (the demo's own
    have) their sessions, marks, attempts, certificates and activations; one transaction,
    committed at the end."""
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    report = TrainingReport()
    try:
        setup = _Setup()
        untouched = (
            select(Household.id, Household.area_id, Household.head_name)
            .where(
                ~exists().where(AttendanceMark.household_id == Household.id),
                ~exists().where(Certificate.household_id == Household.id),
            )
            .order_by(Household.id)
        )
        households = db.session.execute(untouched).all()
        listed = set(
            db.session.scalars(
                select(Product.household_id)
                .join(Listing, Listing.product_id == Product.id)
                .where(Listing.delisted_on.is_(None))
            )
        )
        counter = _serial_counter(setup)
        for start in range(0, len(households), CHUNK):
            chunk = households[start : start + CHUNK]
            _training_chunk(rng, setup, chunk, listed, counter, report)
            if progress is not None:
                progress(len(chunk))
        db.session.flush()
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return report


def _serial_counter(setup: _Setup) -> SerialCounter:
    prefix = province_prefix(setup.province)
    counter = db.session.get(SerialCounter, (prefix, today().year))
    if counter is None:
        counter = SerialCounter(prefix=prefix, year=today().year, last=0)
        db.session.add(counter)
        db.session.flush()
    return counter


def _training_chunk(
    rng: random.Random,
    setup: _Setup,
    households: list[Any],
    listed: set[int],
    counter: SerialCounter,
    report: TrainingReport,
) -> None:
    by_commune: dict[int, list[Any]] = defaultdict(list)
    for household in households:
        by_commune[household.area_id].append(household)
    now, day = utcnow(), today()
    marks: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    certificates: list[dict[str, Any]] = []
    activations: list[dict[str, Any]] = []
    commune_names = dict(
        db.session.execute(select(Area.id, Area.name).where(Area.id.in_(by_commune))).all()
    )
    for area_id, members in by_commune.items():
        sessions = _sessions(rng, setup, area_id, max(5, len(members) // SESSION_SIZE))
        report.sessions += len(sessions)
        for household in members:
            depth = DEPTH(rng)
            for session_id, starts_at in rng.sample(sessions, min(depth, len(sessions))):
                status = MARK_STATUS(rng)
                marks.append(
                    {
                        "session_id": session_id,
                        "household_id": household.id,
                        "source": EnrolmentSource.COMMUNE,
                        "enrolled_at": starts_at - timedelta(days=3),
                        "status": status,
                        "is_self_checkin": False,
                        "marked_by_id": None,
                        "marked_at": starts_at,
                    }
                )
            for n in range(depth):
                percent = rng.choice((50, 63, 75, 88, 100))
                attempts.append(
                    {
                        "household_id": household.id,
                        "course_version_id": setup.versions[n % len(setup.versions)],
                        "user_id": None,
                        "nonce": f"synthetic-{household.id}-{n}",
                        "submitted_at": now - timedelta(days=rng.randrange(TRAINING_DAYS)),
                        "answers": {},
                        "correct": percent * 8 // 100,
                        "total": 8,
                        "percent": percent,
                        "pass_mark": 70,
                        "passed": percent >= 70,
                    }
                )
            if depth >= 3 and rng.random() < CERTIFIED_SHARE:
                counter.last += 1
                revoked = rng.random() < REVOKED_SHARE
                issued_on = day - timedelta(days=rng.randrange(TRAINING_DAYS))
                certificates.append(
                    {
                        "serial": f"{counter.prefix}-{counter.year}-{counter.last:06d}",
                        "prefix": counter.prefix,
                        "year": counter.year,
                        "number": counter.last,
                        "household_id": household.id,
                        "programme_id": setup.programme.id,
                        "issued_on": issued_on,
                        "issued_at": datetime.combine(issued_on, time(3), tzinfo=UTC),
                        "holder_name": household.head_name,
                        "commune_name": commune_names[area_id],
                        "issuer": "Văn phòng Chương trình (dữ liệu mẫu)",
                        "courses": [],
                        "status": CertificateStatus.REVOKED if revoked else CertificateStatus.VALID,
                        "revoked_at": now if revoked else None,
                        "revoked_reason": "Dữ liệu mẫu" if revoked else None,
                        "revocation_category": RevocationCategory.OTHER if revoked else None,
                        "replaced_by_id": None,
                    }
                )
            if household.id in listed:
                activations += _activations(rng, setup, household.id, now)
    for model, rows in (
        (AttendanceMark, marks),
        (QuizAttempt, attempts),
        (Certificate, certificates),
        (ActivationRequest, activations),
    ):
        if rows:
            db.session.execute(insert(model).execution_options(render_nulls=True), rows)
    refresh_informed(household.id for household in households)
    refresh_certified(household.id for household in households)
    report.households += len(households)
    report.marks += len(marks)
    report.attempts += len(attempts)
    report.certificates += len(certificates)
    report.activations += len(activations)


def _activations(
    rng: random.Random, setup: _Setup, household_id: int, now: datetime
) -> list[dict[str, Any]]:
    rows = []
    partners = []
    if setup.marketplaces and rng.random() < SHOP_SHARE:
        partners.append(rng.choice(setup.marketplaces))
    if setup.payment_services and rng.random() < PAYMENT_SHARE:
        partners.append(rng.choice(setup.payment_services))
    for marketplace_id in partners:
        rows.append(
            {
                "household_id": household_id,
                "marketplace_id": marketplace_id,
                "status": ActivationStatus.ACTIVATED,
                "requested_at": now,
                "requested_by_id": None,
                "decided_at": now,
                "decided_by_id": None,
                "refusal_reason": None,
                "activated_at": now,
                "account_id": f"SHOP-{household_id}",
                "account_url": "",
                "needs_review": False,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def _sessions(
    rng: random.Random, setup: _Setup, area_id: int, count: int
) -> list[tuple[int, datetime]]:
    """``count`` past class sessions in a commune: (id, start)."""
    rows = []
    now = utcnow()
    for n in range(count):
        trainer_id, organisation_id = rng.choice(setup.trainers)
        starts_at = (now - timedelta(days=rng.randrange(1, TRAINING_DAYS))).replace(
            hour=1, minute=0, second=0, microsecond=0
        )
        rows.append(
            {
                "title": f"Tập huấn kỹ năng số {n + 1}",
                "description": "",
                "organisation_id": organisation_id,
                "trainer_id": trainer_id,
                "co_trainer_id": None,
                "area_id": area_id,
                "place": "Hội trường UBND xã",
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=3),
                "capacity": None,
                "checkin_code": "",
                "cancelled_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    statement = (
        insert(ClassSession)
        .execution_options(render_nulls=True)
        .returning(ClassSession.id, sort_by_parameter_order=True)
    )
    ids = db.session.scalars(statement, rows).all()
    return [(id_, row["starts_at"]) for id_, row in zip(ids, rows, strict=True)]
