"""Builders: ``make_<thing>(**overrides)`` returns a flushed row with sensible defaults."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from lms.areas.models import Area, AreaLevel
from lms.attendance.models import ClassSession
from lms.auth.models import Role, User
from lms.auth.services import hash_secret
from lms.core.models import today, utcnow
from lms.courses.models import Course, Programme, ProgrammeCourse
from lms.extensions import db
from lms.households.models import Household, HouseholdImport, ProductGroup, ScaleClass
from lms.organisations.models import Organisation, OrganisationKind
from lms.products.models import (
    Certification,
    CertificationKind,
    Listing,
    Marketplace,
    PartnerKind,
    Product,
)

_sequence = itertools.count(1)
PASSWORD = "correct-horse"
PIN = "246810"


def _flushed(record):
    db.session.add(record)
    db.session.flush()
    return record


def make_area(**overrides) -> Area:
    n = next(_sequence)
    parent = overrides.pop("parent", None)
    fields = {
        "code": str(90000 + n),
        "name": f"Xã Thử Nghiệm {n}",
        "level": AreaLevel.COMMUNE if parent else AreaLevel.PROVINCE,
        "parent_id": parent.id if parent else None,
        "path": "",
    }
    area = _flushed(Area(**{**fields, **overrides}))
    area.path = (parent.path if parent else "/") + f"{area.id}/"
    db.session.flush()
    return area


def make_organisation(**overrides) -> Organisation:
    n = next(_sequence)
    area = overrides.pop("area", None) or make_area()
    fields = {
        "code": f"ORG-{n}",
        "name": f"Bưu điện thử nghiệm {n}",
        "kind": OrganisationKind.POSTAL,
        "area_id": area.id,
    }
    return _flushed(Organisation(**{**fields, **overrides}))


def make_household(**overrides) -> Household:
    n = next(_sequence)
    area = overrides.pop("area", None) or make_area(parent=make_area())
    fields = {
        "head_name": f"Nguyễn Văn Thử {n}",
        "phone": f"09{n:08d}",
        "area_id": area.id,
    }
    return _flushed(Household(**{**fields, **overrides}))


def make_product(**overrides) -> Product:
    household = overrides.pop("household", None) or make_household()
    fields = {"name": "Chè xanh Thanh Chương", "category": "chè", "ocop_stars": 0}
    return _flushed(Product(household_id=household.id, **{**fields, **overrides}))


def make_certification(**overrides) -> Certification:
    product = overrides.pop("product", None) or make_product()
    fields = {
        "kind": CertificationKind.VIETGAP,
        "number": f"VG-{next(_sequence)}",
        "expires_on": None,
    }
    return _flushed(Certification(product_id=product.id, **{**fields, **overrides}))


def marketplace(code: str = "postmart") -> Marketplace:
    """The marketplaces (postmart, voso) and payment services are seeded by the migrations."""
    return db.session.scalar(select(Marketplace).where(Marketplace.code == code))


def payment_service(code: str = "postpay") -> Marketplace:
    """A payment service the migrations seed: VNPost's PostPay, or Viettel Money
    ("viettelmoney"), which ViettelPost offers at its post offices."""
    partner = marketplace(code)
    assert partner.kind is PartnerKind.PAYMENT_PROVIDER
    return partner


def make_listing(**overrides) -> Listing:
    product = overrides.pop("product", None) or make_product()
    market = overrides.pop("marketplace", None) or marketplace()
    fields = {"url": "https://postmart.vn/shop/1", "listed_on": today()}
    return _flushed(
        Listing(product_id=product.id, marketplace_id=market.id, **{**fields, **overrides})
    )


def make_classification(model: type[ScaleClass] | type[ProductGroup], **overrides):
    n = next(_sequence)
    return _flushed(model(**{"code": f"c{n}", "name": f"Loại {n}", **overrides}))


def make_import(actor: User | None, text: str, filename: str = "ds-ho.csv") -> HouseholdImport:
    from lms.households.importing import start_import

    record, _ = start_import(actor, io.BytesIO(text.encode("utf-8")), filename)
    return record


COURSES_FOLDER = Path(__file__).resolve().parent.parent / "courses"


def load_shipped_courses() -> list[Course]:
    """The three programme courses shipped in courses/, loaded as ``make run`` loads them."""
    from lms.courses.loading import load_courses
    from lms.courses.services import list_courses

    report = load_courses(COURSES_FOLDER)
    assert report.ok, report.problems
    return list_courses()


def make_programme(province: Area, courses: list[Course], **overrides) -> Programme:
    programme = Programme(
        name="Đưa hộ SXNN lên sàn TMĐT — Nghệ An 2026", area_id=province.id, year=2026, **overrides
    )
    for position, course in enumerate(courses, start=1):
        programme.courses.append(
            ProgrammeCourse(course=course, position=position, is_required=True)
        )
    return _flushed(programme)


@lru_cache(maxsize=16)
def _hashed(secret: str, _method: str) -> str:
    """The secret hashed as the application hashes it, once per secret and method: scrypt is
    slow on purpose, and the suite makes thousands of accounts with the same two secrets."""
    return hash_secret(secret)


def make_user(role: Role = Role.ADMIN, **overrides) -> User:
    n = next(_sequence)
    secret = overrides.pop("secret", PIN if role is Role.HOUSEHOLD else PASSWORD)
    fields: dict = {
        "role": role,
        "full_name": f"Người dùng {n}",
        "password_hash": _hashed(secret, current_app.config["PASSWORD_HASH_METHOD"]),
    }
    if role is Role.HOUSEHOLD:
        household = overrides.pop("household", None) or make_household()
        fields |= {"phone": household.phone, "household_id": household.id}
    else:
        fields["email"] = f"user{n}@example.vn"
    if "area" in overrides:
        fields["area_id"] = overrides.pop("area").id
    if "organisation" in overrides:
        fields["organisation_id"] = overrides.pop("organisation").id
    return _flushed(User(**{**fields, **overrides}))


def make_session(**overrides) -> ClassSession:
    n = next(_sequence)
    trainer = overrides.pop("trainer", None)
    area = overrides.pop("area", None) or (
        trainer.area if trainer else make_area(parent=make_area())
    )
    if trainer is None:
        trainer = make_user(Role.TRAINER, area=area, organisation=make_organisation(area=area))
    starts_at = overrides.pop("starts_at", utcnow() + timedelta(days=1))
    fields = {
        "title": f"Buổi tập huấn {n}",
        "organisation_id": trainer.organisation_id,
        "trainer_id": trainer.id,
        "area_id": area.id,
        "place": "Hội trường UBND xã",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=3),
    }
    return _flushed(ClassSession(**{**fields, **overrides}))


@dataclass(eq=False)
class World:
    """One province, two communes, two postal organisations, one actor per role and scope."""

    province: Area
    commune_1: Area
    commune_2: Area
    org_x: Organisation
    org_y: Organisation
    admin: User
    official_province: User
    official_1: User
    official_2: User
    trainer_x: User
    trainer_y: User
    #: the community digital technology team of commune 1 (assisted learning)
    team_1: User
    household_a: Household
    household_b: Household
    member_a: User
    member_b: User
    session_x: ClassSession
    session_y: ClassSession
    product_b: Product
    certification_b: Certification
    listing_b: Listing
    import_2: HouseholdImport


def build_world() -> World:
    province = make_area(code="40", name="Tỉnh Nghệ An", level=AreaLevel.PROVINCE)
    commune_1 = make_area(code="17464", name="Xã Diễn Châu", parent=province)
    commune_2 = make_area(code="17506", name="Xã Yên Thành", parent=province)
    org_x = make_organisation(code="VNPOST", name="Bưu điện Nghệ An", area=province)
    org_y = make_organisation(code="VTP", name="Viettel Post Nghệ An", area=province)
    household_a = make_household(
        head_name="Nguyễn Thị Hương", phone="0912345678", national_id="040186001234", area=commune_1
    )
    household_b = make_household(
        head_name="Trần Văn Đức", phone="0987654321", national_id="040084002345", area=commune_2
    )
    trainer_x = make_user(
        Role.TRAINER,
        full_name="Giảng viên X",
        email="gv.x@example.vn",
        area=province,
        organisation=org_x,
    )
    trainer_y = make_user(
        Role.TRAINER,
        full_name="Giảng viên Y",
        email="gv.y@example.vn",
        area=province,
        organisation=org_y,
    )
    product_b = make_product(household=household_b, name="Mật ong Yên Thành")
    official_2 = make_user(Role.OFFICIAL, email="xa2@example.vn", area=commune_2)
    # each trainer registered one household: it may change that one, and only sees the other
    household_a.registered_by_id, household_b.registered_by_id = trainer_x.id, trainer_y.id
    # VNPost runs Postmart and PostPay, ViettelPost Voso and Viettel Money: each decides its
    # own partners' requests
    for code, organisation in (
        ("postmart", org_x),
        ("postpay", org_x),
        ("voso", org_y),
        ("viettelmoney", org_y),
    ):
        partner = marketplace(code)
        partner.operators.append(organisation)
    db.session.commit()
    return World(
        product_b=product_b,
        certification_b=make_certification(product=product_b),
        listing_b=make_listing(product=product_b),
        import_2=make_import(
            official_2, "Họ và tên,Số điện thoại,Xã/Phường\nHồ Văn Mới,0977000111,Xã Yên Thành\n"
        ),
        province=province,
        commune_1=commune_1,
        commune_2=commune_2,
        org_x=org_x,
        org_y=org_y,
        admin=make_user(Role.ADMIN, full_name="Quản trị", email="admin@example.vn"),
        official_province=make_user(Role.OFFICIAL, email="tinh@example.vn", area=province),
        official_1=make_user(Role.OFFICIAL, email="xa1@example.vn", area=commune_1),
        official_2=official_2,
        trainer_x=trainer_x,
        trainer_y=trainer_y,
        team_1=make_user(
            Role.DIGITAL_TEAM,
            full_name="Tổ CNS Diễn Châu",
            email="cns.1@example.vn",
            area=commune_1,
        ),
        household_a=household_a,
        household_b=household_b,
        member_a=make_user(Role.HOUSEHOLD, household=household_a),
        member_b=make_user(Role.HOUSEHOLD, household=household_b),
        session_x=make_session(title="Lớp Diễn Châu", trainer=trainer_x, area=commune_1),
        session_y=make_session(title="Lớp Yên Thành", trainer=trainer_y, area=commune_2),
    )


def make_certificate(household: Household, **overrides):
    """A valid certificate for ``household``, as if it had completed its programme (the real
    completion is tested in tests/certificates; here only holding one matters)."""
    from lms.certificates.models import Certificate
    from lms.certificates.services import refresh_certified

    n = next(_sequence)
    programme = overrides.pop("programme", None) or db.session.scalar(select(Programme))
    if programme is None:
        province = household.area.parent or household.area
        programme = make_programme(province, [])
    fields = {
        "serial": f"NA-2026-{n:06d}",
        "prefix": "NA",
        "year": 2026,
        "number": n,
        "household_id": household.id,
        "programme_id": programme.id,
        "issued_on": today(),
        "holder_name": household.head_name,
        "commune_name": household.area.name,
        "issuer": "Văn phòng Chương trình",
        "courses": [],
    }
    certificate = _flushed(Certificate(**{**fields, **overrides}))
    refresh_certified([household.id])  # as issuing does
    return certificate
