"""Certificate bundles as jobs, run by a real Celery worker: started from the certificate
list, followed on the job page, downloaded from the file the worker wrote; on the embedded
broker, and once on Redis."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import zipfile
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from lms.certificates import services
from lms.core.models import utcnow
from lms.extensions import db
from lms.jobs.models import Job, JobState
from tests.builders import make_certificate
from tests.certificates.test_services import complete
from tests.jobs_worker import wait_for


def start(client, kind: str, area_id: int | None = None) -> int:
    """Press a bundle button on the list; the job's id, from the page it goes to."""
    data = {"area_id": area_id} if area_id else {}
    response = client.post(f"/certificates/bundle.{kind}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.fullmatch(r".*/jobs/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def fetch(client, kind: str, area_id: int | None = None) -> tuple[Job, bytes]:
    job = wait_for(start(client, kind, area_id))
    assert job.state is JobState.DONE, job.error
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Xong" in page and f"/jobs/{job.id}/download" in page
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200
    return job, download.data


@pytest.fixture
def two_certified(courses, world, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "CERTIFICATE_PDF_FOLDER", str(tmp_path))
    complete(world, courses=courses)
    complete(world, world.household_b, world.member_b, courses)
    return world


def test_staff_get_their_scopes_certificates_as_zip_or_one_pdf(
    two_certified, client_for, job_worker
):
    world = two_certified
    official = client_for(world.official_1)
    job, body = fetch(official, "zip")
    [name] = zipfile.ZipFile(io.BytesIO(body)).namelist()
    pdf = zipfile.ZipFile(io.BytesIO(body)).read(name)
    assert "Nguyễn Thị Hương" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert (job.done, job.total, job.result_name) == (1, 1, "giay-chung-nhan.zip")
    assert job.expires_at - job.finished_at == timedelta(days=7)

    job, body = fetch(client_for(world.official_province), "pdf")
    merged = PdfReader(io.BytesIO(body))
    assert len(merged.pages) == 2 and job.result_name == "giay-chung-nhan.pdf"
    texts = " ".join(page.extract_text() for page in merged.pages)
    assert "Nguyễn Thị Hương" in texts and "Trần Văn Đức" in texts

    # the jobs page lists one's own jobs; another official's job answers 404
    listing = official.get("/jobs/").get_data(as_text=True)
    assert "Việc đang chạy" in listing and "Giấy chứng nhận: ZIP các tệp PDF" in listing
    assert "Giấy chứng nhận: một tệp PDF để in" not in listing
    assert official.get(f"/jobs/{job.id}").status_code == 404
    assert official.get(f"/jobs/{job.id}/download").status_code == 404
    assert official.get(f"/jobs/{job.id}.json").status_code == 404
    admin = client_for(world.admin).get("/jobs/").get_data(as_text=True)
    assert "Giấy chứng nhận: một tệp PDF để in" in admin and "Người yêu cầu" in admin

    status = client_for(world.official_province).get(f"/jobs/{job.id}.json").get_json()
    assert status == {"state": "done", "done": 2, "total": 2, "percent": 100, "finished": True}


def test_a_commune_bundle_holds_only_that_commune(
    two_certified, client_for, app, monkeypatch, job_worker
):
    """And its QR links are on PUBLIC_BASE_URL when set, though the worker has no request."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://taphuan.example.vn")
    world = two_certified
    _, body = fetch(client_for(world.official_province), "zip", world.commune_2.id)
    [name] = zipfile.ZipFile(io.BytesIO(body)).namelist()
    text = PdfReader(io.BytesIO(zipfile.ZipFile(io.BytesIO(body)).read(name))).pages[0]
    assert "Trần Văn Đức" in text.extract_text()


def test_nothing_to_bundle_starts_no_job(world, client_for, app):
    official = client_for(world.official_1)
    response = official.post("/certificates/bundle.zip", follow_redirects=True)
    assert "Không có giấy chứng nhận nào để tải." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0
    # an old bookmarked link goes to the list, building nothing
    assert official.get("/certificates/bundle.pdf").status_code == 302


def test_a_name_the_font_cannot_print_never_breaks_a_bundle(
    world, client_for, app, monkeypatch, tmp_path, job_worker
):
    """A name with an emoji, stored before names were checked: every bundle prints the
    others and names the one it left out; a bundle of only that one fails with why."""
    monkeypatch.setitem(app.config, "CERTIFICATE_PDF_FOLDER", str(tmp_path))
    world.household_b.head_name = "Trần Văn Đức 🌾"
    good, bad = make_certificate(world.household_a), make_certificate(world.household_b)
    db.session.commit()
    good_serial, bad_serial = good.serial, bad.serial
    left_out = f"Không in được {bad_serial} (🌾)"
    official = client_for(world.official_province)

    job, body = fetch(official, "zip")
    province = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(province.namelist()) == [f"{good_serial}.pdf", services.UNPRINTABLE_NOTE]
    assert left_out in province.read(services.UNPRINTABLE_NOTE).decode()
    assert left_out in official.get(f"/jobs/{job.id}").get_data(as_text=True)

    job, body = fetch(official, "pdf")
    assert len(PdfReader(io.BytesIO(body)).pages) == 1 and left_out in job.message

    rendering = client_for(world.admin).post("/certificates/render")
    rendered = wait_for(int(rendering.headers["Location"].rsplit("/", 1)[1]))
    assert rendered.state is JobState.DONE and (rendered.done, rendered.total) == (2, 2)
    assert left_out in rendered.message and "Đã tạo 0 tệp PDF giấy chứng nhận." in rendered.message
    page = client_for(world.admin).get(f"/jobs/{rendered.id}").get_data(as_text=True)
    assert "Giấy chứng nhận: tạo các tệp PDF còn thiếu" in page

    failed = wait_for(start(official, "pdf", world.commune_2.id))
    assert failed.state is JobState.FAILED and left_out in failed.error
    page = official.get(f"/jobs/{failed.id}").get_data(as_text=True)
    assert "Lỗi" in page and left_out in page
    assert official.get(f"/jobs/{failed.id}/download").status_code == 404


def test_a_finished_job_is_not_run_again_and_a_rerun_writes_its_file_once(
    two_certified, client_for, app, job_worker
):
    from lms.certificates import tasks

    official = client_for(two_certified.official_province)
    job, _ = fetch(official, "zip")
    folder = app.instance_path + "/jobs"
    path = f"{folder}/{job.result_path}"
    written = (job.attempts, job.finished_at, os.stat(path).st_mtime_ns)
    tasks.bundle.delay(job.id)  # the same message delivered again
    again = wait_for(start(official, "pdf"))  # the worker took both, in order
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.attempts, job.finished_at, os.stat(path).st_mtime_ns) == written
    assert again.state is JobState.DONE

    # a worker killed mid-way left the job running and a partial file: it is run again from
    # the start, its result written once, under one name
    job.state, job.result_path = JobState.RUNNING, None
    db.session.commit()
    Path(f"{folder}/{job.id}.part").write_bytes(b"half a zip")
    tasks.bundle.delay(job.id)
    job = wait_for(job.id)
    assert job.state is JobState.DONE and job.attempts == 2
    names = sorted(p.name for p in Path(folder).iterdir())
    assert names.count(job.result_path) == 1 and f"{job.id}.part" not in names
    assert len(zipfile.ZipFile(f"{folder}/{job.result_path}").namelist()) == 2


def test_a_job_goes_to_its_own_applications_broker_whatever_app_was_made_last(
    two_certified, client_for, app, tmp_path_factory
):
    """Making another application (a test, a CLI in the same process) makes its Celery the
    process's default: a job is still sent to the broker of the application that started it
    (a CI run waited 300 s for a message sent to another test application's broker)."""
    from tests.conftest import make_test_app

    def waiting(flask_app) -> int:
        broker = Path(flask_app.instance_path) / "celery-broker.sqlite3"
        if not broker.exists():
            return 0
        with closing(sqlite3.connect(broker)) as connection:
            return connection.execute(
                "SELECT count(*) FROM kombu_message WHERE visible"
            ).fetchone()[0]

    app.extensions["celery"].control.purge()
    other = make_test_app(tmp_path_factory)
    try:
        start(client_for(two_certified.official_province), "zip")
        assert (waiting(app), waiting(other)) == (1, 0)
    finally:
        app.extensions["celery"].set_default()
        app.extensions["celery"].set_current()
        app.extensions["celery"].control.purge()


def test_a_message_naming_another_tasks_job_never_runs_it(two_certified, client_for, app):
    """A message for job 1 of an import analysis, met after the jobs table started again (a
    database restored from a backup): job 1 is now a bundle, and it is not run as an import."""
    from lms.certificates import tasks
    from lms.households import tasks as household_tasks

    job_id = start(client_for(two_certified.official_province), "zip")  # no worker: queued
    app.extensions["celery"].control.purge()  # this test delivers the messages itself
    assert household_tasks.analyse.apply(args=[job_id]).get() == "another task's job"
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.state, job.attempts, job.error) == (JobState.QUEUED, 0, None)
    assert tasks.bundle.apply(args=[job_id]).get() == "done"


def test_a_job_whose_worker_died_is_sent_again(two_certified, client_for, app, job_worker):
    """A worker killed mid-way took the message with it (the embedded broker marks a message
    taken when it is fetched): the job, silent for JOB_STALE_MINUTES, is sent again."""
    official = client_for(two_certified.official_province)
    job, _ = fetch(official, "zip")
    job.state, job.result_path = JobState.RUNNING, None
    job.heartbeat_at = utcnow() - timedelta(minutes=29)
    db.session.commit()
    runner = app.test_cli_runner()
    assert "0 stale jobs sent again." in runner.invoke(args=["jobs", "requeue"]).output
    job.heartbeat_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    assert "1 stale jobs sent again." in runner.invoke(args=["jobs", "requeue"]).output
    job = wait_for(job.id)
    assert job.state is JobState.DONE and job.attempts == 2 and job.result_path
    assert "0 stale jobs sent again." in runner.invoke(args=["jobs", "requeue"]).output


def test_result_files_expire_and_the_cli_purges_and_follows_jobs(
    two_certified, client_for, app, job_worker
):
    official = client_for(two_certified.official_province)
    job_id = start(official, "zip")
    runner = app.test_cli_runner()
    followed = runner.invoke(args=["jobs", "wait", str(job_id)])
    assert followed.exit_code == 0, followed.output
    assert (
        "done: 2 giấy chứng nhận." in followed.output and "giay-chung-nhan.zip" in followed.output
    )

    assert "0 expired result files removed." in runner.invoke(args=["jobs", "purge"]).output
    job = db.session.get(Job, job_id)
    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "1 expired result files removed." in runner.invoke(args=["jobs", "purge"]).output
    assert official.get(f"/jobs/{job_id}/download").status_code == 404
    assert "Tệp đã hết hạn và đã được xoá" in official.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_running_job_shows_its_progress_with_and_without_javascript(world, client_for, app):
    """No worker here: the job waits, and its page refreshes itself without JavaScript."""
    job = Job(
        user_id=world.official_1.id,
        kind="certificates.bundle_zip",
        params={},
        done=3,
        total=12,
        state=JobState.RUNNING,
    )
    db.session.add(job)
    db.session.commit()
    page = client_for(world.official_1).get(f"/jobs/{job.id}").get_data(as_text=True)
    assert '<progress max="100" value="25"' in page and "3 / 12" in page
    assert '<noscript><meta http-equiv="refresh"' in page and "js/jobs." in page
    assert "Đang chạy" in page


def test_a_bundle_through_redis(two_certified, client_for, redis_job_worker):
    _, body = fetch(client_for(two_certified.official_province), "zip")
    assert len(zipfile.ZipFile(io.BytesIO(body)).namelist()) == 2


def test_the_certificate_list_is_paginated(two_certified, client_for, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    official = client_for(two_certified.official_province)
    first = official.get("/certificates/").get_data(as_text=True)
    second = official.get("/certificates/?page=2").get_data(as_text=True)
    assert "2 giấy chứng nhận." in first and "Trang 1 / 2" in first
    assert ("Trần Văn Đức" in first) != ("Trần Văn Đức" in second)
    assert ("Nguyễn Thị Hương" in first) != ("Nguyễn Thị Hương" in second)
