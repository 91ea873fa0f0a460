"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from lms.extensions import db
from tests.conftest import make_test_app


@pytest.fixture
def empty_database_url(tmp_path):
    """An empty database of the kind under test, dropped afterwards."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"lms_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_to_head_matches_the_models(tmp_path_factory, empty_database_url):
    app = make_test_app(tmp_path_factory, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []

        flask_migrate.downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        flask_migrate.upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_the_kept_facts_are_filled_from_the_records(tmp_path_factory, empty_database_url):
    """0009 and 0010 keep "informed" and "certified" on the household: they fill them from
    outreach, attendance and certificates."""
    from datetime import timedelta

    from lms.attendance.models import AttendanceMark, EnrolmentSource, MarkStatus
    from lms.certificates.models import CertificateStatus
    from lms.core.models import today, utcnow
    from lms.households.models import Household, OutreachChannel, OutreachEvent
    from tests.builders import make_certificate, make_household, make_session

    app = make_test_app(tmp_path_factory, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        flask_migrate.upgrade()
        late = make_household(head_name="Đi muộn")
        absent = make_household(head_name="Vắng", area=late.area)
        reached = make_household(head_name="Được báo", area=late.area)
        make_household(head_name="Chưa", area=late.area)
        session = make_session(area=late.area, starts_at=utcnow() - timedelta(days=1))
        for household, status in ((late, MarkStatus.LATE), (absent, MarkStatus.ABSENT)):
            db.session.add(
                AttendanceMark(
                    session_id=session.id,
                    household_id=household.id,
                    source=EnrolmentSource.SEARCH,
                    status=status,
                )
            )
        db.session.add(
            OutreachEvent(
                household_id=reached.id, informed_on=today(), channel=OutreachChannel.ZALO
            )
        )
        make_certificate(late, issued_on=today() - timedelta(days=3))
        make_certificate(absent, status=CertificateStatus.REVOKED)
        db.session.commit()
        flask_migrate.downgrade(revision="0008")  # the columns go, the records stay
        flask_migrate.upgrade()
        db.session.expire_all()
        stored = {
            name: (bool(informed), certified_on)
            for name, informed, certified_on in db.session.execute(
                select(Household.head_name, Household.is_informed, Household.certified_on)
            )
        }
        assert stored == {
            "Đi muộn": (True, today() - timedelta(days=3)),
            "Vắng": (False, None),
            "Được báo": (True, None),
            "Chưa": (False, None),
        }
        db.session.remove()
        db.engine.dispose()


def test_revocations_made_before_0014_void_the_pin_they_left_working(
    tmp_path_factory, empty_database_url
):
    """Before 0014 "revoke every card" raised the card version and left the PIN working. 0014
    reads the audit trail: the revoked card is the one before the version a revocation
    raised to, and a member whose last card event is a revocation loses the old PIN."""
    from lms.auth.models import Role, User
    from lms.auth.services import authenticate_household
    from lms.core.audit import AuditEvent
    from lms.core.errors import RuleViolation
    from tests.builders import PIN, make_household, make_user

    app = make_test_app(tmp_path_factory, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        flask_migrate.upgrade()
        lost = make_user(Role.HOUSEHOLD, household=make_household(phone="0912000001"))
        reprinted = make_user(Role.HOUSEHOLD, household=make_household(phone="0912000002"))
        history = [
            (lost, "user.login_card", 1),
            (lost, "user.revoke_cards", 2),
            (reprinted, "user.login_card", 1),
            (reprinted, "user.revoke_cards", 2),
            (reprinted, "user.login_card", 3),
        ]
        for member, action, version in history:
            db.session.add(
                AuditEvent(
                    action=action,
                    target_type="User",
                    target_id=member.id,
                    after={"card_version": version},
                )
            )
        db.session.commit()
        flask_migrate.downgrade(revision="0013")
        flask_migrate.upgrade()
        db.session.expire_all()
        revoked = dict(db.session.execute(select(User.phone, User.revoked_card_version)).all())
        assert revoked == {"0912000001": 1, "0912000002": 1}
        with pytest.raises(RuleViolation):
            authenticate_household("0912000001", PIN)
        assert authenticate_household("0912000002", PIN).id == reprinted.id
        db.session.remove()
        db.engine.dispose()


def test_the_payment_services_are_run_by_the_branches_that_run_their_marketplace(
    tmp_path_factory, empty_database_url
):
    """0027 seeds PostPay and Viettel Money, and gives each to the organisations running the
    same company's marketplace (Postmart, Voso), as a deployment has them by then."""
    from lms.products.models import Marketplace
    from tests.builders import make_area, make_organisation, marketplace

    app = make_test_app(tmp_path_factory, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        flask_migrate.upgrade()
        area = make_area()
        # and an office that runs neither
        vnpost, viettelpost, _office = (
            make_organisation(code=code, area=area) for code in ("BD-NA", "VTP-NA", "VP-NA")
        )
        postmart, voso = marketplace("postmart"), marketplace("voso")
        postmart.operators.append(vnpost)
        voso.operators.append(viettelpost)
        db.session.commit()
        flask_migrate.downgrade(revision="0026")
        db.session.expire_all()
        assert list(db.session.scalars(select(Marketplace.code))) == ["postmart", "voso"]
        flask_migrate.upgrade()
        db.session.expire_all()
        runs = {
            partner.code: [organisation.code for organisation in partner.operators]
            for partner in db.session.scalars(select(Marketplace).order_by(Marketplace.id))
        }
        assert runs == {
            "postmart": ["BD-NA"],
            "voso": ["VTP-NA"],
            "postpay": ["BD-NA"],
            "viettelmoney": ["VTP-NA"],
        }
        db.session.remove()
        db.engine.dispose()
