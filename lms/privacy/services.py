"""What the product holds about a household, and the household's requests to correct or
delete it (Law 91/2025/QH15 on personal data protection; Decree 13/2023/NĐ-CP).

Deleting is anonymising: the household's row stays, without its name, phone, CCCD,
address or logins, so the plan's figures per commune (informed, trained, listed) and its
certificate's serial, dates and revocation state still hold. What else kept its personal
data is cleaned in the same transaction (audit events' before and after values, its
members' accounts, its certificates' printed name and cached PDFs, import previews); what
cannot be cleaned is listed in docs/personal-data.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

import orjson
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from lms.activation.models import STATUS_LABELS as ACTIVATION_LABELS
from lms.activation.models import ActivationRequest
from lms.attendance.models import MARK_LABELS, AttendanceMark, ClassSession
from lms.auth.models import User
from lms.auth.services import end_sessions
from lms.certificates.models import Certificate
from lms.core.audit import AuditEvent, record_event
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.i18n import format_datetime_vn, format_day
from lms.core.models import utcnow
from lms.core.permissions import can_file_data_request, check_can_handle_data_request
from lms.core.scope import visible_data_requests
from lms.core.text import clean
from lms.courses.models import CourseVersion, QuizAttempt
from lms.extensions import db
from lms.households.models import CHANNEL_LABELS, Household, HouseholdImport
from lms.privacy.models import KIND_LABELS, STATUS_LABELS, DataRequest, RequestKind, RequestStatus
from lms.products.models import Product

#: what an anonymised household and its members are called from then on
ERASED_NAME = "Đã xóa dữ liệu"
#: keys of audit values, import rows and accounts that hold personal data
PERSONAL_KEYS = frozenset(
    {"head_name", "name_key", "phone", "national_id", "village", "address", "full_name",
     "email", "holder_name", "account_id", "account_url", "details", "answer"}
)  # fmt: skip
ERASED = "[đã xóa]"
#: not a hash of anything: no PIN or password matches it
UNUSABLE_SECRET = "!"  # noqa: S105
LONGEST_DETAILS = 2000

# ---------------------------------------------------------------- what the product holds


@dataclass
class Section:
    """One kind of record about the household: its rows, and the words for its fields."""

    key: str
    title: LazyString
    fields: dict[str, LazyString]
    rows: list[dict[str, Any]]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _household_rows(household: Household) -> list[dict[str, Any]]:
    return [
        {
            "head_name": household.head_name,
            "phone": household.phone,
            "national_id": household.national_id,
            "village": household.village,
            "address": household.address,
            "commune": household.area.name,
            "scale_class": household.scale_class.name if household.scale_class else None,
            "product_group": household.product_group.name if household.product_group else None,
            "registered_at": _when(household.created_at),
            "is_informed": household.is_informed,
            "certified_on": household.certified_on,
        }
    ]


def _member_rows(household: Household) -> list[dict[str, Any]]:
    members = db.session.scalars(
        select(User).where(User.household_id == household.id).order_by(User.id)
    )
    return [
        {
            "full_name": member.full_name,
            "phone": member.phone,
            "is_active": member.is_active,
            "last_login_at": _when(member.last_login_at),
        }
        for member in members
    ]


def _outreach_rows(household: Household) -> list[dict[str, Any]]:
    return [
        {"informed_on": event.informed_on, "channel": event.channel} for event in household.outreach
    ]


def _product_rows(household: Household) -> list[dict[str, Any]]:
    products = db.session.scalars(
        select(Product)
        .where(Product.household_id == household.id)
        .options(selectinload(Product.certifications), selectinload(Product.listings))
        .order_by(Product.id)
    )
    return [
        {
            "name": product.name,
            "category": product.category,
            "ocop_stars": product.ocop_stars,
            "certifications": ", ".join(
                f"{c.kind.value} {c.number}".strip() for c in product.certifications
            ),
            "listings": ", ".join(
                f"{listing.marketplace.name} ({format_day(listing.listed_on)})"
                for listing in product.listings
            ),
        }
        for product in products
    ]


def _certificate_rows(household: Household) -> list[dict[str, Any]]:
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.household_id == household.id).order_by(Certificate.id)
    )
    return [
        {
            "serial": c.serial,
            "holder_name": c.holder_name,
            "issued_on": c.issued_on,
            "status": _("Valid") if c.is_valid else _("Revoked"),
            "revoked_at": _when(c.revoked_at),
        }
        for c in certificates
    ]


def _attendance_rows(household: Household) -> list[dict[str, Any]]:
    marks = db.session.scalars(
        select(AttendanceMark)
        .join(ClassSession, ClassSession.id == AttendanceMark.session_id)
        .where(AttendanceMark.household_id == household.id)
        .options(selectinload(AttendanceMark.session))
        .order_by(ClassSession.starts_at)
    )
    return [
        {
            "session": mark.session.title,
            "starts_at": _when(mark.session.starts_at),
            "place": mark.session.place,
            "status": mark.status,
        }
        for mark in marks
    ]


def _attempt_rows(household: Household) -> list[dict[str, Any]]:
    statement = (
        select(QuizAttempt, CourseVersion.title)
        .join(CourseVersion, CourseVersion.id == QuizAttempt.course_version_id)
        .where(QuizAttempt.household_id == household.id)
        .order_by(QuizAttempt.submitted_at)
    )
    return [
        {
            "course": title,
            "submitted_at": _when(attempt.submitted_at),
            "percent": attempt.percent,
            "passed": attempt.passed,
        }
        for attempt, title in db.session.execute(statement)
    ]


def _activation_rows(household: Household) -> list[dict[str, Any]]:
    requests = db.session.scalars(
        select(ActivationRequest)
        .where(ActivationRequest.household_id == household.id)
        .options(selectinload(ActivationRequest.marketplace))
        .order_by(ActivationRequest.requested_at)
    )
    return [
        {
            "marketplace": r.marketplace.name,
            "status": r.status,
            "requested_at": _when(r.requested_at),
            "account_id": r.account_id,
        }
        for r in requests
    ]


def _request_rows(household: Household) -> list[dict[str, Any]]:
    requests = db.session.scalars(
        select(DataRequest).where(DataRequest.household_id == household.id).order_by(DataRequest.id)
    )
    return [
        {
            "kind": r.kind,
            "status": r.status,
            "filed_at": _when(r.filed_at),
            "details": r.details,
            "answer": r.answer,
        }
        for r in requests
    ]


def _message_sections(household: Household) -> list[Section]:
    """Consents and messages, kept by the outbox (``lms.messages``, issue #22)."""
    from lms.messages.services import consent_rows, message_rows

    return [
        Section("consents", _l("Consents"), {
            "purpose": _l("Consent to"), "given": _l("Agreed"), "method": _l("How"),
            "text_version": _l("Text version"), "recorded_at": _l("When"),
            "reason": _l("Reason for withdrawing"),
        }, consent_rows(household)),
        Section("messages", _l("Messages"), {
            "message": _l("Message"), "via": _l("Channel"), "state": _l("State"),
            "written_at": _l("Written"), "sent_at": _l("Sent"),
        }, message_rows(household)),
    ]  # fmt: skip


_SECTIONS: tuple[tuple[str, LazyString, dict[str, LazyString], Callable], ...] = (
    ("household", _l("Household record"), {
        "head_name": _l("Head of household"), "phone": _l("Phone number"),
        "national_id": _l("National ID (CCCD)"), "village": _l("Village"),
        "address": _l("Address"), "commune": _l("Commune"), "scale_class": _l("Scale class"),
        "product_group": _l("Product group"), "registered_at": _l("Registered on"),
        "is_informed": _l("Informed about the programme"), "certified_on": _l("Certified on"),
    }, _household_rows),
    ("members", _l("Logins"), {
        "full_name": _l("Name"), "phone": _l("Phone number"), "is_active": _l("Active"),
        "last_login_at": _l("Last login"),
    }, _member_rows),
    ("outreach", _l("Outreach"), {"informed_on": _l("Date"), "channel": _l("Channel")},
     _outreach_rows),
    ("products", _l("Products"), {
        "name": _l("Product"), "category": _l("Category"), "ocop_stars": _l("OCOP stars"),
        "certifications": _l("Certifications"), "listings": _l("Marketplaces"),
    }, _product_rows),
    ("certificates", _l("Certificates"), {
        "serial": _l("Serial number"), "holder_name": _l("Head of household"),
        "issued_on": _l("Issued on"), "status": _l("Status"), "revoked_at": _l("Revoked on"),
    }, _certificate_rows),
    ("attendance", _l("Class sessions"), {
        "session": _l("Class session"), "starts_at": _l("Starts"), "place": _l("Place"),
        "status": _l("Attendance"),
    }, _attendance_rows),
    ("quiz_attempts", _l("Quiz attempts"), {
        "course": _l("Course"), "submitted_at": _l("Submitted"), "percent": _l("Score (%)"),
        "passed": _l("Passed"),
    }, _attempt_rows),
    ("activation_requests", _l("Activation requests"), {
        "marketplace": _l("Marketplace or payment service"), "status": _l("Status"),
        "requested_at": _l("Requested"), "account_id": _l("Shop or account id"),
    }, _activation_rows),
    ("data_requests", _l("Requests about your data"), {
        "kind": _l("Request"), "status": _l("Status"), "filed_at": _l("Filed"),
        "details": _l("Details"), "answer": _l("Answer"),
    }, _request_rows),
)  # fmt: skip


def data_of(household: Household) -> list[Section]:
    """Everything the product holds about a household, section by section (the household
    fetched in scope beforehand). Password and PIN hashes, signing keys and tokens are not
    data about the household and are left out."""
    sections = [
        Section(key, title, fields, rows(household)) for key, title, fields, rows in _SECTIONS
    ]
    return sections + _message_sections(household)


def as_json(household: Household, sections: list[Section]) -> bytes:
    """The machine-readable download: each section's rows under its key."""
    data = {
        "household_id": household.id,
        "exported_at": utcnow().isoformat(),
        **{section.key: section.rows for section in sections},
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    raise TypeError


def shown(key: str, value: Any) -> str:
    """A value as a person reads it (dates dd/mm/yyyy, yes / no, states in words)."""
    labels: dict[str, dict] = {
        "channel": CHANNEL_LABELS, "kind": KIND_LABELS,
    }  # fmt: skip
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in labels and value in labels[key]:
        return str(labels[key][value])
    if key == "status":
        for mapping in (MARK_LABELS, STATUS_LABELS, ACTIVATION_LABELS):
            if value in mapping:
                return str(mapping[value])
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_day(value)
    if isinstance(value, str) and key.endswith("_at"):
        return format_datetime_vn(datetime.fromisoformat(value))
    return str(value.value if isinstance(value, Enum) else value)


def as_text(household: Household, sections: list[Section]) -> str:
    """The readable download: each section with each row's fields, one per line."""
    lines = [_("What the product holds about your household"), f"{household.area.name}", ""]
    for section in sections:
        lines += [str(section.title).upper(), ""]
        if not section.rows:
            lines += [_("Nothing recorded."), ""]
        for row in section.rows:
            lines += [f"{section.fields.get(k, k)}: {shown(k, v)}" for k, v in row.items()]
            lines.append("")
    return "\r\n".join(lines)


# ---------------------------------------------------------------- requests


@rollback_on_violation
def file_request(actor: User, household: Household, kind: RequestKind, details: str) -> DataRequest:
    """Ask to correct or delete the household's personal data.

    Rules: the household itself, or staff who may change it, on its behalf
    (``can_file_data_request``); a correction says what is wrong; one open request of each
    kind at a time. An official of the household's area answers it."""
    if not can_file_data_request(actor, household):
        raise RuleViolation(_l("You may not file a request for this household."))
    if household.anonymised_at is not None:
        raise RuleViolation(_l("This household's personal data was already deleted."))
    details = clean(details)[:LONGEST_DETAILS]
    if kind is RequestKind.CORRECT and not details:
        raise RuleViolation(_l("Please say what is wrong and what it should be."), field="details")
    open_one = db.session.scalar(
        select(DataRequest.id).where(
            DataRequest.household_id == household.id,
            DataRequest.kind == kind,
            DataRequest.status == RequestStatus.OPEN,
        )
    )
    if open_one is not None:
        raise RuleViolation(_l("A request of this kind is already waiting for an answer."))
    request = DataRequest(
        household_id=household.id, kind=kind, details=details, filed_by_id=actor.id
    )
    db.session.add(request)
    db.session.flush()
    record_event(actor, "data_request.file", request, after={"household_id": household.id,
                                                               "kind": kind.value})  # fmt: skip
    db.session.commit()
    return request


def list_requests(user: User, open_only: bool = True) -> list[DataRequest]:
    statement = select(DataRequest).where(visible_data_requests(user))
    if open_only:
        statement = statement.where(DataRequest.status == RequestStatus.OPEN)
    statement = statement.options(
        selectinload(DataRequest.household).selectinload(Household.area),
        selectinload(DataRequest.filed_by),
    )
    return list(
        db.session.scalars(statement.order_by(DataRequest.filed_at, DataRequest.id).limit(200))
    )


def _close(actor: User, request: DataRequest, status: RequestStatus, answer: str) -> None:
    request.status = status
    request.handled_by_id = actor.id if actor else None
    request.handled_at = utcnow()
    request.answer = answer
    record_event(actor, f"data_request.{status.value}", request,
                 before={"status": RequestStatus.OPEN.value},
                 after={"status": status.value, "answer": answer})  # fmt: skip


@rollback_on_violation
def answer_correction(actor: User, request: DataRequest, answer: str) -> None:
    """Close a correction request as done, saying what was corrected (the household's record
    is edited on its own form, which audits each field)."""
    check_can_handle_data_request(actor, request)
    answer = clean(answer)[:LONGEST_DETAILS]
    if request.kind is not RequestKind.CORRECT:
        raise RuleViolation(_l("A deletion is answered by deleting the data, or refused."))
    if not answer:
        raise RuleViolation(_l("Please say what was corrected."), field="answer")
    _close(actor, request, RequestStatus.DONE, answer)
    db.session.commit()


@rollback_on_violation
def refuse_request(actor: User, request: DataRequest, answer: str) -> None:
    """Refuse a request, with the reason the household reads (e.g. the law asks to keep it)."""
    check_can_handle_data_request(actor, request)
    answer = clean(answer)[:LONGEST_DETAILS]
    if not answer:
        raise RuleViolation(_l("Please give the reason for refusing."), field="answer")
    _close(actor, request, RequestStatus.REFUSED, answer)
    db.session.commit()


@rollback_on_violation
def anonymise_household(actor: User, request: DataRequest) -> None:
    """Answer a deletion request: delete the household's personal data, keep what the plan
    and its certificate need.

    Cleared: the head of household's name, phone, CCCD, village and address; its members'
    names, phones and logins (deactivated, every session and card ended); the name printed
    on its certificates and their cached PDFs; shop and account ids of its activation
    requests; the details of its requests; the personal values of every audit event about
    those records and the addresses of its members' own events; its rows in kept import
    previews (and the uploaded files that held them). Kept: the household's commune,
    classification, outreach, attendance, lessons, quiz results and products; each
    certificate's serial, dates and revocation state, which verification still answers."""
    check_can_handle_data_request(actor, request)
    if request.kind is not RequestKind.DELETE:
        raise RuleViolation(_l("Only a deletion request deletes the data."))
    household = request.household
    identities = {value for value in (household.phone, household.national_id) if value}
    members = list(db.session.scalars(select(User).where(User.household_id == household.id)))
    identities |= {member.phone for member in members if member.phone}
    certificates = list(
        db.session.scalars(select(Certificate).where(Certificate.household_id == household.id))
    )
    activations = list(
        db.session.scalars(
            select(ActivationRequest).where(ActivationRequest.household_id == household.id)
        )
    )
    requests = list(
        db.session.scalars(select(DataRequest).where(DataRequest.household_id == household.id))
    )
    name = f"{ERASED_NAME} #{household.id}"
    household.head_name = name
    household.phone = household.national_id = None
    household.village = household.address = ""
    household.anonymised_at = utcnow()
    for member in members:
        member.full_name = name
        member.phone = member.email = None
        member.is_active = False
        member.password_hash = UNUSABLE_SECRET
        end_sessions(member)
        member.revoked_card_version = member.card_version
    for certificate in certificates:
        certificate.holder_name = name
    for activation in activations:
        activation.account_id = activation.account_url = ""
    for filed in requests:  # the household's words, and the answers that may repeat them
        filed.details = filed.answer = ""
    from lms.messages.services import erase_household_messages  # the outbox (issue #22)

    erase_household_messages(household)
    _scrub_audit(household, members, certificates, activations, requests)
    scrubbed_imports = _scrub_imports(household.id, identities)
    _close(actor, request, RequestStatus.DONE, _("Personal data deleted."))
    record_event(actor, "household.anonymise", household, after={
        "request_id": request.id, "certificates": [c.serial for c in certificates],
        "members": len(members), "imports": scrubbed_imports,
    })  # fmt: skip
    db.session.flush()
    db.session.commit()
    _remove_pdfs(certificates)


def _erased(values: Any) -> Any:
    if not isinstance(values, dict):
        return values
    return {
        k: (ERASED if k in PERSONAL_KEYS and v not in (None, "") else v) for k, v in values.items()
    }


def _scrub_audit(household: Household, members: list[User], *related: list) -> None:
    """The household's earlier names, phones and CCCDs live on in audit values: keep each
    event (who did what, when) and erase the values; the addresses of its members' own
    actions go too."""
    targets = [and_(AuditEvent.target_type == "Household", AuditEvent.target_id == household.id)]
    for records in ([*members], *related):
        if records:
            targets.append(
                and_(
                    AuditEvent.target_type == type(records[0]).__name__,
                    AuditEvent.target_id.in_([record.id for record in records]),
                )
            )
    member_ids = [member.id for member in members]
    own = AuditEvent.actor_id.in_(member_ids) if member_ids else AuditEvent.id.is_(None)
    for event in db.session.scalars(select(AuditEvent).where(or_(own, *targets))):
        event.before, event.after = _erased(event.before), _erased(event.after)
        if event.actor_id in member_ids:
            event.ip_address = None


def _scrub_imports(household_id: int, identities: set[str]) -> int:
    """Erase the household's rows from the kept previews of household-list imports (a
    commit reads the preview, never the file again), and delete the uploaded files that
    held them. In an import not yet committed, its rows become errors, so that a commit
    skips them. Returns how many imports held it."""
    from lms.households.importing import _save_preview, import_folder, load_preview
    from lms.households.reading import RowStatus

    touched = 0
    for record in db.session.scalars(select(HouseholdImport).order_by(HouseholdImport.id)):
        try:
            analysis = load_preview(record)
        except FileNotFoundError:
            continue
        found = False
        for row in analysis.rows:
            if row.household_id == household_id or any(
                row.values.get(key) in identities for key in ("phone", "national_id")
            ):
                found = True
                row.cells = [ERASED] * len(row.cells or [])
                row.values = _erased(row.values)
                row.messages = [ERASED]
                if not record.is_committed:
                    row.status = RowStatus.ERROR
        if found:
            touched += 1
            _save_preview(record, analysis)
            (import_folder() / record.stored_name).unlink(missing_ok=True)
    return touched


def _remove_pdfs(certificates: list[Certificate]) -> None:
    """The cached PDFs print the name: gone; a new one prints the erased name."""
    from lms.certificates.services import pdf_folder

    for certificate in certificates:
        for path in pdf_folder().glob(f"{certificate.serial}-*.pdf"):
            path.unlink(missing_ok=True)
