"""Issue 19's rules without HTTP: undoing a cancellation, places left, the roster filter,
the typed commune and its default, and the roster's login cards (who needs a new PIN)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.attendance import services
from lms.attendance.models import EnrolmentSource
from lms.auth import cards
from lms.auth.models import Role, User
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.core.models import utcnow
from lms.extensions import db
from lms.households.importing import commit_import
from tests.builders import make_household, make_session, make_user


def test_a_cancelled_session_is_restored_before_its_start(world):
    session = world.session_x  # tomorrow
    services.cancel_session(world.trainer_x, session)
    assert session.is_cancelled and services.can_restore(session)
    services.restore_session(world.trainer_x, session)
    assert not db.session.get(type(session), session.id).is_cancelled
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("session.%"))
    ).all()
    assert "session.cancel" in actions and "session.restore" in actions


def test_a_session_that_has_started_cannot_be_restored(world):
    session = world.session_x
    session.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    services.cancel_session(world.trainer_x, session)
    assert not services.can_restore(session)
    with pytest.raises(RuleViolation, match="trước giờ bắt đầu"):
        services.restore_session(world.trainer_x, session)
    assert db.session.get(type(session), session.id).is_cancelled


def test_more_households_than_places_left_adds_none_and_says_how_many_are_left(world):
    session = world.session_x
    session.capacity = 40
    households = [
        make_household(head_name=f"Hộ Chỗ {n:02d}", phone=f"09550000{n:02d}", area=world.commune_1)
        for n in range(42)
    ]
    services.enrol(world.trainer_x, session, households[:37], EnrolmentSource.COMMUNE)
    assert services.places_left(session) == 3
    with pytest.raises(RuleViolation) as refused:
        services.enrol(world.trainer_x, session, households[37:42], EnrolmentSource.COMMUNE)
    assert "Chỉ còn 3 chỗ" in str(refused.value.message)
    assert "37/40" in str(refused.value.message) and "chọn 5 hộ" in str(refused.value.message)
    assert len(services.roster(session)) == 37
    services.enrol(world.trainer_x, session, households[37:40], EnrolmentSource.COMMUNE)
    assert services.places_left(session) == 0
    with pytest.raises(RuleViolation, match="40 chỗ"):
        services.enrol(world.trainer_x, session, households[40:41], EnrolmentSource.COMMUNE)


def test_the_roster_and_the_communes_list_to_enrol_from_are_in_vietnamese_order(world):
    """ "Đỗ" comes after "Dương" and before "Lê" and "Trần" (it came after "Trần" by code
    point), in the roster and in the list of the commune's households to enrol."""
    session = world.session_x
    names = ("Trần Văn Hai", "Đỗ Văn Đạt", "Lê Thị Lan", "Dương Thị Bé", "Ánh Nguyệt")
    households = [make_household(head_name=name, area=session.area) for name in names]
    order = ["Ánh Nguyệt", "Dương Thị Bé", "Đỗ Văn Đạt", "Lê Thị Lan", "Trần Văn Hai"]
    waiting = [h.head_name for h in services.untrained_in_commune(world.trainer_x, session)]
    assert [name for name in waiting if name in names] == order
    services.enrol(world.trainer_x, session, households, EnrolmentSource.COMMUNE)
    enrolled = [mark.household.head_name for mark in services.roster(session)]
    assert [name for name in enrolled if name in names] == order


def test_the_roster_filter_ignores_diacritics_and_tells_namesakes_apart(world):
    session = world.session_x
    lan_5 = make_household(
        head_name="Lê Thị Lan", village="Xóm 5", phone="0911000567", area=world.commune_1
    )
    lan_2 = make_household(
        head_name="Lê Thị Lan", village="Xóm 2", phone="0911000234", area=world.commune_1
    )
    other = make_household(head_name="Đỗ Văn Đạt", village="Xóm 5", area=world.commune_1)
    services.enrol(world.trainer_x, session, [lan_5, lan_2, other], EnrolmentSource.COMMUNE)
    rows = services.roster(session)

    def names(query):
        return sorted(
            (m.household.head_name, m.household.village)
            for m in services.filter_roster(rows, query)
        )

    assert names("le thi lan") == [("Lê Thị Lan", "Xóm 2"), ("Lê Thị Lan", "Xóm 5")]
    assert names("LAN xom 5") == [("Lê Thị Lan", "Xóm 5")]  # the name, then the village
    assert names("xom 5") == [("Lê Thị Lan", "Xóm 5"), ("Đỗ Văn Đạt", "Xóm 5")]
    assert names("do van dat") == [("Đỗ Văn Đạt", "Xóm 5")]
    assert names("567") == [("Lê Thị Lan", "Xóm 5")]
    assert names("0911000234") == [("Lê Thị Lan", "Xóm 2")]
    assert len(services.filter_roster(rows, "  ")) == 3
    # the page's own filter gets no whole phone
    assert "0911000567" not in services.search_text(lan_5)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Xã Diễn Châu", "commune_1"),
        ("dien chau", "commune_1"),
        ("xa dien chau", "commune_1"),
        ("X. Yên Thành", "commune_2"),
        ("Diễn", None),
        ("Xã Quỳnh Lưu", None),
    ],
)
def test_the_commune_is_typed_with_or_without_diacritics(world, typed, found):
    area = services.commune_named(world.trainer_x, typed)
    assert (area.id if area else None) == (getattr(world, found).id if found else None)


def test_a_new_session_defaults_to_the_last_commune_or_the_trainers_own(world):
    assert services.default_commune_id(world.trainer_x) == world.commune_1.id  # session X
    newcomer = make_user(Role.TRAINER, area=world.commune_2, organisation=world.org_x)
    assert services.default_commune_id(newcomer) == world.commune_2.id
    make_session(trainer=newcomer, area=world.commune_1)
    assert services.default_commune_id(newcomer) == world.commune_1.id
    province_trainer = make_user(Role.TRAINER, area=world.province, organisation=world.org_x)
    assert services.default_commune_id(province_trainer) is None


# ---------------------------------------------------------------- the roster's login cards


@pytest.fixture
def roster_y(world):
    """Session Y's roster: household B (member B, who logs in already), a household from the
    official's import and a walk-in, neither with a login yet, and one without a phone."""
    commit_import(world.official_2, world.import_2)
    imported = db.session.scalar(
        select(type(world.household_b)).where(type(world.household_b).head_name == "Hồ Văn Mới")
    )
    session = world.session_y
    walk_in = services.register_walk_in(
        world.trainer_y, session, "Phạm Thị Vãng", "0977000222", "Xóm 9"
    )
    no_phone = make_household(head_name="Hộ Không Số", phone=None, area=world.commune_2)
    world.member_b.last_login_at = utcnow()
    services.enrol(
        world.trainer_y, session, [world.household_b, imported, no_phone], EnrolmentSource.COMMUNE
    )
    return world, imported, walk_in, no_phone


def test_the_cards_page_ticks_only_the_households_that_need_a_pin(roster_y):
    world, imported, walk_in, no_phone = roster_y
    rows = {
        r.household.id: r
        for r in cards.roster_cards([world.household_b, imported, walk_in, no_phone])
    }
    assert rows[world.household_b.id].needs_pin is False  # logs in already
    assert rows[imported.id].needs_pin and rows[imported.id].member is None
    assert rows[walk_in.id].needs_pin and rows[walk_in.id].refusal is None
    assert "số điện thoại" in rows[no_phone.id].refusal
    cards.revoke_login_cards(world.trainer_y, world.household_b)
    assert cards.roster_cards([world.household_b])[0].needs_pin  # its cards were cancelled


def test_a_batch_of_cards_gives_imported_and_walk_in_households_a_login(roster_y, client_for):
    world, imported, walk_in, no_phone = roster_y
    users_before = db.session.scalar(select(func.count()).select_from(User))
    batch = cards.issue_login_cards(world.trainer_y, [imported, walk_in, no_phone])
    assert [h.id for h, _card in batch.cards] == [imported.id, walk_in.id]
    assert [h.id for h, _reason in batch.refused] == [no_phone.id]
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before + 2
    for household, card in batch.cards:
        assert card.member.household_id == household.id and card.member.phone == household.phone
        response = client_for().post("/login", data={"phone": household.phone, "pin": card.pin})
        assert response.headers["Location"] == "/account/pin?next=/learn/&asked=1"


def test_a_batch_refuses_a_household_the_trainer_may_not_change(roster_y):
    world, imported, _walk_in, _no_phone = roster_y
    with pytest.raises(RuleViolation):
        cards.issue_login_cards(world.trainer_x, [imported])
