"""Many requests at once, through the web layer: each thread is a request of its own, with
its own connection and transaction. The requests disagree (present and absent, approve and
refuse, right and wrong answers): one wins, everyone else is told or shown what was kept,
and nothing is overwritten without a word. No duplicate, no server error.

SQLite lets one writer in at a time, so the requests overlap fully only on PostgreSQL: the
tests are marked ``races_on_postgres``, and ``.ci/run`` fails unless its PostgreSQL run
passed every one of them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from lms.attendance.models import AttendanceMark, EnrolmentSource, MarkStatus
from lms.attendance.services import enrol
from lms.auth.models import Role
from lms.certificates.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.models import utcnow
from lms.courses.models import QuizAttempt
from lms.extensions import db
from tests.builders import PIN, make_household, make_session, make_user, marketplace
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
    from lms.auth.models import User

    with client.session_transaction() as session:
        session["_user_id"] = db.session.get(User, user_id).get_id()


def drawn_form(household, course) -> str:
    """The nonce of the quiz form drawn for the household (answers to the whole bank then
    answer whichever questions it drew)."""
    from lms.courses.services import offer_for, start_quiz

    return start_quiz(household, offer_for(household, course.slug)).nonce


def right_answers(course) -> dict[str, list[int]]:
    return {f"q{q.position}": q.answers for q in course.current.questions}


def wrong_answers(course) -> dict[str, list[int]]:
    return {
        f"q{q.position}": [n for n in range(1, len(q.options) + 1) if n not in q.answers][:1]
        for q in course.current.questions
    }


@pytest.mark.races_on_postgres
def test_one_quiz_form_sent_eight_times_with_other_answers_is_one_attempt(app, courses, world):
    """One quiz form (one nonce) sent eight times at once, the answers changed in between:
    four right, four wrong. One attempt is recorded, and every sender lands on its result,
    so nobody is shown a score that was not kept."""
    course = courses[0]
    read_all(world.household_a, course)
    member_id, path = world.member_a.id, f"/learn/{course.slug}/quiz"  # plain values for threads
    forms = [right_answers(course), wrong_answers(course)]
    nonce = drawn_form(world.household_a, course)  # the quiz form shown to the household
    db.session.commit()

    def sender(n: int) -> Callable:
        def submit(client):
            log_in(client, member_id)
            return client.post(path, data={**forms[n % 2], "nonce": nonce})

        return submit

    responses = at_once(app, [sender(n) for n in range(THREADS)])
    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    [attempt] = db.session.scalars(select(QuizAttempt)).all()
    assert {r.headers["Location"] for r in responses} == {f"/learn/results/{attempt.id}"}
    assert (attempt.correct == attempt.total) is attempt.passed
    assert attempt.correct in (0, attempt.total)  # one form's answers, not a mixture


@pytest.mark.races_on_postgres
def test_households_finishing_at_once_get_gap_free_serials(app, courses, world):
    """Each of eight households sends its last quiz at the same moment: eight certificates,
    numbered 1 to 8, each number taken once.

    This race bites on SQLite too: the threads have their own connections to the database
    file (a 15 s busy timeout), so a counter read in one statement and written in another
    gives two households the same number there as well (the unique serial refuses the
    second, a server error). Checked by breaking ``_next_number`` into ``max(number) + 1``:
    the test failed on both databases."""
    members, last = [], courses[-1]
    for n in range(THREADS):
        household = make_household(area=world.commune_1, phone=f"09870000{n:02d}")
        member = make_user(Role.HOUSEHOLD, household=household)
        complete(world, household, member, courses[:-1])
        read_all(household, last)
        members.append((member.id, drawn_form(household, last)))
    form, path = right_answers(last), f"/learn/{last.slug}/quiz"  # plain values for threads
    db.session.commit()

    def finisher(member_id: int, nonce: str) -> Callable:
        def submit(client):
            log_in(client, member_id)
            return client.post(path, data={**form, "nonce": nonce})

        return submit

    responses = at_once(app, [finisher(*m) for m in members])
    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    numbers = sorted(db.session.scalars(select(Certificate.number)))
    assert numbers == list(range(1, THREADS + 1))


@pytest.mark.races_on_postgres
def test_eight_trainers_marking_one_roster_at_once_lose_nothing(app, world):
    """Eight trainers save the roster at once, from forms that all showed it unmarked: each
    marks two households of its own present, and one shared household with its own idea
    (present, late, absent, excused: two trainers each). The shared mark is one of theirs;
    every trainer who wanted another one is told, in Vietnamese; nobody's own mark is lost."""
    session = make_session(
        trainer=world.trainer_x, starts_at=utcnow(), area=world.trainer_x.area, capacity=None
    )
    households = [
        make_household(area=world.trainer_x.area, phone=f"09860000{n:02d}")
        for n in range(THREADS * 2 + 1)
    ]
    enrol(world.trainer_x, session, households, EnrolmentSource.SEARCH)
    trainers = [
        make_user(Role.TRAINER, area=world.trainer_x.area, organisation=world.org_x).id
        for _ in range(THREADS)
    ]
    session_id, ids, shared = session.id, [h.id for h in households], households[0]
    shared_id, shared_name = shared.id, shared.head_name
    db.session.commit()
    statuses = list(MarkStatus)
    wanted = {index: statuses[index % len(statuses)] for index in range(THREADS)}

    def marker(index: int) -> Callable:
        mine = ids[1 + 2 * index : 3 + 2 * index]
        form = {f"was-{i}": "" for i in ids}  # the same stale form: nobody marked yet
        form |= {f"status-{i}": MarkStatus.PRESENT.value for i in mine}
        form[f"status-{shared_id}"] = wanted[index].value

        def submit(client):
            log_in(client, trainers[index])
            return client.post(f"/sessions/{session_id}/marks", data=form, follow_redirects=True)

        return submit

    responses = at_once(app, [marker(n) for n in range(THREADS)])
    assert all(getattr(r, "status_code", None) == 200 for r in responses), responses
    marks = {
        m.household_id: m.status
        for m in db.session.scalars(
            select(AttendanceMark).where(AttendanceMark.session_id == session_id)
        )
    }
    recorded = marks.pop(shared_id)
    assert marks == dict.fromkeys(ids[1:], MarkStatus.PRESENT)
    told = {
        index
        for index, response in enumerate(responses)
        if f"người khác đã đổi điểm danh của {shared_name}" in response.get_data(as_text=True)
    }
    assert told == {index for index in range(THREADS) if wanted[index] is not recorded}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.mark"))
    assert [e.after["status"] for e in events if e.after["household_id"] == shared_id] == [
        recorded.value
    ]


@pytest.mark.races_on_postgres
def test_eight_trainers_deciding_one_request_differently_at_once_decide_once(app, courses, world):
    """Eight trainers decide one waiting request at once from pages that showed it waiting:
    four approve, four refuse. One decision is recorded; the seven others are told that
    someone else decided, and none of them turns the recorded decision round."""
    from lms.activation.models import ActivationRequest, ActivationStatus
    from lms.activation.services import request_activation
    from tests.builders import make_product

    complete(world, courses=courses)
    make_product(household=world.household_a, ocop_stars=4)
    request = request_activation(world.member_a, world.household_a, marketplace())
    assert request.status is ActivationStatus.REQUESTED
    trainers = [
        make_user(Role.TRAINER, area=world.province, organisation=world.org_x).id
        for _ in range(THREADS)
    ]
    request_id = request.id
    db.session.commit()
    decisions = {
        trainer: ("approve", {}) if n % 2 else ("refuse", {"reason": "Ảnh sản phẩm chưa rõ"})
        for n, trainer in enumerate(trainers)
    }

    def decider(trainer_id: int) -> Callable:
        action, form = decisions[trainer_id]

        def submit(client):
            log_in(client, trainer_id)
            return client.post(
                f"/activation/requests/{request_id}/{action}",
                data={**form, "seen": ActivationStatus.REQUESTED.value},
                follow_redirects=True,
            )

        return submit

    responses = at_once(app, [decider(t) for t in trainers])
    assert all(getattr(r, "status_code", None) == 200 for r in responses), responses
    db.session.expire_all()
    decided = db.session.get(ActivationRequest, request_id)
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action.in_(["activation.approved", "activation.refused"])
        )
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        (f"activation.{decided.status.value}", decided.decided_by_id)
    ]
    expected = "approve" if decided.status is ActivationStatus.APPROVED else "refuse"
    assert decisions[decided.decided_by_id][0] == expected
    told = {
        trainer
        for trainer, response in zip(trainers, responses, strict=True)
        if "Người khác vừa xử lý yêu cầu này" in response.get_data(as_text=True)
    }
    assert told == set(trainers) - {decided.decided_by_id}


ATTACK = 40


@pytest.mark.races_on_postgres
def test_forty_wrong_pins_at_once_check_no_more_than_the_limit(app, world, monkeypatch):
    """The probe: 40 wrong PINs for one phone sent at once. Each attempt is counted, in one
    statement, before its hash is checked, so only LOGIN_MAX_FAILURES hashes are checked,
    every answer is a refusal (no IntegrityError from racing first failures), and the right
    PIN sent afterwards is refused by the lock. The hash is made as slow as production's, so
    the attempts overlap while they are checked. It bites on SQLite too, where writers take
    turns: the old read, hash, then write raced into IntegrityErrors there, and checked 33
    of the 40 PINs on PostgreSQL."""
    from lms.auth import services

    checked: list[str] = []
    counting = threading.Lock()

    def slow_check(stored_hash: str, secret: str) -> bool:
        with counting:
            checked.append(secret)
        time.sleep(0.05)
        return check_password_hash(stored_hash, secret)

    monkeypatch.setattr(services, "check_password_hash", slow_check)
    wrong = {"phone": world.member_a.phone, "pin": "000000"}
    limit = app.config["LOGIN_MAX_FAILURES"]
    db.session.commit()

    responses = at_once(app, [lambda client: client.post("/login", data=wrong)] * ATTACK)
    assert [getattr(r, "status_code", r) for r in responses] == [400] * ATTACK
    assert len(checked) == limit
    pages = [r.get_data(as_text=True) for r in responses]
    assert sum("Số điện thoại hoặc mã PIN không đúng." in page for page in pages) == limit - 1
    assert sum("Đăng nhập tạm khóa" in page for page in pages) == ATTACK - limit + 1

    right = app.test_client().post("/login", data={**wrong, "pin": PIN})
    assert right.status_code == 400 and "Đăng nhập tạm khóa" in right.get_data(as_text=True)
    assert len(checked) == limit  # refused before its hash


@pytest.mark.races_on_postgres
def test_forty_wrong_checkin_codes_at_once_try_no_more_than_the_limit(app, world):
    """The same attack on a session's 6-digit self check-in code: each code is counted before
    it is looked up, so no more than CHECKIN_MAX_FAILURES are tried, none fails with a server
    error, and the right code sent afterwards is refused by the lock. The old code tried six
    on SQLite and raced into IntegrityErrors on PostgreSQL."""
    session, now = world.session_x, utcnow()
    session.starts_at, session.ends_at = now - timedelta(hours=1), now + timedelta(hours=1)
    session.checkin_code = "135790"
    member_id, limit = world.member_a.id, app.config["CHECKIN_MAX_FAILURES"]
    db.session.commit()

    def guess(code: str) -> Callable:
        def submit(client):
            log_in(client, member_id)
            return client.post("/checkin/", data={"code": code})

        return submit

    responses = at_once(app, [guess("000000")] * ATTACK)
    assert [getattr(r, "status_code", r) for r in responses] == [400] * ATTACK
    pages = [r.get_data(as_text=True) for r in responses]
    assert sum("Mã này không khớp" in page for page in pages) == limit - 1
    assert sum("Nhập sai mã quá nhiều lần" in page for page in pages) == ATTACK - limit + 1

    right = app.test_client()
    log_in(right, member_id)
    refused = right.post("/checkin/", data={"code": "135790"})
    assert refused.status_code == 400
    assert "Nhập sai mã quá nhiều lần" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AttendanceMark)) == 0


@pytest.mark.races_on_postgres
def test_trainers_printing_one_households_card_at_once_give_distinct_cards(app, world):
    """Four trainers print household A's card at once: each card has a version of its own,
    the newest works and every other says it was replaced by a newer one."""
    from lms.auth.cards import member_from_card
    from lms.core.errors import RuleViolation

    db.session.commit()
    trainer_id, household_id = world.trainer_x.id, world.household_a.id
    printed: list[str] = []

    def print_card(client):
        log_in(client, trainer_id)
        response = client.post(f"/households/{household_id}/card")
        assert response.status_code == 200
        printed.append(response.get_data(as_text=True))
        return response.status_code

    assert at_once(app, [print_card] * 4) == [200] * 4
    db.session.expire_all()
    member = db.session.get(type(world.member_a), world.member_a.id)
    tokens = [page.split("/card/", 1)[1].split('"', 1)[0] for page in printed]
    assert len(set(tokens)) == 4
    working, replaced = [], []
    for token in tokens:
        try:
            working.append(member_from_card(token))
        except RuleViolation as refusal:
            replaced.append(str(refusal.message))
    assert working == [member]
    assert len(replaced) == 3 and all("thẻ mới hơn" in message for message in replaced)
