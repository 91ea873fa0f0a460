"""Certificates: downloads in scope, revoke and re-issue (admins), and the public verification
pages anyone can open without logging in."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.auth.models import Role
from lms.certificates import services
from lms.certificates.models import REVOCATION_LABELS, Certificate, RevocationCategory
from lms.core.database import paginate
from lms.core.errors import RuleViolation
from lms.core.permissions import STAFF
from lms.core.scope import communes_in_scope, get_or_404, role_required
from lms.core.text import mask_name
from lms.core.web import download
from lms.extensions import limiter

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
verify_bp = Blueprint("verify", __name__, url_prefix="/v")


@bp.get("/")
@role_required(*STAFF)
def index() -> str:
    """One page of the certificates in scope (a province holds 280,000), within a commune."""
    area_id = request.args.get("area_id", type=int)
    page = paginate(services.certificates_statement(current_user, area_id))
    return render_template(
        "verify/index.html",
        page=page,
        area_id=area_id,
        communes=communes_in_scope(current_user),
    )


@bp.get("/bundle.<any(zip, pdf):kind>")
@role_required(*STAFF)
def bundle_page(kind: str) -> Response:
    """An old link to a bundle: bundles are jobs now, started from the list."""
    return redirect(url_for("certificates.index", area_id=request.args.get("area_id", type=int)))


@bp.post("/bundle.<any(zip, pdf):kind>")
@role_required(*STAFF)
def bundle(kind: str) -> Response:
    """Every certificate in scope (or in one commune), as a job: a ZIP of PDFs, or one PDF to
    print, written to a file the job page offers to download."""
    from lms.certificates import tasks
    from lms.jobs.services import start_job

    area_id = request.form.get("area_id", type=int)
    if not services.certificate_ids(current_user, area_id):
        flash(_("No certificate to download."), "info")
        return redirect(url_for("certificates.index", area_id=area_id))
    params = {"kind": kind, "area_id": area_id, "base_url": request.host_url}
    job = start_job(current_user, f"certificates.bundle_{kind}", params, tasks.bundle)
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.post("/render")
@role_required(Role.ADMIN)
def render_all() -> Response:
    """Render every missing PDF into the cache, as a job."""
    from lms.certificates import tasks
    from lms.jobs.services import start_job

    params = {"base_url": request.host_url}
    job = start_job(current_user, "certificates.render", params, tasks.render)
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.get("/mine")
@role_required(Role.HOUSEHOLD)
def mine() -> str:
    """The household's certificate page: its certificates (a revoked one says so), each to
    download as a PDF and as an Open Badges 3.0 credential, and its verification link."""
    certificates = services.list_certificates(current_user)
    return render_template(
        "certificates/mine.html",
        certificates=certificates,
        links={c.id: services.verification_url(c) for c in certificates},
    )


@bp.get("/<int:certificate_id>.credential.json")
@login_required
def credential(certificate_id: int) -> Response:
    """The certificate as a signed Open Badges 3.0 credential (a W3C Verifiable Credential)."""
    certificate = get_or_404(Certificate, certificate_id)
    return _credential_download(
        services.open_badge_for(certificate), services.open_badge_filename(certificate)
    )


def _credential_download(document: dict, filename: str | None = None) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype=services.CREDENTIAL_MEDIA_TYPE,
        headers=headers,
    )


@bp.get("/<int:certificate_id>.pdf")
@login_required
def pdf(certificate_id: int) -> Response | tuple[str, int]:
    certificate = get_or_404(Certificate, certificate_id)
    try:
        body = services.pdf_for(certificate)
    except RuleViolation as error:
        return render_template("errors/error.html", code=409, reason=error.message), 409
    return download(body, f"{certificate.serial}.pdf")


#: the categories an administrator picks from when revoking without re-issuing
REVOKE_CATEGORIES = {
    category: label
    for category, label in REVOCATION_LABELS.items()
    if category is not RevocationCategory.CORRECTION
}


@bp.get("/<int:certificate_id>")
@role_required(*STAFF)
def detail(certificate_id: int) -> str:
    certificate = get_or_404(Certificate, certificate_id)
    return render_template(
        "verify/admin.html",
        certificate=certificate,
        categories=REVOKE_CATEGORIES,
        correction=REVOCATION_LABELS[RevocationCategory.CORRECTION],
        category=certificate.revocation_label,
    )


@bp.post("/<int:certificate_id>/revoke")
@role_required(Role.ADMIN)
def revoke(certificate_id: int) -> Response | str:
    """The form's reason and category checked first, then a page that says what revoking
    does (with them); its button revokes."""
    certificate = get_or_404(Certificate, certificate_id)
    reason, category = request.form.get("reason", ""), request.form.get("category", "")
    reissue = request.form.get("reissue") == "1"
    try:
        if not reissue and category not in set(RevocationCategory):
            raise RuleViolation(_("Please choose what the public verification page says."))
        services.check_revocable(certificate, reason)
        if request.form.get("confirmed") != "1":
            return _revoke_confirm(certificate, reason, category, reissue)
        if reissue:
            new = services.reissue_certificate(current_user, certificate, reason)
            flash(_("Revoked and re-issued as %(serial)s.", serial=new.serial), "success")
            return redirect(url_for("certificates.detail", certificate_id=new.id))
        services.revoke_certificate(current_user, certificate, reason, RevocationCategory(category))
        flash(_("The certificate was revoked."), "success")
    except RuleViolation as error:
        flash(str(error.message), "error")
    return redirect(url_for("certificates.detail", certificate_id=certificate.id))


def _revoke_confirm(certificate: Certificate, reason: str, category: str, reissue: bool) -> str:
    shown = RevocationCategory.CORRECTION if reissue else RevocationCategory(category)
    fields = {"reason": reason, "category": category, "reissue": "1" if reissue else ""}
    return render_template(
        "certificates/revoke_confirm.html",
        certificate=certificate,
        reason=reason,
        shown=REVOCATION_LABELS[shown],
        reissue=reissue,
        fields=fields,
    )


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@verify_bp.get("/<token>")
def token(token: str) -> tuple[str, int]:
    """What the QR code opens: valid or revoked, with only a masked name. (A token is
    signed: it cannot be guessed, so it needs no rate limit.)"""
    result = services.verify_token(token)
    return _result_page(result, status=200 if result.certificate else 404)


@verify_bp.get("/")
@limiter.limit(_verify_limit, exempt_when=lambda: not request.args.get("serial"))
def lookup() -> tuple[str, int]:
    """A serial typed by hand. Serials follow each other, so lookups are limited per
    address: nobody walks through a province's certificates."""
    serial = request.args.get("serial", "")[:40]
    certificate = services.find_by_serial(serial) if serial else None
    result = services.Verification(
        certificate,
        None if certificate or not serial else _("No certificate has this serial number."),
    )
    return _result_page(result, serial, status=404 if serial and certificate is None else 200)


def _result_page(
    result: services.Verification, serial: str = "", status: int = 200
) -> tuple[str, int]:
    """The public answer: masked name, commune, programme, dates, status and the category
    of a revocation, never its free-text reason (DESIGN §4 rule 5)."""
    return render_template(
        "verify/result.html",
        result=result,
        masked=mask_name,
        serial=serial,
        revocation=result.certificate.revocation_label if result.certificate else None,
    ), status


@verify_bp.get("/status/<int:number>")
def status_list(number: int) -> Response:
    """A revocation list (Bitstring Status List): the stable URL each credential names."""
    if number >= services.status_list_count():
        abort(404)
    return _credential_download(services.status_list_for(number))


@verify_bp.get("/public-key.pem")
def public_key() -> Response:
    """The programme's public key: with it anyone can check a certificate's code offline."""
    return Response(services.public_key_pem(), mimetype="application/x-pem-file")
