"""Verification for officials: a household's or a certificate's whole trail, in scope.

Outreach, classes attended, lessons, quiz attempts, certificates, activation requests and
the audit events about the household and those records, oldest first where order matters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, and_, cast, or_, select
from sqlalchemy.orm import selectinload

from lms.activation.models import ActivationRequest
from lms.areas.models import Area
from lms.attendance.models import AttendanceMark, ClassSession
from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.database import vietnamese
from lms.core.scope import visible_certificates, visible_households
from lms.core.text import fold, mask_national_id, mask_phone, normalize_phone
from lms.courses.models import CourseVersion, Lesson, LessonProgress, QuizAttempt
from lms.extensions import db
from lms.households.models import Household
from lms.households.services import search_clause
from lms.products.models import Listing, Product

SERIAL = re.compile(r"^[A-Za-z]{1,10}-\d{4}-\d{1,6}$")
FOUND_AT_MOST = 20


def find(user: User, query: str) -> tuple[Certificate | None, list[Household]]:
    """A certificate by its serial, or households by name, phone or CCCD digits, in scope."""
    query = query.strip()
    if SERIAL.match(query):
        certificate = db.session.scalar(
            select(Certificate).where(
                Certificate.serial == query.upper(), visible_certificates(user)
            )
        )
        if certificate is not None:
            return certificate, []
    statement = (
        select(Household)
        .where(
            visible_households(user),
            or_(search_clause(query), Household.id.in_(_earlier_identities(query))),
        )
        .options(selectinload(Household.area))
        .order_by(vietnamese(Household.head_name), Household.id)
        .limit(FOUND_AT_MOST)
    )
    return None, list(db.session.scalars(statement))


#: audit events read when searching earlier names and phones
EARLIER_AT_MOST = 200


def _earlier_identities(query: str) -> list[int]:
    """Households whose earlier name, phone or CCCD (an audit event's before values: an
    import or an edit changed them) matches, so the trail still finds them by it."""
    words = fold(re.sub(r"[\d+().\-]", " ", query))
    digits = re.sub(r"\D", "", query)
    phone = (normalize_phone(digits) or digits) if len(digits) >= 3 else ""
    terms = [term for term in (words, phone) if term]
    if not terms:
        return []
    statement = (
        select(AuditEvent.target_id, AuditEvent.before)
        .where(
            AuditEvent.target_type == "Household",
            AuditEvent.before.is_not(None),
            *(cast(AuditEvent.before, Text).contains(term, autoescape=True) for term in terms),
        )
        .order_by(AuditEvent.id.desc())
        .limit(EARLIER_AT_MOST)
    )
    found = []
    for household_id, before in db.session.execute(statement):
        name = before.get("name_key") or fold(before.get("head_name"))
        if (not words or words in name) and (
            not phone
            or phone in (before.get("phone") or "")
            or (before.get("national_id") or "").endswith(digits)
        ):
            found.append(household_id)
    return found


def changes_of(events: list[AuditEvent]) -> dict[int, list[tuple[str, Any, Any]]]:
    """What each event changed on the household's identity, field by field: label, before,
    after (communes, scale classes and product groups by name, phones and CCCDs masked). An
    edit or an import's update shows each changed field's old and new value; a registration
    (by hand or by an import) the values it was registered with, the old one empty."""
    from lms.households.importing import UPDATABLE, field_label
    from lms.households.models import ProductGroup, ScaleClass

    models = {"area_id": Area, "scale_class_id": ScaleClass, "product_group_id": ProductGroup}
    wanted: dict[str, set] = {name: set() for name in models}
    for event in events:
        for values in (event.before, event.after):
            if isinstance(values, dict):
                for name in models:
                    if values.get(name) is not None:
                        wanted[name].add(values[name])
    names = {
        field: dict(
            db.session.execute(
                select(model.id, model.name).where(model.id.in_(wanted[field]))
            ).all()
        )
        for field, model in models.items()
        if wanted[field]
    }

    def shown(name: str, value: Any) -> Any:
        if name in models:
            return names.get(name, {}).get(value, value)
        if name == "national_id":
            return mask_national_id(value)
        if name == "phone":
            return mask_phone(value)
        return value

    found = {}
    for event in events:
        if event.target_type != "Household":
            continue
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        changes = [
            (field_label(name), shown(name, before.get(name)), shown(name, after.get(name)))
            for name in UPDATABLE
            if (name in before or name in after) and before.get(name) != after.get(name)
        ]
        if changes:
            found[event.id] = changes
    return found


def action_labels() -> dict[str, Any]:
    """What the trail says for each recorded action (its code for any other)."""
    from flask_babel import lazy_gettext as _l

    return {
        "household.create": _l("Household registered"),
        "household.update": _l("Household record edited"),
        "household.import_create": _l("Household registered by a list import"),
        "household.import_update": _l("Household record updated by a list import"),
        "household.inform": _l("Recorded as informed"),
        "household.anonymise": _l("Personal data deleted at the household's request"),
        "certificate.issue": _l("Certificate issued"),
        "certificate.reissue": _l("Certificate re-issued"),
        "certificate.revoke": _l("Certificate revoked"),
        "activation.requested": _l("Activation requested"),
        "activation.approved": _l("Activation approved"),
        "activation.activated": _l("Activated"),
        "activation.refused": _l("Activation refused"),
        "activation.closed": _l("Activation closed"),
        "activation.review": _l("Activation reviewed"),
    }


@dataclass
class Trail:
    household: Household
    marks: list[AttendanceMark]
    #: (course title, lesson title, progress), the titles of the latest version holding it
    lessons: list[tuple[str, str, LessonProgress]]
    attempts: list[QuizAttempt]
    certificates: list[Certificate]
    activations: list[ActivationRequest]
    listings: list[Listing]
    events: list[AuditEvent]
    #: what each event changed on the household (``changes_of``), by event id
    changes: dict[int, list[tuple[str, Any, Any]]]


def trail_of(household: Household) -> Trail:
    """Everything the programme recorded about a household (fetched in scope beforehand)."""
    marks = db.session.scalars(
        select(AttendanceMark)
        .join(ClassSession, ClassSession.id == AttendanceMark.session_id)
        .where(AttendanceMark.household_id == household.id)
        .options(selectinload(AttendanceMark.session))
        .order_by(ClassSession.starts_at)
    ).all()
    lessons = db.session.scalars(
        select(LessonProgress)
        .where(LessonProgress.household_id == household.id)
        .order_by(LessonProgress.last_seen_at)
    ).all()
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.household_id == household.id)
        .options(selectinload(QuizAttempt.course_version))
        .order_by(QuizAttempt.submitted_at)
    ).all()
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.household_id == household.id).order_by(Certificate.id)
    ).all()
    activations = db.session.scalars(
        select(ActivationRequest)
        .where(ActivationRequest.household_id == household.id)
        .options(selectinload(ActivationRequest.marketplace))
        .order_by(ActivationRequest.requested_at)
    ).all()
    listings = db.session.scalars(
        select(Listing)
        .join(Product, Product.id == Listing.product_id)
        .where(Product.household_id == household.id)
        .options(selectinload(Listing.product), selectinload(Listing.marketplace))
        .order_by(Listing.listed_on)
    ).all()
    return Trail(
        household=household,
        marks=list(marks),
        lessons=_lesson_titles(list(lessons)),
        attempts=list(attempts),
        certificates=list(certificates),
        activations=list(activations),
        listings=list(listings),
        events=(events := _events(household, certificates, activations)),
        changes=changes_of(events),
    )


def _lesson_titles(progress: list[LessonProgress]) -> list[tuple[str, str, LessonProgress]]:
    """Each lesson progress with its course's and its lesson's titles, from the latest
    version of the course that holds the lesson (progress follows a lesson's slug from
    version to version); the slug when no loaded version holds it any more."""
    if not progress:
        return []
    course_ids = {p.course_id for p in progress}
    titles: dict[tuple[int, str], tuple[int, str, str]] = {}
    courses: dict[int, tuple[int, str]] = {}
    statement = (
        select(CourseVersion.course_id, CourseVersion.version, CourseVersion.title, Lesson)
        .join(Lesson, Lesson.course_version_id == CourseVersion.id)
        .where(CourseVersion.course_id.in_(course_ids))
    )
    for course_id, version, course_title, lesson in db.session.execute(statement):
        key = (course_id, lesson.slug)
        if key not in titles or titles[key][0] < version:
            titles[key] = (version, course_title, lesson.title)
        if course_id not in courses or courses[course_id][0] < version:
            courses[course_id] = (version, course_title)
    found = []
    for item in progress:
        version_title = titles.get((item.course_id, item.lesson_slug))
        if version_title is not None:
            found.append((version_title[1], version_title[2], item))
        else:
            course = courses.get(item.course_id, (0, ""))[1]
            found.append((course, item.lesson_slug, item))
    return found


def _events(household: Household, *related: Any) -> list[AuditEvent]:
    """The audit events about the household and about its certificates and activations."""
    targets = [and_(AuditEvent.target_type == "Household", AuditEvent.target_id == household.id)]
    for records in related:
        if records:
            targets.append(
                and_(
                    AuditEvent.target_type == type(records[0]).__name__,
                    AuditEvent.target_id.in_([record.id for record in records]),
                )
            )
    statement = (
        select(AuditEvent)
        .where(or_(*targets))
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return list(db.session.scalars(statement))


def labels() -> dict[str, Any]:
    """The words the trail page shows for stored states."""
    from flask_babel import lazy_gettext as _l

    from lms.activation.models import ActivationStatus
    from lms.attendance.models import MARK_LABELS
    from lms.certificates.models import CertificateStatus
    from lms.households.models import CHANNEL_LABELS

    return {
        "actions": action_labels(),
        "marks": MARK_LABELS,
        "channels": CHANNEL_LABELS,
        "certificates": {
            CertificateStatus.VALID: _l("Valid"),
            CertificateStatus.REVOKED: _l("Revoked"),
        },
        "activations": {
            ActivationStatus.REQUESTED: _l("Requested"),
            ActivationStatus.APPROVED: _l("Approved"),
            ActivationStatus.ACTIVATED: _l("Activated"),
            ActivationStatus.REFUSED: _l("Refused"),
            ActivationStatus.CLOSED: _l("Closed"),
        },
    }
