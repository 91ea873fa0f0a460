"""Logging in and managing accounts, without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth import services
from lms.auth.models import Role, User
from lms.core.audit import AuditEvent
from lms.core.errors import LoginLocked, RuleViolation
from lms.core.models import utcnow
from lms.core.throttle import FailedAttempt
from lms.extensions import db
from tests.builders import PASSWORD, PIN, make_household, make_organisation, make_user


def test_staff_log_in_with_email_and_password(app):
    user = make_user(Role.TRAINER, email="gv@example.vn", area=make_organisation().area)
    assert services.authenticate_staff("  GV@example.vn ", PASSWORD) is user
    assert user.last_login_at is not None


def test_households_log_in_with_any_form_of_their_phone(app):
    member = make_user(Role.HOUSEHOLD, household=make_household(phone="0912345678"))
    assert services.authenticate_household("+84 912 345 678", PIN) is member


def test_a_household_pin_does_not_open_a_staff_login(app):
    make_user(Role.HOUSEHOLD, household=make_household(phone="0912345678"))
    with pytest.raises(RuleViolation):
        services.authenticate_staff("0912345678", PIN)


def test_secrets_are_stored_as_slow_hashes(app):
    user = make_user(Role.ADMIN)
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_five_failures_lock_the_login_even_for_the_right_password(app):
    user = make_user(Role.ADMIN, email="admin@example.vn")
    for _ in range(4):
        with pytest.raises(RuleViolation) as wrong:
            services.authenticate_staff("admin@example.vn", "wrong-password")
        assert not isinstance(wrong.value, LoginLocked)
    with pytest.raises(LoginLocked) as locked:
        services.authenticate_staff("admin@example.vn", "wrong-password")
    assert "15" in str(locked.value.message)
    with pytest.raises(LoginLocked):
        services.authenticate_staff("admin@example.vn", PASSWORD)
    assert user.last_login_at is None


def test_the_right_password_at_the_last_allowed_attempt_logs_in(app):
    """The fifth attempt starts the lock when it is counted; if it is right, it ends it."""
    user = make_user(Role.ADMIN, email="admin@example.vn")
    for _ in range(4):
        with pytest.raises(RuleViolation):
            services.authenticate_staff("admin@example.vn", "wrong-password")
    assert services.authenticate_staff("admin@example.vn", PASSWORD) is user
    assert db.session.scalar(select(FailedAttempt)) is None


def test_the_lock_ends_after_its_time(app):
    user = make_user(Role.ADMIN, email="admin@example.vn")
    for _ in range(5):
        with pytest.raises(RuleViolation):
            services.authenticate_staff("admin@example.vn", "wrong")
    failure = db.session.scalar(select(FailedAttempt))
    failure.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.authenticate_staff("admin@example.vn", PASSWORD) is user
    assert db.session.scalar(select(FailedAttempt)) is None


def test_unknown_phones_are_locked_too(app):
    """A lock must not tell an attacker which phones have an account."""
    for _ in range(5):
        with pytest.raises(RuleViolation):
            services.authenticate_household("0900000000", "000000")
    with pytest.raises(LoginLocked):
        services.authenticate_household("0900000000", "000000")


def test_a_deactivated_account_cannot_log_in(app):
    make_user(Role.ADMIN, email="old@example.vn", is_active=False)
    with pytest.raises(RuleViolation) as refused:
        services.authenticate_staff("old@example.vn", PASSWORD)
    assert "đã bị khóa" in str(refused.value.message)


def test_a_wrong_password_does_not_tell_that_a_deactivated_account_exists(app):
    make_user(Role.ADMIN, email="old@example.vn", is_active=False)
    messages = []
    for email in ("old@example.vn", "nobody@example.vn"):
        with pytest.raises(RuleViolation) as refused:
            services.authenticate_staff(email, "wrong-password")
        messages.append(str(refused.value.message))
    assert messages[0] == messages[1] and "đã bị khóa" not in messages[0]


def test_create_user_checks_the_role_rules(app):
    admin = make_user(Role.ADMIN)
    with pytest.raises(RuleViolation) as no_area:
        services.create_user(
            admin,
            role=Role.OFFICIAL,
            full_name="Cán bộ",
            email="cb@example.vn",
            secret="long-enough",
        )
    assert no_area.value.field == "area_id"
    with pytest.raises(RuleViolation) as short_pin:
        services.create_user(
            admin,
            role=Role.HOUSEHOLD,
            full_name="Hộ",
            phone="0912345678",
            household_id=make_household().id,
            secret="12345",
        )
    assert short_pin.value.field == "secret"
    with pytest.raises(RuleViolation) as bad_phone:
        services.create_user(
            admin,
            role=Role.HOUSEHOLD,
            full_name="Hộ",
            phone="12345",
            household_id=make_household().id,
            secret="123456",
        )
    assert bad_phone.value.field == "phone"
    assert db.session.scalars(select(User).where(User.id != admin.id)).all() == []


def test_create_user_normalises_and_audits(app):
    admin = make_user(Role.ADMIN)
    household = make_household(phone="0912345678")
    member = services.create_user(
        admin,
        role=Role.HOUSEHOLD,
        full_name="  Nguyễn  Thị Hương ",
        phone="+84 912 345 678",
        household_id=household.id,
        secret="864209",
    )
    assert (member.full_name, member.phone, member.email) == (
        "Nguyễn Thị Hương",
        "0912345678",
        None,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.actor_id == admin.id and event.target_id == member.id
    assert event.after["phone"] == "0912345678"
    assert "864209" not in str(event.after)
    assert "864209" not in member.password_hash


def test_an_email_cannot_be_used_twice(app):
    admin = make_user(Role.ADMIN, email="admin@example.vn")
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.create_user(
            None,
            role=Role.ADMIN,
            full_name="Bản sao",
            email="ADMIN@example.vn",
            secret="long-enough",
        )
    assert db.session.scalars(select(User)).all() == [admin]


def test_update_user_records_before_and_after(app):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.ADMIN, full_name="Tên cũ")
    services.update_user(admin, user, full_name="Tên mới")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert (event.before["full_name"], event.after["full_name"]) == ("Tên cũ", "Tên mới")


def test_a_refused_update_changes_nothing(app):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.ADMIN, full_name="Tên cũ")
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.update_user(admin, user, full_name="Tên mới", role=Role.TRAINER)  # no area
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Tên cũ"


def test_admins_cannot_lock_themselves_out(app):
    admin = make_user(Role.ADMIN)
    with pytest.raises(RuleViolation):
        services.deactivate_user(admin, admin)
    assert admin.is_active


def test_deactivating_keeps_the_account(app):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.ADMIN)
    services.deactivate_user(admin, user)
    assert db.session.get(User, user.id).is_active is False
