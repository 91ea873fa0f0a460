"""Completion, issue, serials, revocation and verification tokens, without HTTP."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from lms.attendance.models import AttendanceMark, EnrolmentSource, MarkStatus
from lms.certificates import services, signing
from lms.certificates.completion import completion_for
from lms.certificates.models import Certificate, CertificateStatus
from lms.core.errors import RuleViolation
from lms.core.models import today, utcnow
from lms.courses.models import Programme
from lms.extensions import db
from tests.builders import make_certificate
from tests.courses.helpers import read_course, take_quiz


def read_all(household, course) -> None:
    read_course(household, course)


def quiz(member, household, course, right: bool, nonce: str) -> None:
    """Take the course's quiz (``nonce`` names the attempt in the test only: each attempt
    draws its own form)."""
    take_quiz(member, household, course, right)


def complete(world, household=None, member=None, courses=()) -> None:
    household, member = household or world.household_a, member or world.member_a
    for course in courses:
        read_all(household, course)
        quiz(member, household, course, True, f"pass-{household.id}-{course.slug}")


def certificates() -> list[Certificate]:
    return db.session.scalars(select(Certificate).order_by(Certificate.id)).all()


def test_reading_every_lesson_and_passing_completes_a_course(courses, world):
    course = courses[0]
    read_all(world.household_a, course)
    assert not completion_for(world.household_a).courses[0].complete
    quiz(world.member_a, world.household_a, course, False, "fail")
    assert not completion_for(world.household_a).courses[0].complete
    quiz(world.member_a, world.household_a, course, True, "pass")
    state = completion_for(world.household_a).courses[0]
    assert state.complete and state.completed_on == today()


def test_attending_a_session_instead_of_reading_completes_a_course(courses, world):
    course = courses[1]
    world.session_x.courses = [course]
    world.session_x.starts_at = utcnow() - timedelta(days=2)
    world.session_x.ends_at = world.session_x.starts_at + timedelta(hours=3)
    db.session.add(
        AttendanceMark(
            session_id=world.session_x.id,
            household_id=world.household_a.id,
            source=EnrolmentSource.SEARCH,
            status=MarkStatus.LATE,
        )
    )
    db.session.commit()
    quiz(world.member_a, world.household_a, course, True, "pass")
    state = completion_for(world.household_a).courses[1]
    assert (
        state.attended_on == today() - timedelta(days=2)
        and state.read_on is None
        and state.complete
    )


def test_an_absent_mark_does_not_count(courses, world):
    world.session_x.courses = [courses[1]]
    db.session.add(
        AttendanceMark(
            session_id=world.session_x.id,
            household_id=world.household_a.id,
            source=EnrolmentSource.SEARCH,
            status=MarkStatus.ABSENT,
        )
    )
    db.session.commit()
    quiz(world.member_a, world.household_a, courses[1], True, "pass")
    assert not completion_for(world.household_a).courses[1].complete


def test_optional_courses_are_not_needed_for_the_programme(courses, world):
    programme = db.session.scalar(select(Programme))
    programme.courses[2].is_required = False
    db.session.commit()
    complete(world, courses=courses[:2])
    assert completion_for(world.household_a).complete
    [certificate] = certificates()
    assert [c["title"] for c in certificate.courses] == [
        courses[0].current.title,
        courses[1].current.title,
    ]


def test_completing_the_programme_issues_exactly_one_certificate(courses, world):
    complete(world, courses=courses[:2])
    assert certificates() == []
    complete(world, courses=courses[2:])
    [certificate] = certificates()
    assert (certificate.serial, certificate.holder_name, certificate.commune_name) == (
        f"NA-{today().year}-000001",
        "Nguyễn Thị Hương",
        "Xã Diễn Châu",
    )
    assert services.sync_household(world.household_a).id == certificate.id
    quiz(world.member_a, world.household_a, courses[0], True, "again")
    assert len(certificates()) == 1 and services.sync_all() == 0


def test_serials_are_gap_free_per_province_and_year(courses, world):
    complete(world, courses=courses)
    complete(world, world.household_b, world.member_b, courses)
    assert [c.serial for c in certificates()] == [
        f"NA-{today().year}-000001",
        f"NA-{today().year}-000002",
    ]


def test_a_failed_issue_leaves_no_gap(courses, world, monkeypatch):
    complete(world, courses=courses[:2])
    original = services.record_event

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "record_event", boom)
    with pytest.raises(RuntimeError):
        complete(world, courses=courses[2:])
    db.session.rollback()
    monkeypatch.setattr(services, "record_event", original)
    assert services.sync_household(world.household_a).serial == f"NA-{today().year}-000001"


@pytest.mark.races_on_postgres
def test_two_requests_completing_at_once_issue_one_certificate(courses, world, app):
    complete(world, courses=courses[:2])
    read_all(world.household_a, courses[2])
    quiz(world.member_a, world.household_a, courses[2], True, "last")  # issues it
    db.session.execute(Certificate.__table__.delete())
    db.session.commit()
    household_id = world.household_a.id  # plain values only: the test's objects are its session's
    barrier, errors, serials = threading.Barrier(2), [], []

    def issue() -> None:
        with app.app_context():
            try:
                from lms.households.models import Household

                household = db.session.get(Household, household_id)
                barrier.wait(timeout=30)
                serials.append(services.sync_household(household).serial)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert serials[0] == serials[1]


def test_revoke_and_reissue_after_a_name_correction(courses, world):
    complete(world, courses=courses)
    [old] = certificates()
    old_token = services.token_for(old)
    with pytest.raises(RuleViolation):
        services.revoke_certificate(world.admin, old, " ")
    world.household_a.head_name = "Nguyễn Thị Hường"
    db.session.commit()
    new = services.reissue_certificate(world.admin, old, "Sửa tên chủ hộ theo CCCD")
    assert (old.status, old.replaced_by_id, old.revoked_reason) == (
        CertificateStatus.REVOKED,
        new.id,
        "Sửa tên chủ hộ theo CCCD",
    )
    assert new.is_valid and new.holder_name == "Nguyễn Thị Hường" and new.serial.endswith("000002")
    assert services.verify_token(old_token).certificate.status is CertificateStatus.REVOKED
    assert services.verify_token(services.token_for(new)).certificate.id == new.id


def test_tokens_are_compact_and_refuse_tampering(courses, world):
    complete(world, courses=courses)
    [certificate] = certificates()
    token = services.token_for(certificate)
    assert len(token) < 150
    payload, signature = token.split(".")
    assert services.verify_token(token).certificate.id == certificate.id
    forged_payload = signing._b64(signing._unb64(payload).replace(b"000001", b"000002"))
    foreign = signing.sign(
        Ed25519PrivateKey.generate(),
        certificate.serial,
        certificate.issued_on,
        certificate.holder_name,
    )
    for bad in (
        f"{forged_payload}.{signature}",
        token[:-5],
        token[: len(token) // 2],
        "",
        "a.b.c",
        foreign,
    ):
        result = services.verify_token(bad)
        assert result.certificate is None and "không" in result.problem.lower()


def test_a_token_for_another_name_matches_nothing(courses, world):
    complete(world, courses=courses)
    [certificate] = certificates()
    token = signing.sign(
        services.private_key(), certificate.serial, certificate.issued_on, "Nguyễn Thị Khác"
    )
    assert services.verify_token(token).certificate is None


def certified_on(household) -> object:
    """The household's stored fact, once checked against the certificates it stands for."""
    db.session.expire_all()
    valid = [c.issued_on for c in certificates() if c.household_id == household.id and c.is_valid]
    stored = db.session.get(type(household), household.id).certified_on
    assert stored == max(valid, default=None)
    return stored


def test_the_household_keeps_the_day_of_its_valid_certificate(courses, world):
    assert certified_on(world.household_a) is None
    complete(world, courses=courses)
    assert certified_on(world.household_a) == today()
    [certificate] = certificates()
    services.revoke_certificate(world.admin, certificate, "Cấp nhầm")
    assert certified_on(world.household_a) is None
    assert certified_on(world.household_b) is None


def test_a_household_that_no_longer_completes_keeps_its_certificate_when_reissue_is_refused(
    courses, world
):
    """The programme gained courses since it was certified: the name's correction cannot be
    re-issued, and nothing is revoked on the way."""
    old = make_certificate(world.household_a)
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        services.reissue_certificate(world.admin, old, "Sửa tên chủ hộ theo CCCD")
    assert "giấy chứng nhận hiện tại vẫn còn hiệu lực" in str(refused.value.message)
    db.session.expire_all()
    assert certificates() == [old] and old.is_valid and old.revoked_at is None
    assert certified_on(world.household_a) is not None


def test_a_reissued_certificate_keeps_the_household_certified(courses, world):
    complete(world, courses=courses)
    [old] = certificates()
    services.reissue_certificate(world.admin, old, "Sửa tên chủ hộ theo CCCD")
    assert certified_on(world.household_a) == today()
