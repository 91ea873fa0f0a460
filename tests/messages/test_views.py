"""The screens: the household's message box and consent page on its phone (CSRF on), the
trainer's paper consent for a roster, the officials' delivery screen in scope."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.attendance.models import EnrolmentSource
from lms.attendance.services import enrol
from lms.auth.cards import issue_login_card
from lms.extensions import db
from lms.messages.models import Consent, ConsentPurpose
from lms.messages.services import current_consent


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_household_agrees_and_withdraws_on_its_phone(world, client_for, csrf):
    phone = client_for(world.member_a)
    page = phone.get("/messages/consent").get_data(as_text=True)
    assert "Sự đồng ý của bạn" in page and "Nhận tin nhắn qua Zalo" in page
    assert "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15" in page  # the text agreed to
    token = csrf_of(page)
    answer = phone.post(
        "/messages/consent",
        data={"csrf_token": token, "purpose": "zalo", "answer": "yes"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã ghi nhận câu trả lời của bạn." in answer and "Rút lại đồng ý" in answer
    withdrawn = phone.post(
        "/messages/consent",
        data={"csrf_token": token, "purpose": "zalo", "answer": "no", "reason": "Không dùng Zalo"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã rút lại: không còn tin nhắn nào được gửi." in withdrawn
    consent = current_consent(world.household_a.id, ConsentPurpose.ZALO)
    assert (consent.is_given, consent.reason, consent.method.value) == (
        False,
        "Không dùng Zalo",
        "phone",
    )

    # bad input changes nothing; a form without its CSRF token is refused
    count = db.session.scalar(select(func.count(Consent.id)))
    bad = phone.post(
        "/messages/consent", data={"csrf_token": token, "purpose": "email", "answer": "yes"}
    )
    assert bad.status_code == 400 and "Hãy chọn nội dung bạn đồng ý." in bad.get_data(as_text=True)
    assert (
        phone.post("/messages/consent", data={"purpose": "data", "answer": "yes"}).status_code
        == 400
    )
    assert db.session.scalar(select(func.count(Consent.id))) == count


def test_the_home_page_shows_the_message_box(world, client_for):
    issue_login_card(world.trainer_x, world.household_a)
    home = client_for(world.member_a).get("/learn/").get_data(as_text=True)
    assert "Tin nhắn" in home and "Mã PIN đăng nhập đã được đổi" in home
    assert "Tin nhắn Zalo và SMS: sự đồng ý của bạn" in home
    assert "Mã PIN đăng nhập đã được đổi" in client_for(world.member_a).get("/messages/").get_data(
        as_text=True
    )
    assert "Mã PIN" not in client_for(world.member_b).get("/messages/").get_data(as_text=True)


def answers(household, **chosen) -> dict[str, str]:
    return {f"h{household.id}-purpose_{purpose}": answer for purpose, answer in chosen.items()}


def test_a_trainer_records_paper_consent_from_its_roster(world, client_for):
    enrol(world.trainer_x, world.session_x, [world.household_a], EnrolmentSource.SEARCH)
    trainer = client_for(world.trainer_x)
    roster = trainer.get(f"/sessions/{world.session_x.id}/roster").get_data(as_text=True)
    assert f"/messages/sessions/{world.session_x.id}/consent" in roster
    page = trainer.get(f"/messages/sessions/{world.session_x.id}/consent").get_data(as_text=True)
    assert (
        "Phiếu đồng ý trên giấy" in page and "Nguyễn Thị Hương" in page and "0912345678" not in page
    )
    path = f"/messages/sessions/{world.session_x.id}/consent/{world.household_a.id}"
    empty = trainer.post(path, data=answers(world.household_a, data="", zalo="", sms=""))
    assert empty.status_code == 400
    assert "Hãy chọn những nội dung hộ đã đồng ý trên phiếu giấy." in empty.get_data(as_text=True)
    done = trainer.post(
        path, data=answers(world.household_a, data="yes", zalo="", sms="yes"), follow_redirects=True
    )
    assert "Đã ghi nhận cho hộ Nguyễn Thị Hương: 2 thay đổi." in done.get_data(as_text=True)
    consent = current_consent(world.household_a.id, ConsentPurpose.SMS)
    assert consent.method.value == "paper" and consent.recorded_by_id == world.trainer_x.id
    # household B is not on this roster: refused, nothing recorded
    other = f"/messages/sessions/{world.session_x.id}/consent/{world.household_b.id}"
    assert trainer.post(other, data=answers(world.household_b, data="yes")).status_code == 400
    assert current_consent(world.household_b.id, ConsentPurpose.DATA) is None


def test_officials_see_delivery_and_failures_of_their_communes_only(world, client_for):
    issue_login_card(world.trainer_x, world.household_a)
    issue_login_card(world.trainer_y, world.household_b)
    page = client_for(world.official_1).get("/messages/delivery").get_data(as_text=True)
    assert "Tình hình gửi tin nhắn" in page and "Xã Diễn Châu" in page
    assert "Chưa gửi: kênh chưa được cấu hình" in page and "Nguyễn Thị Hương" in page
    assert "Trần Văn Đức" not in page and "Xã Yên Thành" not in page
    province = client_for(world.official_province).get("/messages/delivery").get_data(as_text=True)
    assert "Trần Văn Đức" in province and "0987***321" in province


def test_my_data_lists_consents_and_messages_and_deletion_erases_them(world, client_for):
    from lms.messages.models import Message
    from lms.messages.services import record_consent
    from lms.privacy.models import RequestKind
    from lms.privacy.services import anonymise_household, file_request

    record_consent(world.member_a, world.household_a, ConsentPurpose.ZALO, True)
    record_consent(world.member_a, world.household_a, ConsentPurpose.ZALO, False, "Nhiều tin")
    issue_login_card(world.trainer_x, world.household_a)
    page = client_for(world.member_a).get("/my-data").get_data(as_text=True)
    assert "Sự đồng ý" in page and "Nhận tin nhắn qua Zalo" in page and "Nhiều tin" in page
    assert "Mã PIN đăng nhập đã được đổi" in page and "Chưa gửi" in page

    request = file_request(world.member_a, world.household_a, RequestKind.DELETE, "")
    anonymise_household(world.official_1, request)
    db.session.expire_all()
    assert all(m.params == {} for m in db.session.scalars(select(Message)))
    assert {c.reason for c in db.session.scalars(select(Consent))} == {""}


def test_the_delivery_page_keeps_to_its_query_budget(world, client_for, queries):
    """However many messages failed: the figures, then the failures with their households
    and communes, in a fixed number of queries."""
    from tests.builders import make_household

    for n in range(6):
        household = make_household(area=world.commune_1 if n % 2 else world.commune_2)
        issue_login_card(world.admin, household)
    client = client_for(world.official_province)
    with queries() as seen:
        page = client.get("/messages/delivery").get_data(as_text=True)
    assert page.count("Chưa gửi: kênh chưa được cấu hình") == 12
    assert len(seen) <= 6, "\n".join(seen)
