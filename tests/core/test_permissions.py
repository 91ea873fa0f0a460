"""Who may do what (DESIGN §4 rule 4): the predicates, and the services that enforce them.

The world: trainer X (VNPost, which runs Postmart) registered household A, trainer Y
(ViettelPost, which runs Voso) registered household B; both trainers see both households.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from lms.activation import services as activation
from lms.activation.models import ActivationStatus
from lms.attendance.models import EnrolmentSource
from lms.attendance.services import enrol, register_walk_in
from lms.auth import cards
from lms.auth.services import deactivate_user
from lms.core.errors import RuleViolation
from lms.core.permissions import (
    can_decide_activation,
    can_edit_household,
    can_print_card,
    changeable_households,
)
from lms.core.scope import get_all_or_404
from lms.extensions import db
from lms.households.models import Household
from lms.households.services import create_household, update_household
from lms.organisations.services import save_organisation
from tests.builders import make_certificate, make_household, marketplace

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _changeable(user) -> set[str]:
    return set(db.session.scalars(select(Household.head_name).where(changeable_households(user))))


@pytest.mark.parametrize(
    ("actor", "households"),
    [
        ("admin", {"Nguyễn Thị Hương", "Trần Văn Đức"}),
        ("official_province", {"Nguyễn Thị Hương", "Trần Văn Đức"}),
        ("official_2", {"Trần Văn Đức"}),
        ("trainer_x", {"Nguyễn Thị Hương"}),
        ("trainer_y", {"Trần Văn Đức"}),
        ("member_a", set()),
    ],
)
def test_who_may_change_which_household(world, actor, households):
    user = getattr(world, actor)
    assert _changeable(user) == households
    for household in (world.household_a, world.household_b):
        assert can_edit_household(user, household) is (household.head_name in households)


def test_a_trainer_changes_a_household_once_it_is_on_its_organisations_roster(world):
    assert not can_edit_household(world.trainer_x, world.household_b)
    enrol(world.trainer_x, world.session_x, [world.household_b], EnrolmentSource.SEARCH)
    assert can_edit_household(world.trainer_x, world.household_b)
    # a session of another organisation gives trainer Y nothing over household A
    enrol(world.trainer_y, world.session_y, [world.household_a], EnrolmentSource.SEARCH)
    assert can_edit_household(world.trainer_y, world.household_a)
    assert _changeable(world.trainer_x) == {"Nguyễn Thị Hương", "Trần Văn Đức"}


def test_a_trainer_changes_the_household_it_registered(world):
    household = create_household(
        world.trainer_y, head_name="Lô Thị Mai", phone="0366111222", area_id=world.commune_1.id
    )
    assert household.registered_by_id == world.trainer_y.id
    assert can_edit_household(world.trainer_y, household)
    assert not can_edit_household(world.trainer_x, household)


def test_a_trainer_may_not_edit_a_household_it_only_sees(world):
    with pytest.raises(RuleViolation, match="danh sách lớp"):
        update_household(world.trainer_x, world.household_b, head_name="Lê Văn Khác")
    db.session.expire_all()
    assert db.session.get(Household, world.household_b.id).head_name == "Trần Văn Đức"


def test_a_trainer_may_not_print_the_card_of_a_household_it_only_sees(world):
    version = world.member_b.card_version
    assert not can_print_card(world.trainer_x, world.household_b)
    assert not can_print_card(world.official_2, world.household_b)  # officials print none
    with pytest.raises(RuleViolation):
        cards.issue_login_card(world.trainer_x, world.household_b)
    with pytest.raises(RuleViolation):
        cards.revoke_login_cards(world.trainer_x, world.household_b)
    db.session.expire_all()
    assert world.member_b.card_version == version
    assert cards.issue_login_card(world.trainer_y, world.household_b).member == world.member_b


def test_a_card_never_reopens_an_account_an_administrator_deactivated(world):
    deactivate_user(world.admin, world.member_a)
    for actor in (world.trainer_x, world.admin):
        with pytest.raises(RuleViolation, match="bị quản trị viên khóa"):
            cards.issue_login_card(actor, world.household_a)
    db.session.expire_all()
    assert world.member_a.is_active is False


@pytest.fixture
def postmart_request(world):
    """Household B, certified and with an eligible product, asks for a Postmart shop."""
    make_certificate(world.household_b)
    world.product_b.ocop_stars, world.product_b.ocop_year = 4, 2024
    db.session.commit()
    request = activation.request_activation(world.member_b, world.household_b, marketplace())
    assert request.status is ActivationStatus.REQUESTED
    return request


def test_only_the_organisation_running_a_partner_decides_its_requests(world, postmart_request):
    assert can_decide_activation(world.trainer_x, postmart_request)
    assert can_decide_activation(world.admin, postmart_request)
    assert not can_decide_activation(world.trainer_y, postmart_request)
    assert not can_decide_activation(world.official_2, postmart_request)
    with pytest.raises(RuleViolation, match="Postmart"):
        activation.mark_activated(world.trainer_y, postmart_request, "made-up-shop", "")
    db.session.expire_all()
    assert postmart_request.status is ActivationStatus.REQUESTED
    assert postmart_request.account_id == ""
    activation.approve(world.trainer_x, postmart_request)
    assert postmart_request.status is ActivationStatus.APPROVED


def test_an_administrator_gives_an_organisation_a_partner_to_run(world, postmart_request):
    save_organisation(
        world.admin,
        world.org_y,
        code=world.org_y.code,
        name=world.org_y.name,
        kind=world.org_y.kind,
        area_id=world.org_y.area_id,
        is_active=True,
        partner_ids=[marketplace().id, marketplace("voso").id],
    )
    assert can_decide_activation(world.trainer_y, postmart_request)
    assert {o.code for o in marketplace().operators} == {"VNPOST", "VTP"}


def test_get_all_or_404_wants_every_id_in_scope(world):
    a, b = world.household_a, world.household_b
    assert get_all_or_404(Household, [b.id, a.id, b.id], world.admin) == [b, a]
    assert get_all_or_404(Household, [], world.official_1) == []
    with pytest.raises(NotFound):
        get_all_or_404(Household, [a.id, b.id], world.official_1)
    with pytest.raises(NotFound):
        get_all_or_404(Household, [a.id, 999999], world.admin)


#: ``current_user.role == "admin"``, ``role in (...)``, or a role's name in quotes
ROLE_LITERAL = re.compile(
    r"""\.role\s*(==|!=|\bin\b|\bis\b|\bnot\b)|["'](admin|official|trainer|household)["']"""
)


def test_no_template_compares_role_strings():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE_LITERAL.search(line)
    ]
    assert found == []


def test_the_household_page_offers_a_trainer_only_what_it_may_do(world, client_for):
    trainer = client_for(world.trainer_x)
    own = trainer.get(f"/households/{world.household_a.id}").get_data(as_text=True)
    other = trainer.get(f"/households/{world.household_b.id}").get_data(as_text=True)
    for page, allowed in ((own, True), (other, False)):
        assert ("/edit" in page) is allowed
        assert ("/card" in page) is allowed
        assert ("/products/new" in page) is allowed


def test_a_walk_in_is_registered_by_the_trainer_who_met_it(world):
    household = register_walk_in(world.trainer_y, world.session_y, "Vi Thị Hoa", "0366333444")
    assert household.registered_by_id == world.trainer_y.id
    assert can_edit_household(world.trainer_y, household)
    assert not can_edit_household(world.trainer_x, household)
    imported = make_household(area=world.commune_1)  # imports and the demo register nobody
    assert imported.registered_by_id is None
    assert not can_edit_household(world.trainer_x, imported)
