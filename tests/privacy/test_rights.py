"""The household's rights: its data shown and downloaded, corrections and deletions."""

from __future__ import annotations

import json

import pytest
from flask import g
from sqlalchemy import Text, cast, func, select

from lms.auth.models import User
from lms.certificates.services import pdf_folder, pdf_for
from lms.core.audit import AuditEvent
from lms.core.errors import RuleViolation
from lms.core.models import today
from lms.extensions import db
from lms.households.importing import import_folder
from lms.households.services import update_household
from lms.outreach.services import record_broadcast
from lms.privacy import services
from lms.privacy.models import DataRequest, RequestKind, RequestStatus
from lms.reports import targets
from lms.reports.targets import TargetFilter
from tests.builders import make_certificate, make_import
from tests.certificates.test_rendering import text_of as pdf_text

HOUSEHOLD_A = ("Nguyễn Thị Hương", "0912345678", "040186001234")


def test_a_household_reads_and_downloads_what_is_held_about_it(world, client_for):
    make_certificate(world.household_a)
    db.session.commit()
    member = client_for(world.member_a)
    page = member.get("/my-data").get_data(as_text=True)
    for value in (*HOUSEHOLD_A, "Xã Diễn Châu", "NA-2026-"):
        assert value in page
    data = json.loads(member.get("/my-data.json").get_data())
    assert data["household"][0]["national_id"] == "040186001234"
    assert data["certificates"][0]["serial"].startswith("NA-2026-")
    assert {"members", "outreach", "products", "attendance", "quiz_attempts",
            "activation_requests", "data_requests", "consents", "messages"} <= set(data)  # fmt: skip
    text = member.get("/my-data.txt")
    assert text.mimetype == "text/plain" and "040186001234" in text.get_data(as_text=True)
    assert today().strftime("%d/%m/%Y") in text.get_data(
        as_text=True
    )  # issued on, read as dates are
    # staff have no "my data"; another household's request form is a 404
    assert client_for(world.official_1).get("/my-data").status_code == 403
    assert member.get(f"/households/{world.household_b.id}/data-request").status_code == 404


def test_a_correction_filed_on_behalf_is_answered_by_an_official_of_the_area(world):
    with pytest.raises(RuleViolation):  # a correction says what is wrong
        services.file_request(world.trainer_x, world.household_a, RequestKind.CORRECT, " ")
    request = services.file_request(
        world.trainer_x, world.household_a, RequestKind.CORRECT, "Tên đúng là Nguyễn Thị Hường"
    )
    with pytest.raises(RuleViolation):  # one open request of a kind at a time
        services.file_request(world.member_a, world.household_a, RequestKind.CORRECT, "lại")
    with pytest.raises(RuleViolation):  # an official of another commune does not answer it
        services.answer_correction(world.official_2, request, "Đã sửa")
    with pytest.raises(RuleViolation):
        services.refuse_request(world.official_1, request, "")
    update_household(world.official_1, world.household_a, head_name="Nguyễn Thị Hường")
    services.answer_correction(world.official_1, request, "Đã sửa tên")
    assert (request.status, request.handled_by_id) == (RequestStatus.DONE, world.official_1.id)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "DataRequest")
    ).all()
    assert actions == ["data_request.file", "data_request.done"]
    deletion = services.file_request(world.member_a, world.household_a, RequestKind.DELETE, "")
    services.refuse_request(world.official_1, deletion, "Hộ đang có yêu cầu kích hoạt chưa xong")
    assert deletion.status is RequestStatus.REFUSED and world.household_a.anonymised_at is None


def test_deletion_anonymises_and_keeps_the_certificate_and_the_figures(world, client_for, csrf):
    household = world.household_a
    certificate = make_certificate(household)
    update_household(world.official_1, household, address="Xóm 4, Diễn Châu")
    correction = services.file_request(world.member_a, household, RequestKind.CORRECT, "Xóm 4")
    services.answer_correction(world.official_1, correction, "Đã sửa địa chỉ: Xóm 4, Diễn Châu")
    record_broadcast(world.official_1, world.commune_1, today(), "Thông báo")
    upload = make_import(
        world.official_1,
        f"Họ và tên,Số điện thoại,Xã/Phường\n{HOUSEHOLD_A[0]},{HOUSEHOLD_A[1]},Xã Diễn Châu\n",
    )
    assert HOUSEHOLD_A[1] in _preview_text(upload)
    printed = pdf_for(certificate)
    assert "Hương" in pdf_text(printed)
    figures_before = _figures(world)

    member, official = client_for(world.member_a), client_for(world.official_1)
    token = _token(_page(member, "/my-data"))
    filed = member.post(f"/households/{household.id}/data-request",
                        data={"csrf_token": token, "kind": "delete"})  # fmt: skip
    assert filed.status_code == 302
    request = db.session.scalar(select(DataRequest).where(DataRequest.kind == RequestKind.DELETE))
    answer = f"/data-requests/{request.id}"
    assert client_for(world.official_2).get(answer).status_code == 404
    token = _token(_page(official, answer))
    unconfirmed = official.post(answer, data={"csrf_token": token, "decision": "delete"})
    assert unconfirmed.status_code == 400
    db.session.refresh(household)
    assert household.head_name == HOUSEHOLD_A[0]  # nothing changed
    done = official.post(answer, data={"csrf_token": token, "decision": "delete", "confirm": "y"})
    assert done.status_code == 302

    db.session.expire_all()
    assert household.anonymised_at is not None
    assert (household.phone, household.national_id, household.address) == (None, None, "")
    login = db.session.scalar(select(User).where(User.id == world.member_a.id))
    assert (login.phone, login.is_active) == (None, False)
    assert member.get("/my-data").status_code == 302  # its session ended
    # nothing personal is left in the audit trail or the import preview
    for value in (*HOUSEHOLD_A, "Xóm 4"):
        assert not db.session.scalar(
            select(func.count()).where(cast(AuditEvent.before, Text).contains(value))
        ) and not db.session.scalar(
            select(func.count()).where(cast(AuditEvent.after, Text).contains(value))
        )
        assert value not in _preview_text(upload)
    assert not (import_folder() / upload.stored_name).exists()
    # the certificate stays as it was, without the name; its PDF is printed anew without it
    db.session.refresh(certificate)
    assert certificate.is_valid and certificate.serial.startswith("NA-2026-")
    assert not list(pdf_folder().glob(f"{certificate.serial}-*.pdf"))  # the cached one is gone
    reprinted = pdf_text(pdf_for(certificate))
    assert "Hương" not in reprinted and certificate.serial in reprinted
    verified = client_for().get(f"/v/?serial={certificate.serial}").get_data(as_text=True)
    assert "Hợp lệ" in verified and "Đã xóa dữ liệu cá nhân theo yêu cầu của hộ" in verified
    assert _figures(world) == figures_before  # informed and trained still counted
    with pytest.raises(RuleViolation):
        services.file_request(world.official_1, household, RequestKind.DELETE, "")


def _figures(world) -> tuple:
    board = targets.dashboard(world.official_province, TargetFilter())
    return tuple(
        (r.households, r.shares["informed"].part, r.shares["trained"].part) for r in board.rows
    )


def _token(response) -> str:
    """The form's CSRF token. Fetch the page with ``_page``: the test's one request context
    keeps the token made for the previous client in ``g``."""
    return (
        response.get_data(as_text=True)
        .split('name="csrf_token" type="hidden" value="')[1]
        .split('"')[0]
    )


def _page(client, path: str):
    g.pop("csrf_token", None)
    return client.get(path)


def _preview_text(upload) -> str:
    """Every file the import keeps beside the upload (its preview's header, rows, indexes)."""
    files = import_folder().glob(f"{upload.stored_name}.*")
    return "".join(path.read_bytes().decode("utf-8", "replace") for path in files)
