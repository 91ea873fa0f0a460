"""Activation requests and the gate (DESIGN §4 rule 3).

``refusal_reasons`` is the gate: the one function that says whether a household may have a
shop on a marketplace, or an online-payment account. Every change of a request's state goes
through ``_move``, which asks the gate whenever the request would move towards an account
(requested, approved, activated); when the gate says no, the request ends ``refused`` with
its reasons instead. The household's screen, the trainer's screens, the API and the CLI all
call the service functions below, so no path goes around the gate.

Who decides: trainers (postal staff) and admins approve, refuse and mark activated within
their scope; officials watch the queue and export it; households and trainers ask; the
marketplaces report activations and closures through the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, or_, select, update
from sqlalchemy.orm import selectinload

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.auth.models import User
from lms.certificates.completion import completion_for
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.services import valid_certificate
from lms.core.audit import record_event, snapshot
from lms.core.errors import RuleViolation, flush_unique, rollback_on_violation
from lms.core.models import today, utcnow
from lms.core.permissions import check_can_decide_activation
from lms.core.text import (
    clean,
    fold,
    normalize_national_id,
    normalize_phone,
    vietnamese_sort_key,
)
from lms.extensions import db
from lms.households.models import Household
from lms.products.models import CERTIFICATION_LABELS, Listing, Marketplace, PartnerKind, Product
from lms.products.services import MIN_OCOP_STARS, is_eligible, ocop_valid_until

Status = ActivationStatus

#: the states a request may move to from each state (a new request starts from None)
MOVES: dict[Status | None, frozenset[Status]] = {
    None: frozenset({Status.REQUESTED, Status.ACTIVATED}),
    Status.REQUESTED: frozenset({Status.APPROVED, Status.REFUSED, Status.ACTIVATED}),
    Status.APPROVED: frozenset({Status.REFUSED, Status.ACTIVATED}),
    Status.ACTIVATED: frozenset({Status.CLOSED}),
    Status.REFUSED: frozenset({Status.REQUESTED, Status.ACTIVATED}),
    Status.CLOSED: frozenset({Status.REQUESTED, Status.ACTIVATED}),
}
#: moving into these states needs the gate's yes
GATED = frozenset({Status.REQUESTED, Status.APPROVED, Status.ACTIVATED})
#: a request in one of these states is open: waiting for, or holding, an account
OPEN = (Status.REQUESTED, Status.APPROVED, Status.ACTIVATED)
AUDITED = ("status", "refusal_reason", "account_id", "account_url", "needs_review")
#: a decision taken on a page that showed the request as it no longer is
DECIDED_MEANWHILE = _l(
    "Someone else has just decided on this request; it is shown as it now stands."
)


# ---------------------------------------------------------------- the gate


def refusal_reasons(household: Household, partner: Marketplace) -> list[str]:
    """THE GATE: why ``household`` may not have an account on ``partner`` (empty: it may).

    A household needs a valid (not revoked) certificate; for a marketplace, also at least one
    product eligible to list (``lms.products.services.is_eligible``). Each reason says, in the
    user's language, what is missing and what to do next.
    """
    reasons = []
    if not partner.is_active:
        reasons.append(_("%(name)s is not opening new accounts at the moment.", name=partner.name))
    if valid_certificate(household.id) is None:
        reasons.append(_certificate_reason(household))
    if partner.kind is PartnerKind.MARKETPLACE and not any(
        is_eligible(product) for product in household.products
    ):
        reasons.append(
            _(
                "No product eligible to list yet: a product needs an OCOP rating of "
                "%(stars)d stars or more, or a VietGAP, GlobalGAP, HACCP, ISO 22000 or "
                "food-safety certification that is still valid. Ask the commune office or "
                "your trainer to record the product's rating or certification.",
                stars=MIN_OCOP_STARS,
            )
        )
        reasons.extend(_lapsed(household.products))
    return reasons


def _lapsed(products: list[Product]) -> list[str]:
    """What made a product eligible once and has ended (an OCOP rating past its 36 months, a
    certification past its expiry), said by name: the household knows which paper to renew."""
    on = today()
    lapsed = []
    for product in products:
        until = ocop_valid_until(product)
        if product.ocop_stars >= MIN_OCOP_STARS and until is not None and until < on:
            lapsed.append(
                _(
                    "The OCOP rating of “%(product)s” (%(stars)d stars) ended on %(day)s, "
                    "36 months after its decision: ask the commune office to record the "
                    "new decision.",
                    product=product.name,
                    stars=product.ocop_stars,
                    day=format_date(until, "dd/MM/yyyy"),
                )
            )
        for certification in product.certifications:
            if certification.expires_on is not None and certification.expires_on < on:
                lapsed.append(
                    _(
                        "The %(kind)s certification of “%(product)s” expired on %(day)s.",
                        kind=CERTIFICATION_LABELS[certification.kind],
                        product=product.name,
                        day=format_date(certification.expires_on, "dd/MM/yyyy"),
                    )
                )
    return lapsed


def _certificate_reason(household: Household) -> str:
    revoked = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.household_id == household.id,
            Certificate.status == CertificateStatus.REVOKED,
        )
        .order_by(Certificate.id.desc())
    ).first()
    if revoked is not None:
        return _(
            "The household's certificate %(serial)s was revoked (%(reason)s). Ask your trainer "
            "or the programme office to check it and issue it again.",
            serial=revoked.serial,
            reason=revoked.revocation_label,
        )
    completion = completion_for(household)
    if completion.programme is None or not completion.required:
        return _(
            "The household has no certificate: no training programme is open in its province "
            "yet. Ask your trainer when the classes start."
        )
    missing = [c.offer.version.title for c in completion.required if not c.complete]
    if not missing:
        return _(
            "The household has completed the courses but its certificate is not issued yet. "
            "Ask your trainer to issue it."
        )
    return _(
        "The household has not completed the course(s): %(courses)s. Finish the lessons (or "
        "attend a class session) and pass each course's quiz; the certificate is then issued "
        "at once.",
        courses="; ".join(missing),
    )


def stored_reasons(household: Household, partner: Marketplace) -> list[str]:
    """The gate's reasons in the programme's language, as kept on a refused request and shown
    to the household later (households read Vietnamese, whoever pressed the button)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return refusal_reasons(household, partner)


# ---------------------------------------------------------------- state changes


def _move(
    actor: User | None,
    request: ActivationRequest,
    target: Status,
    *,
    new: bool = False,
    seen: Status | None = None,
    reason: str | None = None,
    **fields: str,
) -> ActivationRequest:
    """The only place a request's status changes: check the move, ask the gate when the move
    leads towards an account (a no turns the move into a refusal with the gate's reasons),
    record who and when, audit, commit. ``seen`` is the status the deciding person's page
    showed: if the request moved on since, they are told, and decide again on what it is."""
    current = None if new else request.status
    if seen not in (None, current):
        raise RuleViolation(DECIDED_MEANWHILE)
    if target not in MOVES[current]:
        raise RuleViolation(_move_refusal(current, target))
    if target is not Status.REQUESTED:
        check_can_decide_activation(actor, request)
    if current is not None:
        _claim(request, current)
    before = snapshot(request, AUDITED) if current is not None else None
    now, who = utcnow(), actor.id if actor else None
    if target is Status.REQUESTED:  # asking (again) starts afresh
        request.requested_at, request.requested_by_id = now, who
        request.decided_at = request.decided_by_id = request.refusal_reason = None
        request.activated_at, request.account_id, request.account_url = None, "", ""
    request.answered_by_gate = False
    if target in GATED:
        reasons = stored_reasons(request.household, request.marketplace)
        if reasons:
            # refused as it is asked: an answer, not a request for anyone to decide
            request.answered_by_gate = target is Status.REQUESTED
            target, reason = Status.REFUSED, "\n".join(reasons)
    request.status = target
    if target is not Status.REQUESTED:
        request.decided_at, request.decided_by_id = now, who
    if target is Status.REFUSED:
        request.refusal_reason = reason
    if target is Status.ACTIVATED:
        request.activated_at, request.refusal_reason = now, None
        request.account_id, request.account_url = fields["account_id"], fields["account_url"]
        from lms.messages.triggers import account_activated  # messages build on activation

        account_activated(request)
    if target is Status.CLOSED:
        request.needs_review = False
        _end_listings(actor, request)
    db.session.flush()
    record_event(actor, f"activation.{target.value}", request, before, snapshot(request, AUDITED))
    db.session.commit()
    return request


def _claim(request: ActivationRequest, current: Status) -> None:
    """Take the request for this move, if it is still in ``current``: the row is locked (and
    touched) until the commit, so of two people deciding at once the second is told, instead
    of both moves being recorded."""
    claimed = db.session.execute(
        update(ActivationRequest)
        .where(ActivationRequest.id == request.id, ActivationRequest.status == current)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise RuleViolation(DECIDED_MEANWHILE)


#: what the postal staff decide on screen, by state (the API may move further: a marketplace
#: reports a shop it opened after a refusal)
STAFF_DECISIONS: dict[Status, frozenset[Status]] = {
    Status.REQUESTED: frozenset({Status.APPROVED, Status.ACTIVATED, Status.REFUSED}),
    Status.APPROVED: frozenset({Status.ACTIVATED, Status.REFUSED}),
    Status.ACTIVATED: frozenset({Status.CLOSED}),
}


def staff_decisions(request: ActivationRequest) -> frozenset[Status]:
    return STAFF_DECISIONS.get(request.status, frozenset())


def decision_refusal(
    request: ActivationRequest, target: Status, seen: Status | None = None
) -> str | None:
    """Why the staff cannot take this decision on ``request`` now (None: they can). Screens
    ask before reading a form, so a stale page is told the request moved on."""
    if seen not in (None, request.status):
        return str(DECIDED_MEANWHILE)
    if target in staff_decisions(request):
        return None
    return _move_refusal(request.status, target)


def _move_refusal(current: Status | None, target: Status) -> str:
    if current in OPEN and target is Status.REQUESTED:
        return _("The household has already asked; the request is being handled.")
    if target is Status.CLOSED:
        return _("Only an activated account can be closed.")
    if current is Status.ACTIVATED:
        return _("The account is already activated.")
    return _("This request is not waiting for a decision.")


def _end_listings(actor: User | None, request: ActivationRequest) -> None:
    """A closed shop lists nothing: the household's listings on that marketplace end."""
    listings = db.session.scalars(
        select(Listing)
        .join(Product)
        .where(
            Product.household_id == request.household_id,
            Listing.marketplace_id == request.marketplace_id,
            Listing.delisted_on.is_(None),
        )
    )
    for listing in listings:
        listing.delisted_on = today()
        record_event(actor, "listing.end", listing, after={"delisted_on": today().isoformat()})


def _request_for(household: Household, partner: Marketplace) -> tuple[ActivationRequest, bool]:
    """The household's one request for ``partner``, or a new one (flushed: two first requests
    at once meet the unique constraint, and the second is told the household already asked)."""
    request = db.session.scalar(
        select(ActivationRequest).where(
            ActivationRequest.household_id == household.id,
            ActivationRequest.marketplace_id == partner.id,
        )
    )
    if request is not None:
        return request, False
    request = ActivationRequest(household=household, marketplace=partner)
    db.session.add(request)
    flush_unique(_l("The household has already asked; the request is being handled."))
    return request, True


@rollback_on_violation
def request_activation(
    actor: User | None, household: Household, partner: Marketplace
) -> ActivationRequest:
    """A household (or a trainer for it) asks for a shop or an account ("Đăng ký mở gian
    hàng"). The gate answers at once: a household that may not yet is refused with the
    reasons and what to do next, and may ask again later; otherwise the request waits for
    postal staff. Asking again reopens the same request."""
    request, new = _request_for(household, partner)
    return _move(actor, request, Status.REQUESTED, new=new)


@rollback_on_violation
def approve(
    actor: User | None, request: ActivationRequest, seen: Status | None = None
) -> ActivationRequest:
    """Postal staff approve a waiting request, if the gate still says yes (a certificate
    revoked since the household asked makes it a refusal)."""
    return _move(actor, request, Status.APPROVED, seen=seen)


@rollback_on_violation
def refuse(
    actor: User | None, request: ActivationRequest, reason: str, seen: Status | None = None
) -> ActivationRequest:
    """Postal staff refuse a waiting or approved request, saying why in words the household
    understands."""
    reason = clean(reason)
    if not reason:
        raise RuleViolation(_l("Please say why the request is refused."), field="reason")
    return _move(actor, request, Status.REFUSED, seen=seen, reason=reason)


@rollback_on_violation
def mark_activated(
    actor: User | None,
    request: ActivationRequest,
    account_id: str,
    account_url: str,
    seen: Status | None = None,
) -> ActivationRequest:
    """The shop or account exists on the partner's side: record its id and address. The gate
    is asked once more; if the household no longer qualifies the request is refused."""
    account_id, account_url = clean(account_id), clean(account_url)
    _check_account(account_id, account_url)
    return _move(
        actor,
        request,
        Status.ACTIVATED,
        seen=seen,
        account_id=account_id,
        account_url=account_url,
    )


@rollback_on_violation
def report_activated(
    actor: User | None,
    household: Household,
    partner: Marketplace,
    account_id: str,
    account_url: str,
) -> ActivationRequest:
    """A partner reports (API) that it opened the household's shop or account, whether or not
    the household had asked here first; the gate decides as for any activation."""
    account_id, account_url = clean(account_id), clean(account_url)
    _check_account(account_id, account_url)
    request, new = _request_for(household, partner)
    return _move(
        actor, request, Status.ACTIVATED, new=new, account_id=account_id, account_url=account_url
    )


def _check_account(account_id: str, account_url: str) -> None:
    if not account_id:
        raise RuleViolation(_l("Please enter the shop or account id."), field="account_id")
    if len(account_id) > 120:
        raise RuleViolation(_l("The id is too long (120 characters at most)."), field="account_id")
    if account_url and not account_url.startswith(("https://", "http://")):
        raise RuleViolation(_l("The address must start with https://"), field="account_url")
    if len(account_url) > 500:
        raise RuleViolation(
            _l("The address is too long (500 characters at most)."), field="account_url"
        )


@rollback_on_violation
def report_closed(
    actor: User | None, request: ActivationRequest, seen: Status | None = None
) -> ActivationRequest:
    """The shop or account was closed: the request is closed and the household's listings on
    that marketplace end. The household may ask again later (through the gate)."""
    return _move(actor, request, Status.CLOSED, seen=seen)


# ---------------------------------------------------------------- certificate events


def on_certificate_revoked(sender=None, *, household_id: int) -> None:
    """A revoked certificate puts the household's activated accounts up for review (flushes;
    the revoking service commits). Only when no other valid certificate remains."""
    _flag_review(household_id, valid_certificate(household_id) is None)


def on_certificate_issued(sender=None, *, household_id: int) -> None:
    """A new valid certificate (a re-issue after a name correction, or the programme completed
    again) settles the review: ``needs_review`` means "activated without a valid certificate"."""
    _flag_review(household_id, False)


def _flag_review(household_id: int, flag: bool) -> None:
    requests = db.session.scalars(
        select(ActivationRequest).where(
            ActivationRequest.household_id == household_id,
            ActivationRequest.status == Status.ACTIVATED,
            ActivationRequest.needs_review.is_not(flag),
        )
    )
    for request in requests:
        request.needs_review = flag
        record_event(None, "activation.review", request, after={"needs_review": flag})
    db.session.flush()


# ---------------------------------------------------------------- reading


def partners() -> list[Marketplace]:
    """Marketplaces first, then payment providers; only those open for accounts."""
    statement = select(Marketplace).where(Marketplace.is_active)
    return sorted(
        db.session.scalars(statement),
        key=lambda m: (m.kind != "marketplace", vietnamese_sort_key(m.name)),
    )


def find_household(
    phone: str | None = None, national_id: str | None = None, within=None
) -> Household | None:
    """The household with this phone or national ID (any written form), within a where-clause
    when given (a partner's area); None when neither is given or nothing matches."""
    conditions = []
    if phone and normalize_phone(phone):
        conditions.append(Household.phone == normalize_phone(phone))
    if national_id and normalize_national_id(national_id):
        conditions.append(Household.national_id == normalize_national_id(national_id))
    if not conditions:
        return None
    statement = select(Household).where(or_(*conditions))
    if within is not None:
        statement = statement.where(within)
    return db.session.scalars(statement).first()


def identify_household(
    phone: str | None, national_id: str | None, head_name: str | None, within=None
) -> Household | None:
    """The one household a partner's call names by phone or national ID, or None.

    Rule (DESIGN §4 rule 7, as for imports): the call must not describe someone else. A
    phone of one household and a CCCD of another, a CCCD other than the one registered, or
    a name that is not the household's (diacritics and case aside) is refused, never
    answered for whichever household matched first.
    """
    conditions = []
    if phone and normalize_phone(phone):
        conditions.append(Household.phone == normalize_phone(phone))
    if national_id and normalize_national_id(national_id):
        conditions.append(Household.national_id == normalize_national_id(national_id))
    if not conditions:
        return None
    statement = select(Household).where(or_(*conditions)).order_by(Household.id).limit(2)
    if within is not None:
        statement = statement.where(within)
    matches = list(db.session.scalars(statement))
    if not matches:
        return None
    if len(matches) > 1:
        raise RuleViolation(
            _l("The phone number and the CCCD belong to two different registered households.")
        )
    household = matches[0]
    given_id = normalize_national_id(national_id) if national_id else None
    if given_id and household.national_id not in (None, given_id):
        raise RuleViolation(_l("This national ID is not the one registered for this household."))
    if head_name and fold(clean(head_name)) != fold(household.head_name):
        raise RuleViolation(_l("This name is not the registered head of this household."))
    return household


def readiness(household: Household) -> tuple[Certificate | None, list[Product]]:
    """What the gate looks at, for the household's own page: its valid certificate (or None)
    and its products eligible to list."""
    return valid_certificate(household.id), [p for p in household.products if is_eligible(p)]


def requests_of(household: Household) -> dict[int, ActivationRequest]:
    """The household's requests by partner id."""
    statement = select(ActivationRequest).where(ActivationRequest.household_id == household.id)
    return {request.marketplace_id: request for request in db.session.scalars(statement)}


@dataclass(frozen=True)
class RequestFilter:
    area_id: int | None = None
    marketplace_id: int | None = None
    status: str = ""
    needs_review: bool = False


def requests_query(user: User, filters: RequestFilter) -> Select:
    """Requests in the user's scope that pass the filters, waiting ones first, oldest first.
    The gate's answers to households that asked too early are not requests: left out."""
    from lms.areas.models import Area
    from lms.core.scope import subtree_ids, visible_activation_requests

    statement = (
        select(ActivationRequest)
        .join(Household)
        .where(visible_activation_requests(user), ActivationRequest.answered_by_gate.is_(False))
    )
    if filters.area_id:
        area = db.session.get(Area, filters.area_id)
        statement = statement.where(Household.area_id.in_(subtree_ids(area)))
    if filters.marketplace_id:
        statement = statement.where(ActivationRequest.marketplace_id == filters.marketplace_id)
    if filters.status in Status.__members__.values():
        statement = statement.where(ActivationRequest.status == filters.status)
    if filters.needs_review:
        statement = statement.where(ActivationRequest.needs_review)
    # what waits for a decision first (then approved, to activate), oldest first
    waiting = case(
        (ActivationRequest.status == Status.REQUESTED, 0),
        (ActivationRequest.status == Status.APPROVED, 1),
        else_=2,
    )
    return statement.options(
        selectinload(ActivationRequest.household).selectinload(Household.area),
        selectinload(ActivationRequest.marketplace),
    ).order_by(waiting, ActivationRequest.requested_at, ActivationRequest.id)
