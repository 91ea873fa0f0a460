"""What the other domains call after their own change: each writes the message in the
caller's transaction (flushed, not committed), so it is sent once that change commits, and
never for a change rolled back. Kept apart from ``services`` so that a domain imports only
this small surface (lazily: messages builds on the domains, not the reverse)."""

from __future__ import annotations

from flask import current_app, has_request_context

from lms.core.models import utcnow
from lms.extensions import db
from lms.households.models import Household
from lms.messages.services import enqueue, local_time


def on_certificate_issued(sender=None, *, household_id: int) -> None:
    """The certificate's serial and the page that verifies it (``certificate_issued``)."""
    from lms.certificates.services import public_url, valid_certificate

    certificate = valid_certificate(household_id)
    if certificate is None:
        return
    household = db.session.get(Household, household_id)
    if has_request_context() or current_app.config.get("PUBLIC_BASE_URL"):
        link = public_url("verify.lookup", serial=certificate.serial)
    else:  # the CLI or a worker without PUBLIC_BASE_URL: the link is built on localhost
        with current_app.test_request_context("/"):
            link = public_url("verify.lookup", serial=certificate.serial)
    values = {"ho": household.head_name, "so_hieu": certificate.serial, "link": link}
    enqueue(household, "certificate_issued", certificate, values)


def account_activated(request) -> None:
    """A shop or payment account activated (again: a new activation is a new message)."""
    household = request.household
    values = {
        "ho": household.head_name,
        "doi_tac": request.marketplace.name,
        "ma_tai_khoan": request.account_id or "—",
    }
    occasion = (request.activated_at or utcnow()).isoformat()
    enqueue(household, "account_activated", request, values, occasion=occasion)


def pin_changed(member) -> None:
    """A new PIN (a printed card, or the member's own): when, never the PIN itself."""
    household = member.household
    if household is None:
        return
    now = utcnow()
    values = {"ho": household.head_name, "thoi_gian": local_time(now)}
    enqueue(household, "new_pin", member, values, occasion=now.isoformat())
