"""Demo data for ``make run``: real Nghệ An areas, the postal organisations, one login per
role, a handful of households and class sessions. Loaded through the same services as the
screens, so demo data obeys every rule."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources

from sqlalchemy import select

from lms.areas.models import Area
from lms.areas.services import import_areas_csv
from lms.attendance.models import AttendanceMark, ClassSession, EnrolmentSource
from lms.auth.models import Role, User
from lms.auth.services import create_user
from lms.core.models import today, utcnow
from lms.courses.models import Programme, ProgrammeCourse
from lms.courses.services import list_courses
from lms.extensions import db
from lms.households.models import (
    Household,
    OutreachChannel,
    OutreachEvent,
)
from lms.households.services import refresh_informed
from lms.organisations.models import OrganisationKind
from lms.organisations.services import save_organisation
from lms.products.models import Certification, CertificationKind, Listing, Marketplace, Product

PROGRAMME_NAME = "Đưa hộ SXNN lên sàn TMĐT — Nghệ An 2026"
STAFF_PASSWORD = "demo12345"
HOUSEHOLD_PIN = "123456"

DEMO_LOGINS = (
    ("admin", "quantri@demo.vn", STAFF_PASSWORD),
    ("official", "canbo.tinh@demo.vn", STAFF_PASSWORD),
    ("official", "canbo.dienchau@demo.vn", STAFF_PASSWORD),
    ("trainer", "giangvien.vnpost@demo.vn", STAFF_PASSWORD),
    ("trainer", "giangvien.viettelpost@demo.vn", STAFF_PASSWORD),
    ("digital_team", "tocns.dienchau@demo.vn", STAFF_PASSWORD),
    ("household", "0912345678", HOUSEHOLD_PIN),
)

#: (code, name, kind, the partners it runs: its trainers decide their activation requests)
ORGANISATIONS = (
    (
        "VNPOST-NA",
        "Bưu điện tỉnh Nghệ An (VNPost)",
        OrganisationKind.POSTAL,
        ("postmart", "postpay"),
    ),
    ("VTP-NA", "Viettel Post Nghệ An", OrganisationKind.POSTAL, ("voso", "viettelmoney")),
    (
        "VP-CT-NA",
        "Văn phòng Chương trình — Sở Công Thương Nghệ An",
        OrganisationKind.PROGRAMME_OFFICE,
        (),
    ),
)

#: (head of household, phone, national ID, commune code, village)
HOUSEHOLDS = (
    ("Nguyễn Thị Hương", "0912345678", "040186001234", "17464", "Xóm 3"),
    ("Trần Văn Đức", "0987654321", "040084002345", "17464", "Xóm 5"),
    ("Lê Thị Ngọc Ánh", "0358123456", None, "17464", "Xóm Đông"),
    ("Hồ Sỹ Quang", "0971234567", "040079003456", "17506", "Thôn Tân Hợp"),
    ("Phan Thị Lợi", "0389765432", None, "17506", "Thôn Bắc Sơn"),
    ("Nguyễn Đình Thắng", "0862345678", "040090004567", "17662", "Xóm Trung Tiến"),
    ("Đặng Thị Mai", "0943216789", None, "17662", "Xóm Yên Lạc"),
    ("Vi Văn Tám", "0328654321", None, "17254", "Bản Khe Choăng"),
    ("Lô Thị Xuân", "0395112233", None, "17254", "Bản Nưa"),
    ("Trương Công Thành", "0916778899", "040082005678", "17935", "Xóm Kim Liên"),
)


def _add_products(households: list[Household]) -> None:
    """A few real Nghệ An products: rated, certified (one expired), listed, and not."""
    days = timedelta(days=1)
    postmart = db.session.scalar(select(Marketplace).where(Marketplace.code == "postmart"))
    # its OCOP rating, decided almost three years ago, ends in 44 days: the household's
    # message box warns about it (lms/messages/demo.py)
    ends = today() + 45 * days
    decided_on = date(ends.year - 3, ends.month, min(ends.day, 28))
    tea = Product(
        household=households[0],
        name="Chè xanh Diễn Châu",
        category="chè",
        ocop_stars=3,
        ocop_year=decided_on.year,
        ocop_decided_on=decided_on,
        ocop_decision="2456/QĐ-UBND",
    )
    honey = Product(household=households[3], name="Mật ong rừng Yên Thành", category="mật ong")
    honey.certifications.append(
        Certification(
            kind=CertificationKind.VIETGAP,
            number="VG-NA-0192",
            issuer="Sở Nông nghiệp và Môi trường Nghệ An",
            expires_on=today() + 400 * days,
        )
    )
    sauce = Product(household=households[5], name="Tương Nam Đàn", category="gia vị")
    sauce.certifications.append(
        Certification(
            kind=CertificationKind.FOOD_SAFETY, number="ATTP-77", expires_on=today() - 30 * days
        )
    )
    db.session.add_all([tea, honey, sauce])
    if postmart is not None:
        tea.listings.append(
            Listing(marketplace=postmart, listed_on=today() - 60 * days, url="https://postmart.vn/")
        )
    for household in households[:6]:
        household.outreach.append(
            OutreachEvent(informed_on=today() - 20 * days, channel=OutreachChannel.MEETING)
        )
    db.session.flush()
    refresh_informed(household.id for household in households[:6])


def _add_programme(province: Area) -> None:
    """The province's programme, requiring every course loaded from courses/ (if any)."""
    programme = Programme(name=PROGRAMME_NAME, area_id=province.id, year=today().year)
    for position, course in enumerate(list_courses(), start=1):
        programme.courses.append(
            ProgrammeCourse(
                course=course, position=position, is_required=course.current.is_required
            )
        )
    db.session.add(programme)
    db.session.commit()


def load_demo_data() -> bool:
    """Load the demo once; returns False (and changes nothing) when it is already there."""
    if db.session.scalar(select(User).where(User.email == DEMO_LOGINS[0][1])):
        return False
    with resources.files("lms.areas").joinpath("data/nghe_an.csv").open("rb") as stream:
        report = import_areas_csv(None, stream)
    if not report.ok:
        raise RuntimeError(f"demo areas refused: {report.errors}")
    area = {
        code: db.session.scalar(select(Area).where(Area.code == code))
        for code in ("40", "17464", "17506", "17662", "17254", "17935")
    }
    province = area["40"]
    partner_ids = dict(db.session.execute(select(Marketplace.code, Marketplace.id)).all())
    organisations = {
        code: save_organisation(
            None,
            None,
            code=code,
            name=name,
            kind=kind,
            area_id=province.id,
            partner_ids=[partner_ids[partner] for partner in partners],
        )
        for code, name, kind, partners in ORGANISATIONS
    }
    households = []
    for head_name, phone, national_id, commune, address in HOUSEHOLDS:
        household = Household(
            head_name=head_name,
            phone=phone,
            national_id=national_id,
            area_id=area[commune].id,
            address=address,
        )
        db.session.add(household)
        households.append(household)
    db.session.commit()

    staff = dict(secret=STAFF_PASSWORD)
    create_user(
        None,
        role=Role.ADMIN,
        full_name="Quản trị viên Chương trình",
        email="quantri@demo.vn",
        **staff,
    )
    create_user(
        None,
        role=Role.OFFICIAL,
        full_name="Phạm Minh Tuấn",
        email="canbo.tinh@demo.vn",
        area_id=province.id,
        organisation_id=organisations["VP-CT-NA"].id,
        **staff,
    )
    create_user(
        None,
        role=Role.OFFICIAL,
        full_name="Hoàng Thị Lan",
        email="canbo.dienchau@demo.vn",
        area_id=area["17464"].id,
        **staff,
    )
    vnpost = create_user(
        None,
        role=Role.TRAINER,
        full_name="Nguyễn Văn Bình",
        email="giangvien.vnpost@demo.vn",
        area_id=province.id,
        organisation_id=organisations["VNPOST-NA"].id,
        **staff,
    )
    viettel = create_user(
        None,
        role=Role.TRAINER,
        full_name="Lê Thị Thu",
        email="giangvien.viettelpost@demo.vn",
        area_id=province.id,
        organisation_id=organisations["VTP-NA"].id,
        **staff,
    )
    create_user(
        None,
        role=Role.DIGITAL_TEAM,
        full_name="Phan Văn Hải",
        email="tocns.dienchau@demo.vn",
        area_id=area["17464"].id,
        **staff,
    )
    create_user(
        None,
        role=Role.HOUSEHOLD,
        full_name=households[0].head_name,
        phone=households[0].phone,
        household_id=households[0].id,
        secret=HOUSEHOLD_PIN,
    )

    _add_programme(province)

    start = utcnow().replace(hour=1, minute=30, second=0, microsecond=0) + timedelta(days=3)
    sessions = (
        ("Bán hàng trên Postmart — lớp 1", vnpost, "17464", "Hội trường UBND xã Diễn Châu", 0),
        ("Thanh toán trực tuyến an toàn", vnpost, "17506", "Nhà văn hóa thôn Tân Hợp", 2),
        ("Mở gian hàng trên Voso", viettel, "17662", "Hội trường UBND xã Đô Lương", 1),
    )
    courses = {course.slug: course for course in list_courses()}
    for title, trainer, commune, place, day in sessions:
        starts_at = start + timedelta(days=day)
        db.session.add(
            ClassSession(
                courses=list(courses.values()),
                checkin_code=f"{100000 + day * 111111:06d}",
                title=title,
                organisation_id=trainer.organisation_id,
                trainer_id=trainer.id,
                area_id=area[commune].id,
                place=place,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
            )
        )
    # a class happening now in Xã Diễn Châu, its commune's households on the roster: the
    # demo household can check itself in with code 246810
    now = utcnow().replace(second=0, microsecond=0)
    live = ClassSession(
        courses=list(courses.values()),
        checkin_code="246810",
        title="Lớp tập huấn đang diễn ra",
        organisation_id=vnpost.organisation_id,
        trainer_id=vnpost.id,
        area_id=area["17464"].id,
        place="Nhà văn hóa xóm 3, xã Diễn Châu",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    db.session.add(live)
    for household in households[1:3]:
        live.marks.append(AttendanceMark(household=household, source=EnrolmentSource.COMMUNE))
    db.session.commit()
    _add_products(households)  # products, certifications and listings (was never called)
    db.session.commit()
    _add_activation_requests(households, vnpost, viettel)
    from lms.flagship.demo import add_demo_flagships

    add_demo_flagships()  # three flagship products whose stories ship in flagship/
    from lms.outreach.demo import add_demo_broadcast

    add_demo_broadcast()  # today's broadcast on Xã Diễn Châu's radio (lms/outreach)
    from lms.messages.demo import add_demo_messages

    add_demo_messages()  # tomorrow's class reminder and consents (lms/messages)
    return True


def _complete_programme(household: Household) -> None:
    """Read every lesson and pass every quiz, as the household would on its phone: its
    certificate is then issued by the same rule as anyone's."""
    from datetime import timedelta

    from lms.courses.models import LessonProgress
    from lms.courses.services import (
        finish_lesson,
        offers_for,
        open_lesson,
        reading_seconds,
        start_quiz,
        submit_quiz,
    )

    if not offers_for(household):  # no course loaded: nothing to complete
        return
    member = create_user(
        None,
        role=Role.HOUSEHOLD,
        full_name=household.head_name,
        phone=household.phone,
        household_id=household.id,
        secret=HOUSEHOLD_PIN,
    )
    for offer in offers_for(household):
        for lesson in offer.version.lessons:
            open_lesson(household, lesson)
            progress = db.session.scalar(
                select(LessonProgress).where(
                    LessonProgress.household_id == household.id,
                    LessonProgress.course_id == offer.course.id,
                    LessonProgress.lesson_slug == lesson.slug,
                )
            )  # the demo household read it earlier, for as long as it takes
            progress.served_at -= timedelta(seconds=reading_seconds(lesson) + 60)
            finish_lesson(household, lesson)
        draw = start_quiz(household, offer)
        answers = {question.position: question.answers for question, _ in draw.drawn_questions()}
        submit_quiz(member, household, offer, answers, draw.nonce)


def _add_activation_requests(households: list[Household], vnpost: User, viettel: User) -> None:
    """A queue to look at: waiting, activated, and refused by the gate (no eligible product,
    courses not finished). The demo login household (the first) has asked for nothing yet."""
    from lms.activation import services as activation
    from lms.activation.models import ActivationStatus

    postmart = db.session.scalar(select(Marketplace).where(Marketplace.code == "postmart"))
    voso = db.session.scalar(select(Marketplace).where(Marketplace.code == "voso"))
    if postmart is None or voso is None:
        return
    honey, sauce, untrained = households[3], households[5], households[1]
    for household in (honey, sauce):
        _complete_programme(household)
    activation.request_activation(None, honey, postmart)  # waits for the postal staff
    shop = activation.request_activation(viettel, honey, voso)
    if shop.status is ActivationStatus.REQUESTED:  # not without the courses loaded
        activation.approve(viettel, shop)
        activation.mark_activated(
            viettel, shop, "VS-NA-0192", "https://voso.vn/shop/mat-ong-yen-thanh"
        )
    activation.request_activation(vnpost, sauce, voso)  # its certification expired: refused
    activation.request_activation(vnpost, untrained, postmart)  # courses not finished: refused
