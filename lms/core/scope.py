"""Who may see what (DESIGN §4 rule 4), decided here and nowhere else.

Each ``visible_<things>(user)`` returns a where-clause; every list starts from it and
``get_or_404`` applies it to every fetch by id, so an id outside the caller's scope
answers 404 exactly like an id that does not exist.

- a household member sees its own household, its results and the sessions it is enrolled in;
- a trainer sees the households of its area (to enrol them and register walk-ins) and the
  sessions of its organisation in its area;
- an official sees everything in its area's subtree, including the legacy communes merged
  into a commune of it (the 2025 reform: their households are now that commune's);
- a member of a commune's community digital technology team sees only what assisting
  needs: the sessions held in its commune and the households of its commune on their
  rosters (never a national ID: ``can_see_national_id``);
- an admin sees everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import aliased

from lms.activation.models import ActivationRequest
from lms.areas.models import Area, AreaLevel
from lms.attendance.models import AttendanceMark, ClassSession
from lms.auth.models import Role, User
from lms.certificates.models import Certificate
from lms.core.database import vietnamese
from lms.courses.models import QuizAttempt
from lms.extensions import db
from lms.households.models import Household, HouseholdImport
from lms.jobs.models import Job
from lms.organisations.models import Organisation
from lms.outreach.models import Broadcast
from lms.privacy.models import DataRequest
from lms.products.models import Certification, Listing, Product

ModelT = TypeVar("ModelT")
Clause = ColumnElement[bool]


def subtree_ids(root: Area | None):
    """A subquery of the ids of ``root``, every area below it, and the legacy units merged
    into any of those (their records roll up to the unit that took them over)."""
    if root is None:
        return select(Area.id).where(false())
    current = aliased(Area)
    inside = select(current.id).where(current.path.startswith(root.path, autoescape=True))
    return select(Area.id).where(
        or_(Area.path.startswith(root.path, autoescape=True), Area.merged_into_id.in_(inside))
    )


def visible_areas(user: User) -> Clause:
    if user.role is Role.ADMIN:
        return true()
    if user.role is Role.HOUSEHOLD:
        return Area.id == (user.household.area_id if user.household else None)
    return Area.id.in_(subtree_ids(user.area))


def visible_households(user: User) -> Clause:
    if user.role is Role.ADMIN:
        return true()
    if user.role is Role.HOUSEHOLD:
        return Household.id == user.household_id if user.household_id else false()
    if user.role is Role.DIGITAL_TEAM:
        on_rosters_here = select(AttendanceMark.household_id).join(ClassSession)
        on_rosters_here = on_rosters_here.where(ClassSession.area_id.in_(subtree_ids(user.area)))
        return Household.area_id.in_(subtree_ids(user.area)) & Household.id.in_(on_rosters_here)
    return Household.area_id.in_(subtree_ids(user.area))


def visible_products(user: User) -> Clause:
    """Products are seen with their household."""
    if user.role is Role.ADMIN:
        return true()
    return Product.household_id.in_(select(Household.id).where(visible_households(user)))


def visible_certifications(user: User) -> Clause:
    return Certification.product_id.in_(select(Product.id).where(visible_products(user)))


def visible_listings(user: User) -> Clause:
    return Listing.product_id.in_(select(Product.id).where(visible_products(user)))


def visible_attempts(user: User) -> Clause:
    """Quiz attempts are seen with their household."""
    if user.role is Role.ADMIN:
        return true()
    return QuizAttempt.household_id.in_(select(Household.id).where(visible_households(user)))


def visible_certificates(user: User) -> Clause:
    """Certificates are seen with their household."""
    if user.role is Role.ADMIN:
        return true()
    return Certificate.household_id.in_(select(Household.id).where(visible_households(user)))


def visible_activation_requests(user: User) -> Clause:
    """Activation requests are seen with their household."""
    if user.role is Role.ADMIN:
        return true()
    return ActivationRequest.household_id.in_(select(Household.id).where(visible_households(user)))


def visible_imports(user: User) -> Clause:
    """An import is seen by whoever uploaded it (and admins)."""
    if user.role is Role.ADMIN:
        return true()
    return HouseholdImport.created_by_id == user.id


def visible_sessions(user: User) -> Clause:
    if user.role is Role.ADMIN:
        return true()
    if user.role in (Role.OFFICIAL, Role.DIGITAL_TEAM):
        return ClassSession.area_id.in_(subtree_ids(user.area))
    if user.role is Role.TRAINER:
        return (ClassSession.organisation_id == user.organisation_id) & ClassSession.area_id.in_(
            subtree_ids(user.area)
        )
    if not user.household_id:
        return false()
    # a household sees the sessions it is on the roster of
    return ClassSession.id.in_(
        select(AttendanceMark.session_id).where(AttendanceMark.household_id == user.household_id)
    )


def visible_broadcasts(user: User) -> Clause:
    """Commune radio broadcasts are the officials' records: those of their area's communes."""
    if user.role is Role.ADMIN:
        return true()
    if user.role is Role.OFFICIAL:
        return Broadcast.area_id.in_(subtree_ids(user.area))
    return false()


def visible_data_requests(user: User) -> Clause:
    """A request about personal data is seen with its household, by the household itself,
    the officials of its area and whoever filed it."""
    if user.role is Role.ADMIN:
        return true()
    if user.role is Role.HOUSEHOLD:
        return DataRequest.household_id == user.household_id if user.household_id else false()
    if user.role is Role.OFFICIAL:
        return DataRequest.household_id.in_(select(Household.id).where(visible_households(user)))
    return DataRequest.filed_by_id == user.id


def visible_organisations(user: User) -> Clause:
    if user.role is Role.HOUSEHOLD:
        return false()
    return true()


def visible_users(user: User) -> Clause:
    """Accounts are managed by admins; everyone else sees only their own."""
    if user.role is Role.ADMIN:
        return true()
    return User.id == user.id


def visible_jobs(user: User) -> Clause:
    """A job is seen by whoever asked for it (its progress, its file); an admin sees every
    job, those of the CLI and the periodic tasks too."""
    if user.role is Role.ADMIN:
        return true()
    return Job.user_id == user.id


def visible_messages(user: User) -> Clause:
    """Messages to households (lms.messages) are seen with their household."""
    from lms.messages.models import Message

    if user.role is Role.ADMIN:
        return true()
    return Message.household_id.in_(select(Household.id).where(visible_households(user)))


SCOPES: dict[type, Callable[[User], Clause]] = {
    Area: visible_areas,
    Household: visible_households,
    HouseholdImport: visible_imports,
    Product: visible_products,
    Certification: visible_certifications,
    Listing: visible_listings,
    QuizAttempt: visible_attempts,
    Certificate: visible_certificates,
    ActivationRequest: visible_activation_requests,
    ClassSession: visible_sessions,
    Organisation: visible_organisations,
    User: visible_users,
    Broadcast: visible_broadcasts,
    DataRequest: visible_data_requests,
    Job: visible_jobs,
}


def get_or_404(model: type[ModelT], record_id: Any, user: User | None = None) -> ModelT:
    """Fetch one record by id within the user's scope; anything else is a 404."""
    user = user if user is not None else current_user
    statement = select(model).where(model.id == record_id, SCOPES[model](user))  # type: ignore[attr-defined]
    record = db.session.scalar(statement)
    if record is None:
        abort(404)
    return record


def get_all_or_404(
    model: type[ModelT], record_ids: Iterable[Any], user: User | None = None
) -> list[ModelT]:
    """Fetch every record of ``record_ids`` within the user's scope, in the order given;
    a single id that does not exist or is out of scope makes the whole request a 404."""
    user = user if user is not None else current_user
    wanted = list(dict.fromkeys(record_ids))
    if not wanted:
        return []
    statement = select(model).where(model.id.in_(wanted), SCOPES[model](user))  # type: ignore[attr-defined]
    found = {record.id: record for record in db.session.scalars(statement)}  # type: ignore[attr-defined]
    if len(found) != len(wanted):
        abort(404)
    return [found[record_id] for record_id in wanted]


def role_required(*roles: Role) -> Callable:
    """Log in first, then the user's role must be one of ``roles`` (otherwise 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def communes_in_scope(user: User) -> list[Area]:
    """The current communes (not merged into another) of the user's scope, in Vietnamese
    order: where households are put, and what lists and dashboards are narrowed to."""
    statement = select(Area).where(
        visible_areas(user), Area.level == AreaLevel.COMMUNE, Area.merged_into_id.is_(None)
    )
    return list(db.session.scalars(statement.order_by(vietnamese(Area.name))))
