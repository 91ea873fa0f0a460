"""The gate and the request's states, without HTTP (the screens, API and CLI have their own)."""

from __future__ import annotations

import ast
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.activation import services
from lms.activation.models import ActivationRequest, ActivationStatus
from lms.certificates.models import RevocationCategory
from lms.certificates.services import reissue_certificate, revoke_certificate
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.extensions import db
from tests.builders import make_certificate, make_product, marketplace, payment_service

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


def test_no_certificate_is_refused_naming_the_missing_courses(courses, world):
    make_product(household=world.household_a, ocop_stars=3, ocop_year=2024)
    request = services.request_activation(world.member_a, world.household_a, marketplace())
    assert request.status is Status.REFUSED
    assert request.refusal_reason.startswith("Hộ chưa hoàn thành khóa học")
    for course in courses:
        assert course.current.title in request.refusal_reason
    assert "Chưa có sản phẩm" not in request.refusal_reason


def test_a_revoked_certificate_is_refused_with_its_category(ready):
    """The reasons reach marketplaces through the API: the category, never the staff's text."""
    revoke_certificate(
        ready.admin, ready.certificate_a, "Sai tên chủ hộ", RevocationCategory.DECISION
    )
    reasons = services.refusal_reasons(ready.household_a, marketplace())
    assert len(reasons) == 1
    assert ready.certificate_a.serial in reasons[0] and "đã bị thu hồi" in reasons[0]
    assert "(Thu hồi theo quyết định)" in reasons[0] and "Sai tên chủ hộ" not in reasons[0]


def test_no_eligible_product_is_refused_for_a_marketplace_only(ready):
    household = ready.household_b  # its one product's VietGAP expired
    ready.certification_b.expires_on = date(2020, 1, 1)
    make_certificate(household)
    db.session.commit()
    reasons = services.refusal_reasons(household, marketplace("voso"))
    assert reasons == services.refusal_reasons(household, marketplace("postmart"))
    assert reasons[0].startswith("Chưa có sản phẩm đủ điều kiện đưa lên sàn")
    assert "OCOP từ 3 sao" in reasons[0] and "VietGAP" in reasons[0]
    # and which paper ended, by name
    product = ready.certification_b.product.name
    assert reasons[1:] == [f"Chứng nhận VietGAP của “{product}” đã hết hạn ngày 01/01/2020."]
    # a payment account needs only the certificate: VNPost's PostPay, ViettelPost's offer
    for code in ("postpay", "viettelmoney"):
        assert services.refusal_reasons(household, payment_service(code)) == []
    request = services.request_activation(ready.trainer_y, household, payment_service())
    assert request.status is Status.REQUESTED


def test_an_ocop_rating_past_its_36_months_is_named_in_the_refusal(world):
    make_certificate(world.household_a)
    make_product(
        household=world.household_a,
        name="Nhút Thanh Chương",
        ocop_stars=4,
        ocop_year=2020,
        ocop_decided_on=date(2020, 5, 4),
    )
    db.session.commit()
    reasons = services.refusal_reasons(world.household_a, marketplace())
    assert reasons[0].startswith("Chưa có sản phẩm đủ điều kiện đưa lên sàn")
    assert reasons[1] == (
        "Xếp hạng OCOP của “Nhút Thanh Chương” (4 sao) đã hết hiệu lực ngày 03/05/2023, "
        "sau 36 tháng kể từ ngày quyết định: hãy nhờ cán bộ xã ghi nhận quyết định mới."
    )


def test_everything_in_order_is_approved_then_activated(ready):
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    assert request.status is Status.REQUESTED and request.requested_by_id == ready.member_a.id
    services.approve(ready.trainer_x, request)
    assert request.status is Status.APPROVED and request.decided_by_id == ready.trainer_x.id
    services.mark_activated(ready.trainer_x, request, "PM-001", "https://postmart.vn/shop/pm-001")
    assert request.status is Status.ACTIVATED
    assert (request.account_id, request.account_url) == (
        "PM-001",
        "https://postmart.vn/shop/pm-001",
    )
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_type == "ActivationRequest")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["activation.requested", "activation.approved", "activation.activated"]


def test_approving_after_the_certificate_was_revoked_refuses(ready):
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    revoke_certificate(ready.admin, ready.certificate_a, "Cấp nhầm")
    services.approve(ready.trainer_x, request)
    assert request.status is Status.REFUSED and "đã bị thu hồi" in request.refusal_reason
    assert request.decided_by_id == ready.trainer_x.id


def test_asking_again_reopens_the_same_request(ready):
    ready.certificate_a.status = "revoked"
    db.session.commit()
    first = services.request_activation(ready.member_a, ready.household_a, marketplace())
    assert first.status is Status.REFUSED
    ready.certificate_a.status = "valid"
    db.session.commit()
    second = services.request_activation(ready.member_a, ready.household_a, marketplace())
    assert second.id == first.id and second.status is Status.REQUESTED
    assert second.refusal_reason is None
    with pytest.raises(RuleViolation, match="đã đăng ký"):
        services.request_activation(ready.member_a, ready.household_a, marketplace())


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (Status.REQUESTED, lambda w, r: services.report_closed(w.trainer_x, r)),
        (Status.ACTIVATED, lambda w, r: services.approve(w.trainer_x, r)),
        (Status.ACTIVATED, lambda w, r: services.refuse(w.trainer_x, r, "Không")),
        (Status.REFUSED, lambda w, r: services.approve(w.trainer_x, r)),
        (Status.CLOSED, lambda w, r: services.report_closed(w.trainer_x, r)),
        (
            Status.APPROVED,
            lambda w, r: services.request_activation(w.member_a, r.household, r.marketplace),
        ),
    ],
)
def test_moves_out_of_order_are_refused_and_change_nothing(ready, status, move):
    request = ActivationRequest(
        household=ready.household_a, marketplace=marketplace(), status=status, account_id="X"
    )
    db.session.add(request)
    db.session.commit()
    with pytest.raises(RuleViolation):
        move(ready, request)
    db.session.refresh(request)
    assert request.status is status


def test_a_refusal_needs_a_reason_and_the_account_an_id(ready):
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    with pytest.raises(RuleViolation, match="lý do"):
        services.refuse(ready.trainer_x, request, "   ")
    with pytest.raises(RuleViolation):
        services.mark_activated(ready.trainer_x, request, "", "")
    with pytest.raises(RuleViolation, match="https://"):
        services.mark_activated(ready.trainer_x, request, "PM-1", "javascript:alert(1)")
    db.session.refresh(request)
    assert request.status is Status.REQUESTED


def test_revoking_flags_activated_accounts_and_reissue_settles_them(courses, ready):
    request = services.request_activation(ready.member_a, ready.household_a, marketplace())
    services.mark_activated(ready.trainer_x, request, "PM-9", "")
    revoke_certificate(ready.admin, ready.certificate_a, "Sai tên")
    assert db.session.get(ActivationRequest, request.id).needs_review
    # re-issue after a name correction: the household holds a valid certificate again
    from tests.certificates.test_services import complete

    complete(ready, courses=courses)  # completing issues a new valid certificate
    db.session.refresh(request)
    assert not request.needs_review and request.status is Status.ACTIVATED


def test_reissue_keeps_no_review_flag(courses, world):
    from lms.certificates.services import valid_certificate
    from tests.certificates.test_services import complete

    complete(world, courses=courses)
    make_product(household=world.household_a, ocop_stars=3, ocop_year=2024)
    request = services.report_activated(None, world.household_a, marketplace(), "PM-2", "")
    assert request.status is Status.ACTIVATED
    reissue_certificate(world.admin, valid_certificate(world.household_a.id), "Sửa tên")
    db.session.refresh(request)
    assert not request.needs_review


def test_closing_ends_the_listings_on_that_marketplace(ready):
    product = ready.household_a.products[0]
    from tests.builders import make_listing

    postmart, voso = (
        make_listing(product=product),
        make_listing(product=product, marketplace=marketplace("voso")),
    )
    request = services.report_activated(None, ready.household_a, marketplace(), "PM-3", "")
    services.report_closed(None, request)
    assert request.status is Status.CLOSED
    assert postmart.delisted_on is not None and voso.delisted_on is None


def test_no_other_module_changes_a_request_status():
    """Only lms/activation/services.py sets a request's status: any module that knows the
    request model and assigns a ``status``, or builds a request with one, is a way around the
    gate."""
    root = Path(__file__).resolve().parents[2] / "lms"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if path == root / "activation" / "services.py" or "Activation" not in source:
            continue
        tree = ast.parse(source)
        # a parameter annotated as another model (``request: DataRequest``): its status is
        # that model's
        other_models = {
            (id(statement), argument.arg)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef)
            for argument in function.args.args
            if argument.annotation is not None
            and "ActivationRequest" not in ast.unparse(argument.annotation)
            and ast.unparse(argument.annotation)[:1].isupper()
            for statement in ast.walk(function)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                assigned = [
                    element
                    for target in targets
                    for element in (target.elts if isinstance(target, ast.Tuple) else [target])
                ]
                # an import row's status (RowStatus) is another status than a request's
                if node.value is not None and "RowStatus" in ast.unparse(node.value):
                    continue
                if any(
                    isinstance(e, ast.Attribute)
                    and e.attr == "status"
                    and not (
                        isinstance(e.value, ast.Name) and (id(node), e.value.id) in other_models
                    )
                    for e in assigned
                ):
                    offenders.append(f"{path.relative_to(root)}: {ast.unparse(node)}")
            if (
                isinstance(node, ast.Call)
                and ast.unparse(node.func).endswith("ActivationRequest")
                and any(keyword.arg == "status" for keyword in node.keywords)
            ):
                offenders.append(f"{path.relative_to(root)}: {ast.unparse(node)}")
    assert offenders == []


@pytest.mark.races_on_postgres
def test_two_first_requests_at_once_make_one_request(ready, app):
    household_id, partner_id = ready.household_a.id, marketplace().id  # plain values only
    barrier, outcomes = threading.Barrier(2), []

    def ask() -> None:
        with app.app_context():
            try:
                from lms.households.models import Household
                from lms.products.models import Marketplace

                household = db.session.get(Household, household_id)
                partner = db.session.get(Marketplace, partner_id)
                barrier.wait(timeout=30)
                outcomes.append(services.request_activation(None, household, partner).status)
            except RuleViolation as error:
                outcomes.append(str(error.message))
            except Exception as error:  # pragma: no cover - reported below
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == [
        "Hộ đã đăng ký rồi; yêu cầu đang được xử lý.",
        "requested",
    ]
    assert len(db.session.scalars(select(ActivationRequest)).all()) == 1
