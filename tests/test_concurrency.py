"""Many requests at once, through the web layer: each thread is a request of its own, with
its own connection and transaction. No duplicate, no lost write, no server error — on
PostgreSQL in CI, where the requests really overlap.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from sqlalchemy import func, select

from lms.attendance.models import AttendanceMark, EnrolmentSource, MarkStatus
from lms.attendance.services import enrol
from lms.auth.models import Role
from lms.certificates.models import Certificate
from lms.core.models import utcnow
from lms.courses.models import QuizAttempt
from lms.extensions import db
from tests.builders import make_household, make_session, make_user, marketplace
from tests.certificates.test_services import complete, read_all

THREADS = 8


def at_once(app, requests: list[Callable]) -> list:
    """Runs each ``request(client)`` in its own thread, all released together."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index: int, request: Callable) -> None:
        with app.app_context():
            client = app.test_client()
            try:
                barrier.wait(timeout=30)
                results[index] = request(client)
            except Exception as error:  # pragma: no cover - reported by the caller
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def log_in(client, user_id: int) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)


def right_answers(course) -> dict[str, list[int]]:
    return {f"q{q.position}": q.answers for q in course.current.questions}


def test_the_same_quiz_sent_eight_times_at_once_is_one_attempt(app, courses, world):
    course = courses[0]
    read_all(world.household_a, course)
    member_id, path = world.member_a.id, f"/learn/{course.slug}/quiz"  # plain values for threads
    form = {**right_answers(course), "nonce": "one-form"}
    db.session.commit()

    def submit(client):
        log_in(client, member_id)
        return client.post(path, data=form)

    responses = at_once(app, [submit] * THREADS)
    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    assert len({r.headers["Location"] for r in responses}) == 1
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_households_finishing_at_once_get_gap_free_serials(app, courses, world):
    """Each of eight households sends its last quiz at the same moment: eight certificates."""
    members, last = [], courses[-1]
    for n in range(THREADS):
        household = make_household(area=world.commune_1, phone=f"09870000{n:02d}")
        member = make_user(Role.HOUSEHOLD, household=household)
        complete(world, household, member, courses[:-1])
        read_all(household, last)
        members.append(member.id)
    form, path = right_answers(last), f"/learn/{last.slug}/quiz"  # plain values for threads
    db.session.commit()

    def finisher(member_id: int) -> Callable:
        def submit(client):
            log_in(client, member_id)
            return client.post(path, data={**form, "nonce": "last"})

        return submit

    responses = at_once(app, [finisher(m) for m in members])
    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    numbers = sorted(db.session.scalars(select(Certificate.number)))
    assert numbers == list(range(1, THREADS + 1))


def test_eight_trainers_marking_one_roster_at_once_lose_nothing(app, world):
    session = make_session(
        trainer=world.trainer_x, starts_at=utcnow(), area=world.trainer_x.area, capacity=None
    )
    households = [
        make_household(area=world.trainer_x.area, phone=f"09860000{n:02d}")
        for n in range(THREADS * 2)
    ]
    enrol(world.trainer_x, session, households, EnrolmentSource.SEARCH)
    trainers = [
        make_user(Role.TRAINER, area=world.trainer_x.area, organisation=world.org_x).id
        for _ in range(THREADS)
    ]
    session_id, ids = session.id, [h.id for h in households]
    db.session.commit()

    def marker(index: int) -> Callable:
        # each trainer marks two households of their own, and one everyone marks
        mine = ids[2 * index : 2 * index + 2]
        statuses = {f"status-{i}": MarkStatus.PRESENT.value for i in mine}

        def submit(client):
            log_in(client, trainers[index])
            return client.post(
                f"/sessions/{session_id}/marks",
                data={**statuses, f"status-{ids[0]}": MarkStatus.PRESENT.value},
            )

        return submit

    responses = at_once(app, [marker(n) for n in range(THREADS)])
    assert all(getattr(r, "status_code", None) == 302 for r in responses), [
        (r.status_code, re.findall(r'class="error"[^<]*<', r.get_data(as_text=True)))
        for r in responses
    ]
    marks = db.session.scalars(
        select(AttendanceMark).where(AttendanceMark.session_id == session_id)
    )
    assert {m.household_id: m.status for m in marks} == dict.fromkeys(ids, MarkStatus.PRESENT)


def test_eight_trainers_approving_one_request_at_once_decide_once(app, courses, world):
    from lms.activation.models import ActivationRequest, ActivationStatus
    from lms.activation.services import request_activation
    from lms.core.audit import AuditEvent
    from tests.builders import make_product

    complete(world, courses=courses)
    make_product(household=world.household_a, ocop_stars=4)
    request = request_activation(world.member_a, world.household_a, marketplace())
    assert request.status is ActivationStatus.REQUESTED
    trainers = [
        make_user(Role.TRAINER, area=world.province, organisation=world.org_x).id
        for _ in range(THREADS)
    ]
    path = f"/activation/requests/{request.id}/approve"
    db.session.commit()

    def approver(trainer_id: int) -> Callable:
        def submit(client):
            log_in(client, trainer_id)
            return client.post(path)

        return submit

    responses = at_once(app, [approver(t) for t in trainers])
    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    db.session.expire_all()
    decided = db.session.scalar(select(ActivationRequest))
    assert decided.status is ActivationStatus.APPROVED and decided.decided_by_id in trainers
    approvals = select(func.count()).where(AuditEvent.action == "activation.approved")
    assert db.session.scalar(approvals) == 1
