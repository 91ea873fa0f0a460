"""A large seller export, read and matched once by a job (a real Celery worker on the embedded
broker): its pages read the matches the job kept, not the file; its decisions hold; its
commit is a job too, matched again and recorded once however often it is pressed."""

from __future__ import annotations

import io
import re
import shutil

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.jobs.models import Job, JobState
from lms.products.models import Listing
from lms.reports import reconciliation
from tests.builders import marketplace
from tests.jobs_worker import _worker, wait_for
from tests.reports.test_reconciliation import _post, _token, messy_seller_file


@pytest.fixture(scope="module")
def worker(app):
    with _worker(app.extensions["celery"]) as running:
        yield running


def _job(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(re.fullmatch(r".*/jobs/(\d+)", response.headers["Location"]).group(1))


def test_a_list_being_matched_sends_its_pages_to_its_job(province, client_for):
    """No worker yet: the job waits, and the list's pages say so instead of matching it."""
    postmart = marketplace("postmart")
    record = reconciliation.keep(
        province.official, postmart, io.BytesIO(messy_seller_file(province)), "ds.xlsx"
    )
    job = Job(user_id=province.official.id, kind="reports.reconcile",
              key=f"reports.reconcile:{record.id}", params={"token": record.token})  # fmt: skip
    db.session.add(job)
    db.session.commit()
    client = client_for(province.official)
    preview = f"/overview/reconcile/{record.token}"
    for response in (client.get(preview), client.get(f"{preview}/report.xlsx")):
        assert response.headers["Location"] == f"/jobs/{job.id}"
    assert "Đối soát: đọc danh sách người bán" in client.get(f"/jobs/{job.id}").get_data(
        as_text=True
    )


def test_a_large_seller_list_is_matched_and_recorded_by_jobs(
    province, client_for, app, monkeypatch, worker, tmp_path
):
    monkeypatch.setitem(app.config, "RECONCILE_JOB_BYTES", 0)
    client, postmart = client_for(province.official), marketplace("postmart")
    province.households["active"].national_id = "040186009999"
    db.session.commit()
    preview = _post(client, postmart, messy_seller_file(province)).headers["Location"]
    token = _token(preview)
    matching = wait_for(db.session.scalar(select(Job.id).where(Job.kind == "reports.reconcile")))
    assert matching.state is JobState.DONE, matching.error
    assert "1 cần xác nhận" in matching.message

    # the pages read the kept matches: the file itself is not read again
    record = reconciliation.find(province.official, token)
    stored = reconciliation._folder() / record.stored_name
    shutil.move(stored, tmp_path / "away")
    page = client.get(preview).get_data(as_text=True)
    assert "Còn 1 người bán cần xác nhận" in page and 'id="seller-3"' in page
    client.post(f"{preview}/sellers/3", data={"choice": "confirm"})
    assert "Đã xác nhận" in client.get(preview).get_data(as_text=True)
    shutil.move(tmp_path / "away", stored)

    one, two = _job(client.post(preview)), _job(client.post(preview))
    assert one == two  # a double click: one job
    recording = wait_for(one)
    assert recording.state is JobState.DONE, recording.error
    listings = db.session.scalar(select(func.count()).select_from(Listing))
    assert listings and "Đã ghi nhận" in recording.message
    assert reconciliation.find(province.official, token).is_committed
    assert "Người bán đã ghi nhận:" in client.get(preview).get_data(as_text=True)
    assert _job(client.post(preview)) == one  # pressed again: the same job, nothing more
    assert db.session.scalar(select(func.count()).select_from(Listing)) == listings
