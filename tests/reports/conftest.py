"""A hand-built province for the officials' reports, with every edge case of the targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.activation.models import ActivationRequest, ActivationStatus
from lms.attendance.models import AttendanceMark, EnrolmentSource, MarkStatus
from lms.auth.models import Role
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.services import refresh_certified
from lms.core.models import today, utcnow
from lms.courses.models import Programme
from lms.extensions import db
from lms.households.models import (
    Household,
    OutreachChannel,
    ProductGroup,
    ScaleClass,
)
from lms.households.services import record_outreach, refresh_informed
from lms.products.models import Marketplace
from tests.builders import (
    make_area,
    make_certification,
    make_classification,
    make_household,
    make_listing,
    make_product,
    make_programme,
    make_session,
    make_user,
    marketplace,
)

_serial = iter(range(1, 1000))


def certify(household: Household, status=CertificateStatus.VALID, issued_on=None) -> Certificate:
    number = next(_serial)
    certificate = Certificate(
        serial=f"NA-2026-{number:06d}", prefix="NA", year=2026, number=number,
        household_id=household.id, programme_id=db.session.scalar(select(Programme.id)),
        issued_on=issued_on or today(), holder_name=household.head_name, commune_name="",
        issuer="Văn phòng Chương trình", courses=[], status=status,
    )  # fmt: skip
    db.session.add(certificate)
    db.session.flush()
    refresh_certified([household.id])  # as issuing and revoking do
    return certificate


def activate(household: Household, partner: Marketplace, status=ActivationStatus.ACTIVATED):
    db.session.add(
        ActivationRequest(household_id=household.id, marketplace_id=partner.id, status=status)
    )
    db.session.flush()


def mark(household: Household, session, status: MarkStatus) -> None:
    db.session.add(
        AttendanceMark(
            session_id=session.id,
            household_id=household.id,
            source=EnrolmentSource.SEARCH,
            status=status,
        )
    )
    db.session.flush()
    refresh_informed([household.id])  # as the attendance services do


@dataclass
class Province:
    province: object
    commune_1: object
    commune_2: object
    legacy: object
    official: object
    official_1: object
    households: dict
    session_1: object
    session_2: object
    wallet: Marketplace


@pytest.fixture
def province(app) -> Province:
    """Two current communes and a legacy one merged into the first; seven households."""
    province = make_area(code="40", name="Tỉnh Nghệ An")
    commune_1 = make_area(name="Xã Diễn Châu", parent=province)
    commune_2 = make_area(name="Xã Yên Thành", parent=province)
    legacy = make_area(name="Xã Diễn Cũ", parent=province, merged_into_id=commune_1.id)
    make_programme(province, [])
    scale = make_classification(ScaleClass)
    group = make_classification(ProductGroup)
    classified = {"scale_class_id": scale.id, "product_group_id": group.id}
    postmart, voso = marketplace("postmart"), marketplace("voso")
    # the payment services the migrations seed: VNPost's and the one ViettelPost offers
    wallet, viettel_money = marketplace("postpay"), marketplace("viettelmoney")
    session_1 = make_session(area=commune_1, starts_at=utcnow() - timedelta(days=3))
    session_2 = make_session(area=commune_2, starts_at=utcnow() - timedelta(days=2))
    h = {}
    # commune 1: informed, standardised, OCOP 4★ listed, certified
    h["listed_trained"] = make_household(head_name="An", area=commune_1, **classified)
    record_outreach(None, [h["listed_trained"]], today(), OutreachChannel.MEETING)
    make_listing(product=make_product(household=h["listed_trained"], ocop_stars=4))
    certify(h["listed_trained"])
    # commune 1: listed on Voso, its certificate revoked: listed but not trained
    h["revoked"] = make_household(head_name="Bình", area=commune_1, phone=None)
    eligible = make_product(household=h["revoked"])
    make_certification(product=eligible)
    make_listing(product=eligible, marketplace=voso)
    certify(h["revoked"], status=CertificateStatus.REVOKED)
    # the legacy commune (counted in commune 1): attended a class, certified, no product
    h["legacy"] = make_household(head_name="Cúc", area=legacy, **classified)
    mark(h["legacy"], session_1, MarkStatus.PRESENT)
    certify(h["legacy"])
    activate(h["legacy"], wallet)
    # commune 2: nothing at all
    h["nothing"] = make_household(head_name="Dũng", area=commune_2)
    # commune 2: an activated shop, no listing, no certificate: listed but not trained
    h["shop_only"] = make_household(head_name="Em", area=commune_2, **classified)
    activate(h["shop_only"], postmart)
    # commune 2: an OCOP 3★ product not listed, another delisted; absent from class
    h["unlisted"] = make_household(head_name="Giang", area=commune_2, **classified)
    make_product(household=h["unlisted"], ocop_stars=3)
    delisted = make_product(household=h["unlisted"], ocop_stars=5)
    make_listing(product=delisted, delisted_on=today())
    mark(h["unlisted"], session_2, MarkStatus.ABSENT)
    # commune 2: certified, with a shop and a payment account; a refused request elsewhere
    h["active"] = make_household(head_name="Hà", area=commune_2, **classified)
    certify(h["active"])
    activate(h["active"], postmart)
    activate(h["active"], viettel_money)
    activate(h["active"], voso, status=ActivationStatus.REFUSED)
    official = make_user(Role.OFFICIAL, area=province)
    official_1 = make_user(Role.OFFICIAL, area=commune_1)
    db.session.commit()
    return Province(
        province, commune_1, commune_2, legacy, official, official_1, h, session_1, session_2,
        wallet,
    )  # fmt: skip
