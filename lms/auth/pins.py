"""Household members' own PINs: the PIN printed on a login card was seen by whoever printed
it, so the member is asked to replace it at the next login, and may change it whenever it
likes. The lessons call PINs such as 123456 unsafe; the product refuses them too.
"""

from __future__ import annotations

from itertools import pairwise

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from lms.auth.models import Role, User
from lms.auth.services import end_sessions, hash_secret
from lms.core.audit import record_event
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.extensions import db


def is_weak_pin(pin: str) -> bool:
    """A PIN anyone would try first: one digit repeated, a run up or down (123456, 987654),
    or a pair or triple repeated (121212, 123123)."""
    if len(pin) != 6 or not pin.isdigit():
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(pin)}
    return (len(steps) == 1 and steps <= {0, 1, 9}) or pin[:2] * 3 == pin or pin[:3] * 2 == pin


def should_change_pin(member: User, typed_pin: str) -> bool:
    """Asked at login: the PIN came printed on a card, or is one anyone would guess."""
    return member.role is Role.HOUSEHOLD and (member.must_change_pin or is_weak_pin(typed_pin))


@rollback_on_violation
def change_pin(member: User, current: str, new: str) -> None:
    """The member replaces its PIN.

    Rules: the current PIN is right; the new one is 6 digits, not the current one, and not
    one anyone would guess. Every other session of the member ends (a phone that saw the old
    PIN logs out); the printed card's QR keeps working until a new card is printed.
    """
    if member.role is not Role.HOUSEHOLD:
        raise RuleViolation(_l("Only household members have a PIN."))
    if not check_password_hash(member.password_hash, current or ""):
        raise RuleViolation(_l("The current PIN is not correct."), field="current")
    if not (len(new) == 6 and new.isdigit()):
        raise RuleViolation(_l("The PIN must be exactly 6 digits."), field="new")
    if new == current:
        raise RuleViolation(_l("Choose a PIN other than the one on your card."), field="new")
    if is_weak_pin(new):
        raise RuleViolation(
            _l("This PIN is too easy to guess (like 123456 or 111111). Choose another."),
            field="new",
        )
    member.password_hash = hash_secret(new)
    member.must_change_pin = False
    end_sessions(member)
    record_event(member, "user.change_pin", member)
    from lms.messages.triggers import pin_changed  # messages build on auth

    pin_changed(member)
    db.session.commit()
