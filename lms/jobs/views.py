"""The "Việc đang chạy" page: the jobs of the current user (an admin: everyone's), each with
its progress and, once done, its result to download."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from lms.core.database import paginate
from lms.core.scope import get_or_404
from lms.jobs import services
from lms.jobs.models import Job, JobState

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

#: what each kind of job is called on the page
KIND_LABELS = {
    "certificates.bundle_zip": _l("Certificates: ZIP of PDFs"),
    "certificates.bundle_pdf": _l("Certificates: one PDF to print"),
    "certificates.render": _l("Certificates: render missing PDFs"),
    "households.import_analyse": _l("Household import: reading the list"),
    "households.import_commit": _l("Household import: writing to the registry"),
    "reports.report_pdf": _l("Plan report (PDF)"),
    "reports.report_docx": _l("Plan report (Word)"),
    "reports.reconcile": _l("Reconciliation: reading the seller file"),
    "reports.reconcile_commit": _l("Reconciliation: recording the sellers"),
    "attendance.cards": _l("Login cards of a session"),
}
STATE_LABELS = {
    JobState.QUEUED: _l("Waiting"),
    JobState.RUNNING: _l("Running"),
    JobState.DONE: _l("Done"),
    JobState.FAILED: _l("Failed"),
}


@bp.app_template_global()
def job_label(job: Job) -> str:
    if job.kind == "export":
        return _("Export: %(title)s", title=(job.params or {}).get("title", ""))
    return str(KIND_LABELS.get(job.kind, job.kind))


@bp.app_template_global()
def job_state_label(job: Job) -> str:
    return str(STATE_LABELS[job.state])


def _visible(job_id: int) -> Job:
    """A job out of the user's scope answers 404, like one that does not exist."""
    return get_or_404(Job, job_id)


@bp.get("/")
@login_required
def index() -> str:
    page = paginate(services.list_jobs(current_user))
    running = any(not job.is_finished for job in page.items)
    return render_template("jobs/index.html", page=page, running=running)


@bp.get("/<int:job_id>")
@login_required
def detail(job_id: int) -> str:
    job = _visible(job_id)
    return render_template("jobs/detail.html", job=job, file=services.result_file(job))


@bp.get("/<int:job_id>.json")
@login_required
def status(job_id: int) -> Response:
    """What the page's script reads to move the progress bar."""
    job = _visible(job_id)
    return jsonify(
        state=job.state.value,
        done=job.done,
        total=job.total,
        percent=job.percent,
        finished=job.is_finished,
    )


@bp.get("/<int:job_id>/download")
@login_required
def download(job_id: int) -> Response:
    job = _visible(job_id)
    path = services.result_file(job)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=job.result_name)
