"""The rest of the long work as jobs, run by one real Celery worker for the module (the
embedded broker; one export through Redis): a large export, a household-list import (its
analysis and its commit), the plan report and a roster's login cards, each started from its
screen, followed on the job page and downloaded from the file the worker wrote. Each
threshold is lowered here so that a small world is "large"; below it the same screens
answer at once, which their own tests cover."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.attendance import services as attendance
from lms.attendance.models import EnrolmentSource
from lms.core.audit import AuditEvent
from lms.extensions import db
from lms.households.models import Household, HouseholdImport
from lms.jobs.models import Job, JobState
from tests.builders import make_household
from tests.jobs_worker import _worker, wait_for


@pytest.fixture(scope="module")
def worker(app):
    """One worker for the whole module: starting one costs about a second."""
    with _worker(app.extensions["celery"]) as running:
        yield running


def job_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = re.fullmatch(r".*/jobs/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def finished(client, response) -> tuple[Job, bytes | None]:
    job = wait_for(job_of(response))
    assert job.state is JobState.DONE, job.error
    download = client.get(f"/jobs/{job.id}/download")
    return job, download.data if download.status_code == 200 else None


CSV_HEADER = "Họ và tên,Số điện thoại,Xã/Phường\n"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_upload_being_analysed_shows_its_job_and_is_not_yet_acted_on(world, client_for):
    """No worker yet: the analysis waits, and every screen of the import says so."""
    from lms.households import importing

    body = (CSV_HEADER + "Hộ Chờ Đọc,0972000099,Diễn Châu").encode()
    record = importing.store_upload(world.official_1, io.BytesIO(body), "ds.csv")
    job = Job(user_id=world.official_1.id, kind="households.import_analyse",
              key=f"households.import_analyse:{record.id}", params={"import_id": record.id})  # fmt: skip
    db.session.add(job)
    db.session.commit()
    official = client_for(world.official_1)
    preview = f"/households/import/{record.id}"
    assert official.get(preview).headers["Location"] == f"/jobs/{job.id}"
    for url in (f"{preview}/commit", f"{preview}/rows/2/resolve"):
        assert official.post(url).headers["Location"] == preview
    assert official.get(f"{preview}/rejected.xlsx").headers["Location"] == preview
    assert "Nhập danh sách hộ: đọc danh sách" in official.get(f"/jobs/{job.id}").get_data(
        as_text=True
    )


def test_a_large_export_is_written_by_a_job_a_small_one_is_answered_at_once(
    world, client_for, app, monkeypatch, worker
):
    official = client_for(world.official_province)
    households = count(Household)
    monkeypatch.setitem(app.config, "EXPORT_JOB_ROWS", households)
    direct = official.get("/households/export.csv")
    assert direct.status_code == 200 and direct.mimetype == "text/csv"

    monkeypatch.setitem(app.config, "EXPORT_JOB_ROWS", 1)
    job, body = finished(official, official.get("/households/export.csv?q="))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert body == direct.data  # the same file, from the same function
    assert len(rows) == households + 1 and (job.done, job.total) == (households, households)
    page = official.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Xuất tệp: Hộ" in page and "Tải về" in page
    menu = official.get("/households/").get_data(as_text=True)
    assert '<a href="/jobs/">Việc đang chạy</a>' in menu  # the staff menu's link

    # a list behind a figure, as .xlsx (openpyxl's write-only mode, in the worker)
    job, body = finished(official, official.get("/overview/households/not_trained.xlsx"))
    sheet = load_workbook(io.BytesIO(body)).active
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert "Nguyễn Thị Hương" in names and job.total == len(names)
    # another official's job is out of scope
    assert client_for(world.official_1).get(f"/jobs/{job.id}/download").status_code == 404


def test_a_large_import_is_analysed_and_committed_by_jobs_once(
    world, client_for, app, monkeypatch, worker
):
    monkeypatch.setitem(app.config, "IMPORT_JOB_BYTES", 0)
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 0)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    official = client_for(world.official_1)
    names = ["Hộ Nhập An", "Hộ Nhập Bình", "Hộ Nhập Châu", "Hộ Nhập Dung", "Hộ Nhập Giang"]
    lines = [f"{name},09720000{n:02d},Diễn Châu" for n, name in enumerate(names)]
    body = (CSV_HEADER + "\n".join(lines)).encode()
    upload = official.post(
        "/households/import",
        data={"file": (io.BytesIO(body), "ds.csv")},
        content_type="multipart/form-data",
    )
    preview_url = upload.headers["Location"]
    record = db.session.get(HouseholdImport, int(preview_url.rsplit("/", 1)[1]))
    analysing = wait_for(db.session.scalar(select(Job.id).where(Job.kind.like("%analyse"))))
    assert analysing.state is JobState.DONE and (analysing.done, analysing.total) == (5, 5)
    job_page = official.get(f"/jobs/{analysing.id}").get_data(as_text=True)
    assert f'href="{preview_url}"' in job_page and "5 hộ mới" in job_page

    # the preview reads its page of rows from the kept preview, two a page
    first = official.get(preview_url).get_data(as_text=True)
    third = official.get(preview_url + "?page=3").get_data(as_text=True)
    assert names[0] in first and names[1] in first and names[2] not in first
    assert names[4] in third and names[0] not in third and "(5)" in first

    before = count(Household)
    # a double click: one job, not two
    one = job_of(official.post(f"/households/import/{record.id}/commit"))
    two = job_of(official.post(f"/households/import/{record.id}/commit"))
    assert one == two
    committing = wait_for(one)
    assert committing.state is JobState.DONE, committing.error
    assert "5 hộ mới" in committing.message
    assert count(Household) == before + 5
    created = select(func.count()).where(AuditEvent.action == "household.import_create")
    assert db.session.scalar(created) == 5

    # the same message delivered again writes nothing more
    from lms.households import tasks

    db.session.expire_all()
    job = db.session.get(Job, one)
    job.state = JobState.RUNNING  # as if its worker died after the commit's transaction
    db.session.commit()
    tasks.commit.delay(one)
    again = wait_for(one)
    assert again.state is JobState.DONE and again.attempts == 2
    assert count(Household) == before + 5 and db.session.scalar(created) == 5


def test_an_upload_the_job_cannot_read_leaves_nothing_behind(
    world, client_for, app, monkeypatch, worker
):
    monkeypatch.setitem(app.config, "IMPORT_JOB_BYTES", 0)
    official = client_for(world.official_1)
    official.post(
        "/households/import",
        data={"file": (io.BytesIO(b"PK\x03\x04 not a workbook"), "ds.xlsx")},
        content_type="multipart/form-data",
    )
    job = wait_for(db.session.scalar(select(Job.id)))
    assert job.state is JobState.FAILED and job.error
    assert not db.session.scalar(
        select(HouseholdImport).where(HouseholdImport.filename == "ds.xlsx")
    )
    assert job.error in official.get(f"/jobs/{job.id}").get_data(as_text=True)


def test_a_province_report_and_a_rosters_cards_are_jobs(
    world, client_for, app, monkeypatch, worker
):
    monkeypatch.setitem(app.config, "REPORT_JOB_COMMUNES", 0)
    official = client_for(world.official_province)
    job, body = finished(official, official.get("/overview/report.pdf"))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "BÁO CÁO" in text and job.result_name.endswith(".pdf")

    monkeypatch.setitem(app.config, "CARDS_JOB_HOUSEHOLDS", 0)
    session = world.session_x
    roster = [
        make_household(head_name=f"Hộ Thẻ {name}", phone=f"09340000{n:02d}", area=world.commune_1)
        for n, name in enumerate(("An", "Bình", "Châu"))
    ]
    attendance.enrol(world.trainer_x, session, roster, EnrolmentSource.COMMUNE)
    db.session.commit()
    trainer = client_for(world.trainer_x)
    ticked = [str(household.id) for household in roster]
    job, body = finished(
        trainer, trainer.post(f"/sessions/{session.id}/cards.pdf", data={"household_id": ticked})
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert len(re.findall(r"Mã PIN: (\d{6})", text)) == 3 and "Hộ Thẻ Châu" in text
    assert (job.done, job.total) == (3, 3)
    assert (job.expires_at - job.finished_at).days == 1  # the PINs are not kept a week


def test_an_export_through_redis(world, client_for, app, monkeypatch, redis_job_worker):
    monkeypatch.setitem(app.config, "EXPORT_JOB_ROWS", 1)
    official = client_for(world.official_province)
    _job, body = finished(official, official.get("/households/export.csv"))
    assert body.decode("utf-8-sig").count("\n") == count(Household) + 1
