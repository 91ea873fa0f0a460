"""Who may do what (DESIGN §4 rule 4), decided here and nowhere else.

``lms.core.scope`` says what a user may *see*; this module says what it may *do* to a record
it sees. Views call these predicates to answer 403 and to show a button or not (templates get
them as globals, so no template compares role strings); services call them again, so the CLI
and the API meet the same rule.

- an admin may do everything;
- an official changes the households of its area and runs the officials' screens;
- a trainer sees the households of its area (it enrols from the commune's list and registers
  walk-ins) but changes one (edits it, prints its login card, gives it a new PIN) only when
  it is on a roster of its organisation's sessions or the trainer registered it; it decides
  activation requests only for the partners its own organisation runs
  (``Marketplace.operators``);
- a trainer, or a member of a commune's community digital technology team in its commune,
  opens assisted mode for a household on the roster of a session held today
  (``can_assist``, ``lms.assisted``);
- a household member changes nothing but its own answers and requests.
"""

from __future__ import annotations

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, false, or_, select, true

from lms.activation.models import ActivationRequest
from lms.areas.models import Area
from lms.attendance.models import AttendanceMark, ClassSession
from lms.auth.models import Role, User
from lms.certificates.models import Certificate
from lms.core.errors import RuleViolation
from lms.core.scope import Clause, visible_households, visible_sessions
from lms.courses.models import QuizAttempt
from lms.extensions import db
from lms.households.models import Household
from lms.privacy.models import DataRequest
from lms.products.models import partner_operators

#: every staff screen: admins, officials, trainers
STAFF = (Role.ADMIN, Role.OFFICIAL, Role.TRAINER)
#: the officials' screens (figures, imports, reconciliation), and admins
OFFICIALS = (Role.ADMIN, Role.OFFICIAL)
#: the trainers' screens (class sessions, login cards, activation decisions), and admins
TRAINERS = (Role.ADMIN, Role.TRAINER)
#: who helps households learn in assisted mode (lms.assisted), and admins
ASSISTERS = (Role.ADMIN, Role.TRAINER, Role.DIGITAL_TEAM)


def require(allowed: bool) -> None:
    """In a view: answer 403 unless the predicate allowed it (the record was already fetched
    in scope, so the user may know it exists)."""
    if not allowed:
        abort(403)


def can_see_national_id(user: User, household: Household) -> bool:
    """The full CCCD is for admins and for the household itself; everyone else sees it masked."""
    return user.role is Role.ADMIN or user.household_id == household.id


def can_export_national_ids(user: User) -> bool:
    """A list of households leaves the product with full CCCDs only for admins."""
    return user.role is Role.ADMIN


# ---------------------------------------------------------------- households


def changeable_households(user: User) -> Clause:
    """The households ``user`` may change: a where-clause, like the scope functions."""
    if user.role is Role.ADMIN:
        return true()
    if user.role is Role.OFFICIAL:
        return visible_households(user)
    if user.role is Role.TRAINER and user.organisation_id is not None:
        on_our_rosters = select(AttendanceMark.household_id).join(ClassSession)
        on_our_rosters = on_our_rosters.where(ClassSession.organisation_id == user.organisation_id)
        return visible_households(user) & or_(
            Household.registered_by_id == user.id, Household.id.in_(on_our_rosters)
        )
    return false()


def can_edit_household(user: User, household: Household) -> bool:
    """Edit the household, its products and their certifications and listings."""
    if user.role is Role.ADMIN:
        return True
    return bool(
        db.session.scalar(
            select(exists().where(Household.id == household.id, changeable_households(user)))
        )
    )


def check_can_edit_household(actor: User | None, household: Household) -> None:
    """In a service: refuse a change ``can_edit_household`` does not allow (None: the system
    itself, e.g. a CLI import)."""
    if actor is not None and not can_edit_household(actor, household):
        raise RuleViolation(
            _l(
                "Only a trainer whose class has this household on its roster, or who registered "
                "it, may change it. Enrol the household in one of your sessions first."
            )
        )


def can_open_household(user: User) -> bool:
    """The household's page (its record, products, requests) is for the household and the
    staff who manage households; a community digital technology team member only assists,
    from the session's roster (lms.assisted), and sees no CCCD, not even masked."""
    return user.role is not Role.DIGITAL_TEAM


def can_print_card(user: User, household: Household) -> bool:
    """Print a login card (a new PIN; earlier cards stop working) or revoke the cards: the
    trainers' work, for a household they may change."""
    return user.role in TRAINERS and can_edit_household(user, household)


def check_can_print_card(actor: User | None, household: Household) -> None:
    if actor is not None and not can_print_card(actor, household):
        raise RuleViolation(
            _l(
                "Only a trainer whose class has this household on its roster, or who registered "
                "it, may print its login card."
            )
        )


def can_import_households(user: User) -> bool:
    return user.role in OFFICIALS


# ---------------------------------------------------------------- class sessions


def can_plan_session(user: User) -> bool:
    """Sessions are planned by a trainer, for its organisation."""
    return user.role is Role.TRAINER and user.organisation_id is not None


def can_unlock_marks(user: User) -> bool:
    """Marks lock some days after a session; only an admin corrects them afterwards."""
    return user.role is Role.ADMIN


def can_run_session(user: User, session: ClassSession) -> bool:
    """Edit the session, its roster and its marks: its organisation's trainers, and admins."""
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.TRAINER and user.organisation_id == session.organisation_id


# ---------------------------------------------------------------- activation


def can_ask_activation(user: User, household: Household) -> bool:
    """Ask for a shop or a payment account: the household itself, or a trainer (or admin)
    beside it."""
    return user.household_id == household.id or user.role in TRAINERS


def can_decide_activation(user: User, request: ActivationRequest) -> bool:
    """Approve, refuse, mark activated or closed: a trainer of an organisation that runs the
    request's marketplace or payment service, within its area; admins."""
    if user.role is Role.ADMIN:
        return True
    if user.role is not Role.TRAINER or user.organisation_id is None:
        return False
    runs_it = exists().where(
        partner_operators.c.marketplace_id == request.marketplace_id,
        partner_operators.c.organisation_id == user.organisation_id,
    )
    in_scope = exists().where(Household.id == request.household_id, visible_households(user))
    return bool(db.session.scalar(select(runs_it & in_scope)))


def check_can_decide_activation(actor: User | None, request: ActivationRequest) -> None:
    if actor is not None and not can_decide_activation(actor, request):
        raise RuleViolation(
            _l(
                "Only the trainers of an organisation that runs %(name)s decide its requests.",
                name=request.marketplace.name,
            )
        )


# ---------------------------------------------------------------- learning


def is_own_attempt(user: User, attempt: QuizAttempt) -> bool:
    """The household that took a quiz may take it again; staff only read the attempt."""
    return user.household_id is not None and user.household_id == attempt.household_id


def can_assist(user: User, session: ClassSession) -> bool:
    """Open assisted mode for the households of a session's roster: its organisation's
    trainers, the community digital technology team of the commune it is held in (the session
    is in their scope), and admins. That the session is today and the household on its roster
    is the rule of ``lms.assisted.services.open_assist``."""
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.DIGITAL_TEAM:
        return bool(
            db.session.scalar(
                select(exists().where(ClassSession.id == session.id, visible_sessions(user)))
            )
        )
    return can_run_session(user, session)


# ---------------------------------------------------------------- certificates


def can_revoke_certificate(user: User, certificate: Certificate) -> bool:
    return user.role is Role.ADMIN and certificate.is_valid


# ---------------------------------------------------------------- flagship products


def can_choose_flagship(user: User, province: Area) -> bool:
    """Choose or withdraw a province's flagship products: admins, and the officials of that
    province (not of one of its communes)."""
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.OFFICIAL and user.area_id == province.id


def check_can_choose_flagship(actor: User | None, province: Area) -> None:
    if actor is not None and not can_choose_flagship(actor, province):
        raise RuleViolation(
            _l(
                "Only an administrator or an official of the province chooses its flagship "
                "products."
            )
        )


# ---------------------------------------------------------------- outreach and personal data


def can_record_broadcast(user: User) -> bool:
    """Write a commune radio announcement and record its broadcast: officials (for the
    communes of their area) and admins."""
    return user.role in OFFICIALS


def can_file_data_request(user: User, household: Household) -> bool:
    """Ask to correct or delete a household's personal data: the household itself, or staff
    who may change it, on its behalf."""
    if user.household_id is not None:
        return user.household_id == household.id
    return user.role in STAFF and can_edit_household(user, household)


def can_handle_data_request(user: User, request: DataRequest) -> bool:
    """Answer a request (correct, delete, refuse): an official of the household's area, or
    an admin, while it is open."""
    if not request.is_open or user.role not in OFFICIALS:
        return False
    if user.role is Role.ADMIN:
        return True
    in_scope = exists().where(Household.id == request.household_id, visible_households(user))
    return bool(db.session.scalar(select(in_scope)))


def check_can_handle_data_request(actor: User | None, request: DataRequest) -> None:
    if actor is not None and not can_handle_data_request(actor, request):
        raise RuleViolation(_l("Only an official of the household's area answers an open request."))


# ---------------------------------------------------------------- messages and consent


def can_record_paper_consent(user: User, session: ClassSession) -> bool:
    """Record the paper consent forms signed at a class: the trainers who run the session
    (for the households of its roster), and admins."""
    return can_run_session(user, session)


def can_see_delivery(user: User) -> bool:
    """The officials' screen of messages delivered and failed, per commune of their area."""
    return user.is_authenticated and user.role in OFFICIALS


def can_manage(user: User) -> bool:
    """Areas, organisations, accounts, programmes, courses, API keys: admins only."""
    return user.is_authenticated and user.role is Role.ADMIN


def can_set_targets(user: User) -> bool:
    """Officials set the plan's targets of the communes of their area; admins of every
    commune."""
    return user.role in OFFICIALS


def can_see_all_jobs(user: User) -> bool:
    """The jobs page lists everyone's jobs (with who asked) for admins only; anyone else
    sees the jobs it asked for (``visible_jobs``)."""
    return user.is_authenticated and user.role is Role.ADMIN


PREDICATES = (
    can_see_national_id,
    can_edit_household,
    can_print_card,
    can_import_households,
    can_plan_session,
    can_run_session,
    can_ask_activation,
    can_decide_activation,
    is_own_attempt,
    can_assist,
    can_revoke_certificate,
    can_choose_flagship,
    can_record_broadcast,
    can_file_data_request,
    can_handle_data_request,
    can_manage,
    can_record_paper_consent,
    can_see_delivery,
    can_set_targets,
    can_see_all_jobs,
)


def init_app(app: Flask) -> None:
    """Templates ask the same predicates: ``{% if can_print_card(current_user, household) %}``."""
    app.jinja_env.globals.update({predicate.__name__: predicate for predicate in PREDICATES})
