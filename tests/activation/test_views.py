"""The gate from the screens (a household, a trainer), the staff's queue, its export, the CLI."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.activation import services
from lms.activation.models import ActivationRequest, ActivationStatus
from lms.certificates.models import RevocationCategory
from lms.certificates.services import revoke_certificate
from lms.extensions import db
from tests.builders import make_certificate, make_product, marketplace

Status = ActivationStatus


@pytest.fixture
def ready(world):
    """Household A holds a valid certificate and an OCOP 4-star product."""
    world.certificate_a = make_certificate(world.household_a)
    make_product(
        household=world.household_a, name="Nhút Thanh Chương", ocop_stars=4, ocop_year=2024
    )
    db.session.commit()
    return world


def the_request(world, code="postmart") -> ActivationRequest | None:
    return db.session.scalar(
        select(ActivationRequest).where(
            ActivationRequest.household_id == world.household_a.id,
            ActivationRequest.marketplace_id == marketplace(code).id,
        )
    )


def ask(client, household, code="postmart"):
    return client.post(
        f"/households/{household.id}/activation",
        data={"marketplace_id": marketplace(code).id},
        follow_redirects=True,
    )


# ---------------------------------------------------------------- web, as the household


def test_the_household_asks_for_a_postal_payment_account_through_the_same_gate(world, client_for):
    """PostPay (VNPost) and Viettel Money (ViettelPost's) are seeded and offered beside the
    marketplaces: a certificate opens them, no product is needed; each operator's trainers
    decide their own."""
    client = client_for(world.member_a)
    page = client.get("/activation/").text
    for code, name, operator in (
        ("postpay", "PostPay", "VNPost"),
        ("viettelmoney", "Viettel Money", "Viettel"),
    ):
        card = page.split(f'id="partner-{code}"')[1].split("</li>")[0]
        assert f"{name} <small" in card and f"({operator})" in card
        assert "Tài khoản thanh toán trực tuyến" in card and f"Đăng ký mở · {name}" in card
    ask(client, world.household_a, "postpay")
    answer = the_request(world, "postpay")
    assert answer.status is Status.REFUSED and answer.answered_by_gate
    assert "Hộ chưa có giấy chứng nhận" in answer.refusal_reason
    make_certificate(world.household_a)
    db.session.commit()
    body = ask(client, world.household_a, "viettelmoney").text
    assert "Đã gửi đăng ký Viettel Money" in body
    assert "Chưa có sản phẩm" not in body
    assert "Chưa thể mở Postmart" in ask(client, world.household_a, "postmart").text
    request = the_request(world, "viettelmoney")
    assert request.status is Status.REQUESTED
    vnpost, viettelpost = client_for(world.trainer_x), client_for(world.trainer_y)
    assert vnpost.post(f"/activation/requests/{request.id}/approve").status_code == 403
    viettelpost.post(f"/activation/requests/{request.id}/approve")
    db.session.refresh(request)
    assert (request.status, request.decided_by_id) == (Status.APPROVED, world.trainer_y.id)


def test_the_household_without_a_certificate_is_refused_and_sees_why(courses, world, client_for):
    client = client_for(world.member_a)
    assert "Đăng ký mở gian hàng" in client.get("/learn/").get_data(as_text=True)
    body = ask(client, world.household_a).get_data(as_text=True)
    assert "Chưa thể mở Postmart" in body and "Hộ chưa hoàn thành khóa học" in body
    assert the_request(world).status is Status.REFUSED
    page = client.get("/activation/").get_data(as_text=True)
    assert "Vì sao chưa được, và cần làm gì" in page and "Đăng ký lại" in page


def test_the_household_with_a_revoked_certificate_is_refused(ready, client_for):
    revoke_certificate(
        ready.admin, ready.certificate_a, "Cấp nhầm hộ", RevocationCategory.ISSUED_IN_ERROR
    )
    body = ask(client_for(ready.member_a), ready.household_a).get_data(as_text=True)
    # the category, as on the public page; the staff's free text stays with the staff
    assert "đã bị thu hồi (Cấp nhầm)" in body and "Cấp nhầm hộ" not in body
    assert the_request(ready).status is Status.REFUSED


def test_the_household_without_an_eligible_product_is_refused(world, client_for):
    make_certificate(world.household_a)
    make_product(household=world.household_a, ocop_stars=2, ocop_year=2024)
    db.session.commit()
    body = ask(client_for(world.member_a), world.household_a, "voso").get_data(as_text=True)
    assert "Chưa có sản phẩm đủ điều kiện đưa lên sàn" in body
    assert the_request(world, "voso").status is Status.REFUSED


def test_the_household_in_order_asks_with_csrf_on(ready, client_for, csrf):
    client = client_for(ready.member_a)
    page = client.get("/activation/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    path = f"/households/{ready.household_a.id}/activation"
    assert client.post(path, data={"marketplace_id": marketplace().id}).status_code == 400
    response = client.post(path, data={"marketplace_id": marketplace().id, "csrf_token": token})
    assert response.status_code == 302
    assert the_request(ready).status is Status.REQUESTED
    body = client.get("/activation/").get_data(as_text=True)
    assert "Chờ xử lý" in body


def test_a_household_cannot_ask_for_another(ready, client_for):
    response = client_for(ready.member_b).post(
        f"/households/{ready.household_a.id}/activation",
        data={"marketplace_id": marketplace().id},
    )
    assert response.status_code == 404
    assert the_request(ready) is None


# ---------------------------------------------------------------- web, as postal staff


def test_the_trainer_asks_for_the_household_and_is_refused_with_the_reason(world, client_for):
    client = client_for(world.trainer_x)
    body = ask(client, world.household_a).get_data(as_text=True)
    assert "Chưa thể mở Postmart" in body and "Gian hàng và tài khoản thanh toán" in body
    request = the_request(world)
    assert request.status is Status.REFUSED and request.requested_by_id == world.trainer_x.id


def test_the_trainer_asks_approves_and_marks_activated(ready, client_for):
    client = client_for(ready.trainer_x)
    body = ask(client, ready.household_a).get_data(as_text=True)
    assert "Đã gửi đăng ký Postmart" in body
    request = the_request(ready)
    assert request.status is Status.REQUESTED
    client.post(f"/activation/requests/{request.id}/approve")
    db.session.refresh(request)
    assert request.status is Status.APPROVED
    response = client.post(
        f"/activation/requests/{request.id}/activated",
        data={"account_id": "PM-42", "account_url": "https://postmart.vn/shop/pm-42"},
        follow_redirects=True,
    )
    assert "Đã kích hoạt" in response.get_data(as_text=True)
    db.session.refresh(request)
    assert (request.status, request.account_id) == (Status.ACTIVATED, "PM-42")


def test_the_trainers_approval_goes_through_the_gate(ready, client_for):
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    revoke_certificate(ready.admin, ready.certificate_a, "Sai tên")
    body = (
        client_for(ready.trainer_x)
        .post(f"/activation/requests/{request.id}/approve", follow_redirects=True)
        .get_data(as_text=True)
    )
    assert "đã bị thu hồi" in body
    db.session.refresh(request)
    assert request.status is Status.REFUSED


def test_refusing_needs_a_reason_that_the_household_then_reads(ready, client_for):
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    client = client_for(ready.trainer_x)
    response = client.post(f"/activation/requests/{request.id}/refuse", data={"reason": ""})
    assert response.status_code == 400 and "Vui lòng ghi lý do" in response.get_data(as_text=True)
    client.post(
        f"/activation/requests/{request.id}/refuse",
        data={"reason": "Ảnh sản phẩm chưa rõ, hãy chụp lại"},
    )
    page = client_for(ready.member_a).get("/activation/").get_data(as_text=True)
    assert "Ảnh sản phẩm chưa rõ, hãy chụp lại" in page


@pytest.mark.parametrize(
    ("action", "form"),
    [
        ("refuse", {"reason": "Ảnh sản phẩm chưa rõ"}),
        ("activated", {"account_id": "PM-7"}),
        ("approve", {}),
    ],
)
def test_a_decision_from_a_page_that_showed_another_status_is_refused(
    ready, client_for, action, form
):
    """Both trainers' pages showed the request waiting; the other one approved it first."""
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    client = client_for(ready.trainer_x)
    page = client.get(f"/activation/requests/{request.id}").text
    assert page.count('name="seen" value="requested"') == 3  # approve, activated, refuse
    services.approve(ready.admin, request)
    body = client.post(
        f"/activation/requests/{request.id}/{action}",
        data={**form, "seen": "requested"},
        follow_redirects=True,
    ).text
    assert "Người khác vừa xử lý yêu cầu này" in body
    db.session.refresh(request)
    assert (request.status, request.decided_by_id) == (Status.APPROVED, ready.admin.id)


def test_officials_watch_the_queue_but_do_not_decide(ready, client_for):
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    client = client_for(ready.official_1)
    assert "Nguyễn Thị Hương" in client.get("/activation/requests").get_data(as_text=True)
    assert client.post(f"/activation/requests/{request.id}/approve").status_code == 403
    page = client.get(f"/activation/requests/{request.id}").get_data(as_text=True)
    assert "Duyệt" not in page
    db.session.refresh(request)
    assert request.status is Status.REQUESTED


def test_the_queue_filters_by_commune_and_marketplace_and_exports(ready, client_for):
    make_certificate(ready.household_b)
    db.session.commit()
    services.request_activation(ready.member_a, ready.household_a, marketplace())
    voso = services.request_activation(ready.member_b, ready.household_b, marketplace("voso"))
    services.refuse(ready.trainer_y, voso, "Chưa có sản phẩm chụp ảnh rõ")
    client = client_for(ready.admin)
    both = client.get("/activation/requests").get_data(as_text=True)
    assert "Nguyễn Thị Hương" in both and "Trần Văn Đức" in both
    commune_2 = client.get(f"/activation/requests?area_id={ready.commune_2.id}").get_data(
        as_text=True
    )
    assert "Trần Văn Đức" in commune_2 and "Nguyễn Thị Hương" not in commune_2
    postmart = client.get(f"/activation/requests?marketplace_id={marketplace().id}")
    assert "Trần Văn Đức" not in postmart.get_data(as_text=True)
    sheet = load_workbook(
        io.BytesIO(client.get("/activation/requests.xlsx?status=refused").data)
    ).active
    rows = list(sheet.values)
    assert rows[0][1] == "Chủ hộ" and [row[1] for row in rows[1:]] == ["Trần Văn Đức"]
    assert "Chưa có sản phẩm chụp ảnh rõ" in rows[1][8]
    csv = client.get("/activation/requests.csv").data
    assert csv.startswith(b"\xef\xbb\xbf") and "Nguyễn Thị Hương".encode() in csv


def test_the_official_of_another_commune_sees_nothing_of_it(ready, client_for):
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    client = client_for(ready.official_2)
    assert "Nguyễn Thị Hương" not in client.get("/activation/requests").get_data(as_text=True)
    assert client.get(f"/activation/requests/{request.id}").status_code == 404
    export = client.get("/activation/requests.csv").data.decode("utf-8-sig")
    assert "Nguyễn Thị Hương" not in export


# ---------------------------------------------------------------- the CLI


def test_the_cli_goes_through_the_same_gate(world, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["activation", "check", "0912345678", "postmart"])
    assert result.exit_code == 1 and "Hộ chưa có giấy chứng nhận" in result.output
    result = runner.invoke(args=["activation", "request", "0912345678", "postmart"])
    assert "refused" in result.output and the_request(world).status is Status.REFUSED

    certificate = make_certificate(world.household_a)
    make_product(household=world.household_a, ocop_stars=5, ocop_year=2025)
    db.session.commit()
    assert runner.invoke(args=["activation", "check", "040186001234", "postmart"]).output == "yes\n"
    result = runner.invoke(args=["activation", "request", "0912 345 678", "postmart"])
    request = the_request(world)
    assert f"request {request.id}: requested" in result.output

    revoke_certificate(world.admin, certificate, "Kiểm tra lại")
    result = runner.invoke(args=["activation", "approve", str(request.id)])
    assert "refused" in result.output and "đã bị thu hồi" in result.output
    db.session.refresh(request)
    assert request.status is Status.REFUSED
    result = runner.invoke(args=["activation", "close", str(request.id)])
    assert result.exit_code == 1 and "Chỉ đóng được tài khoản đã kích hoạt" in result.output


def test_the_cli_marks_activated_and_closed(ready, app):
    request = services.request_activation(None, ready.household_a, marketplace())
    runner = app.test_cli_runner()
    args = ["activation", "activated", str(request.id), "--account-id", "PM-7"]
    assert "activated" in runner.invoke(args=args).output
    assert "closed" in runner.invoke(args=["activation", "close", str(request.id)]).output
    assert runner.invoke(args=["activation", "approve", "999999"]).exit_code == 1


def test_the_demo_shows_a_queue(app, client_for):
    from tests.builders import load_shipped_courses

    load_shipped_courses()
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    statuses = dict(
        db.session.execute(
            select(ActivationRequest.marketplace_id, ActivationRequest.status).where(
                ActivationRequest.status != Status.REFUSED
            )
        ).all()
    )
    assert statuses == {
        marketplace().id: Status.REQUESTED,
        marketplace("voso").id: Status.ACTIVATED,
    }
    refused = db.session.scalars(
        select(ActivationRequest.refusal_reason).where(ActivationRequest.status == Status.REFUSED)
    ).all()
    assert sorted(reason[:10] for reason in refused) == ["Chưa có sả", "Hộ chưa ho"]
    client = client_for()
    client.post("/login/staff", data={"email": "giangvien.vnpost@demo.vn", "password": "demo12345"})
    assert "Hồ Sỹ Quang" in client.get("/activation/requests").get_data(as_text=True)


def test_a_gate_answer_reads_as_not_yet_and_waits_in_no_queue(world, client_for):
    """Asking too early (no certificate yet) is answered with what is missing and what to do,
    once; it is not a refusal for the household nor a refused request for the trainers."""
    household = client_for(world.member_a)
    asked = ask(household, world.household_a)
    body = asked.get_data(as_text=True)
    assert "Chưa thể mở Postmart: còn thiếu gì" in body
    assert "chưa học xong" in body.lower() or "chưa có giấy chứng nhận" in body.lower()
    assert "Từ chối" not in body and "Chưa thể mở" in body
    request = the_request(world)
    assert request.status is Status.REFUSED and request.answered_by_gate
    queue = client_for(world.trainer_x).get("/activation/requests?status=refused")
    assert "Nguyễn Thị Hương" not in queue.get_data(as_text=True)


def test_the_households_page_shows_its_certificate_products_and_then_its_shop(ready, client_for):
    household = client_for(ready.member_a)
    page = household.get("/activation/").get_data(as_text=True)
    assert ready.certificate_a.serial in page and "Nhút Thanh Chương" in page
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    services.approve(ready.trainer_x, request)
    services.mark_activated(ready.trainer_x, request, "PM-7", "https://postmart.vn/shop/pm-7")
    page = household.get("/activation/").get_data(as_text=True)
    assert (
        "Địa chỉ gian hàng hoặc tài khoản:" in page and "https://postmart.vn/shop/pm-7</a>" in page
    )
