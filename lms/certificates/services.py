"""Issuing, verifying, revoking and rendering certificates.

Rules (DESIGN §4 rule 2): completing the programme issues exactly one valid certificate
(idempotent, safe under concurrency: a partial unique index backs it); serials are unique and
gap-free per province and year; revocation keeps the record and shows "revoked" when
verified; re-issue after a name correction revokes the old one and links the new one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lms.areas.models import Area
from lms.auth.models import User
from lms.certificates import credentials, signing
from lms.certificates.completion import ProgrammeCompletion, completion_for
from lms.certificates.models import (
    Certificate,
    CertificateStatus,
    RevocationCategory,
    SerialCounter,
)
from lms.certificates.rendering import (
    CertificatePage,
    Unprintable,
    design_version,
    render_document,
    render_each,
    render_many,
)
from lms.core.audit import record_event
from lms.core.database import refresh_derived
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.events import certificate_issued, certificate_revoked
from lms.core.models import today, utcnow
from lms.core.text import clean, fold
from lms.extensions import db
from lms.households.models import Household

# ---------------------------------------------------------------- issuing


def province_prefix(province: Area) -> str:
    """Serial prefix of a province: the initials of its name ("Tỉnh Nghệ An" → "NA")."""
    words = re.sub(r"^(tinh|thanh pho)\s+", "", fold(province.name)).split()
    return "".join(word[0] for word in words).upper()[:10] or province.code


def valid_certificate(household_id: int) -> Certificate | None:
    statement = select(Certificate).where(
        Certificate.household_id == household_id, Certificate.status == CertificateStatus.VALID
    )
    return db.session.scalars(statement.order_by(Certificate.id.desc())).first()


def refresh_certified(household_ids: Iterable[int]) -> None:
    """Set ``Household.certified_on`` from the certificates for the households given: the
    day its valid certificate was issued (the latest, should programmes of several years
    each have one), None when it holds none. Issuing and revoking call it in their
    transaction."""
    issued_on = (
        select(func.max(Certificate.issued_on))
        .where(
            Certificate.household_id == Household.id,
            Certificate.status == CertificateStatus.VALID,
        )
        .scalar_subquery()
    )
    refresh_derived(Household, household_ids, certified_on=issued_on)


def sync_household(household: Household) -> Certificate | None:
    """Issue the household's certificate if it has completed its programme and has none."""
    existing = valid_certificate(household.id)
    if existing is not None:
        return existing
    completion = completion_for(household)
    if not completion.complete:
        return None
    return issue_certificate(household, completion)


def issue_certificate(household: Household, completion: ProgrammeCompletion) -> Certificate:
    """Issue the programme's certificate to a household that completed it; idempotent.

    Two requests completing the same household at once both try; the database keeps one
    valid certificate, the loser rolls back (its serial number with it) and returns the
    winner's certificate.
    """
    programme = completion.programme
    assert programme is not None and completion.complete
    prefix, year = province_prefix(programme.area), today().year
    number = _next_number(prefix, year)
    certificate = Certificate(
        serial=f"{prefix}-{year}-{number:06d}",
        prefix=prefix,
        year=year,
        number=number,
        household_id=household.id,
        programme_id=programme.id,
        issued_on=today(),
        holder_name=household.head_name,
        commune_name=household.area.name,
        issuer=current_app.config["CERTIFICATE_ISSUER"],
        courses=[
            {"title": c.offer.version.title, "completed_on": c.completed_on.isoformat()}
            for c in completion.courses
            if c.complete
        ],
    )
    db.session.add(certificate)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = valid_certificate(household.id)
        if existing is None:  # pragma: no cover - the index only refuses a second valid one
            raise
        return existing
    record_event(None, "certificate.issue", certificate, after={"serial": certificate.serial})
    refresh_certified([household.id])
    certificate_issued.send(household_id=household.id)
    db.session.commit()
    return certificate


def _next_number(prefix: str, year: int) -> int:
    """Take the next number in the caller's transaction (the row stays locked until it ends)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(SerialCounter)
        .values(prefix=prefix, year=year, last=0)
        .on_conflict_do_nothing()
    )
    return db.session.scalar(
        update(SerialCounter)
        .where(SerialCounter.prefix == prefix, SerialCounter.year == year)
        .values(last=SerialCounter.last + 1)
        .returning(SerialCounter.last)
    )


def sync_all(progress: Callable[[int], None] | None = None) -> int:
    """Issue every certificate that is due; returns how many were issued."""
    issued = 0
    ids = db.session.scalars(select(Household.id).order_by(Household.id)).all()
    for household_id in ids:
        household = db.session.get(Household, household_id)
        if valid_certificate(household_id) is None and sync_household(household) is not None:
            issued += 1
        if progress:
            progress(1)
    return issued


def on_progress_changed(sender, household_id: int) -> None:
    """Recompute completion whenever a lesson, quiz or attendance mark changes."""
    household = db.session.get(Household, household_id)
    if household is not None:
        sync_household(household)


# ---------------------------------------------------------------- revoking


@rollback_on_violation
def check_revocable(certificate: Certificate, reason: str) -> None:
    """A valid certificate, and a reason given: checked before the confirmation step is
    shown, and again on revoking."""
    if not clean(reason):
        raise RuleViolation(_l("Please give the reason for revoking."), field="reason")
    if not certificate.is_valid:
        raise RuleViolation(_l("This certificate is already revoked."))


def revoke_certificate(
    actor: User,
    certificate: Certificate,
    reason: str,
    category: RevocationCategory = RevocationCategory.OTHER,
) -> Certificate:
    """Revoke with a reason, for staff, and a category, the only part the public
    verification page shows; the record stays and verification says "revoked"."""
    reason = clean(reason)
    check_revocable(certificate, reason)
    certificate.status, certificate.revoked_at, certificate.revoked_reason = (
        CertificateStatus.REVOKED,
        utcnow(),
        reason,
    )
    certificate.revocation_category = category
    record_event(
        actor,
        "certificate.revoke",
        certificate,
        before={"status": "valid"},
        after={"status": "revoked", "reason": reason, "category": category.value},
    )
    db.session.flush()
    refresh_certified([certificate.household_id])
    certificate_revoked.send(household_id=certificate.household_id)
    db.session.commit()
    return certificate


def reissue_certificate(actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Re-issue after a correction (the household's name, say): revoke, issue anew, link them.

    Rule: a household that no longer meets the completion rule (the programme changed since)
    keeps its certificate: the re-issue is refused before anything is revoked."""
    household = certificate.household
    completion = completion_for(household)
    if not completion.complete:
        raise RuleViolation(
            _l(
                "The household no longer meets the completion rule, so no new certificate "
                "can be issued; the current one stays valid."
            )
        )
    revoke_certificate(actor, certificate, reason, RevocationCategory.CORRECTION)
    new = issue_certificate(household, completion)
    certificate.replaced_by_id = new.id
    record_event(actor, "certificate.reissue", certificate, after={"replaced_by": new.serial})
    db.session.commit()
    return new


# ---------------------------------------------------------------- verifying


def _key_path() -> Path:
    return Path(
        current_app.config.get("CERTIFICATE_KEY_PATH")
        or Path(current_app.instance_path) / "certificate-key.pem"
    )


@lru_cache(maxsize=4)
def _private_key(path: str):
    return signing.load_or_create_private_key(Path(path))


def private_key():
    return _private_key(str(_key_path()))


def public_key_pem() -> bytes:
    return signing.public_pem(private_key())


def token_for(certificate: Certificate) -> str:
    return signing.sign(
        private_key(), certificate.serial, certificate.issued_on, certificate.holder_name
    )


@dataclass(frozen=True)
class Verification:
    certificate: Certificate | None
    #: a reason to refuse the token itself, in the user's language
    problem: str | None = None


def verify_token(token: str) -> Verification:
    """Check a token's signature, then find the certificate it names and check the name."""
    try:
        claims = signing.verify(private_key().public_key(), token)
    except signing.BadToken:
        return Verification(
            None,
            str(
                _l(
                    "This verification code is not genuine: it is damaged, altered or "
                    "was not issued by this programme."
                )
            ),
        )
    certificate = db.session.scalar(select(Certificate).where(Certificate.serial == claims.serial))
    if (
        certificate is None
        or certificate.issued_on != claims.issued_on
        or signing.name_hash(certificate.holder_name) != claims.name_hash
    ):
        return Verification(None, str(_l("No certificate matches this verification code.")))
    return Verification(certificate)


def find_by_serial(serial: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.serial == clean(serial).upper()))


# ---------------------------------------------------------------- rendering


def public_url(endpoint: str, **values) -> str:
    """An absolute link on PUBLIC_BASE_URL when set (stable, and known outside a request),
    else on the host of the current request."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def verification_url(certificate: Certificate) -> str:
    """The link in the QR code: on PUBLIC_BASE_URL when set (printed in batches, outside a
    request), else on the host of the current request."""
    return public_url("verify.token", token=token_for(certificate))


def page_of(certificate: Certificate) -> CertificatePage:
    return CertificatePage(
        serial=certificate.serial,
        holder_name=certificate.holder_name,
        commune_name=certificate.commune_name,
        programme=certificate.programme.name,
        issuer=certificate.issuer,
        courses=[
            {
                "title": c["title"],
                "completed_on": date.fromisoformat(c["completed_on"]).strftime("%d/%m/%Y"),
            }
            for c in certificate.courses
        ],
        issued_on=certificate.issued_on.strftime("%d/%m/%Y"),
        is_valid=certificate.is_valid,
        url=verification_url(certificate),
    )


def render_pdf(certificates: list[Certificate]) -> tuple[bytes | None, list[Unprintable]]:
    """One PDF with a page per certificate (for printing), in the shipped font only, and
    the certificates it could not print (``render_document``)."""
    return render_document([page_of(c) for c in certificates])


def unprintable_message(skipped: list[Unprintable]) -> LazyString:
    """What to tell staff about certificates the shipped font cannot print."""
    return _l(
        "Could not print %(certificates)s: the certificate font lacks these characters. "
        "Correct the text that holds them (usually the head of household's name), then "
        "re-issue the certificate.",
        certificates=", ".join(f"{u.serial} ({' '.join(u.characters)})" for u in skipped),
    )


def pdf_folder() -> Path:
    folder = Path(
        current_app.config.get("CERTIFICATE_PDF_FOLDER")
        or Path(current_app.instance_path) / "certificates"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _cached(page: CertificatePage) -> Path:
    """The cache file of a certificate, named by all it prints and by the design: a record or
    a design that changed renders anew, never an old file under the same serial."""
    digest = hashlib.sha256(f"{design_version()}:{page!r}".encode()).hexdigest()[:24]
    return pdf_folder() / f"{page.serial}-{digest}.pdf"


def pdf_for(certificate: Certificate) -> bytes:
    """The certificate's PDF from the cache, rendered (and cached) when missing; refused
    when the shipped font cannot print it."""
    page = page_of(certificate)
    path = _cached(page)
    if not path.exists():
        (result,) = render_each([page])
        if isinstance(result, Unprintable):
            raise RuleViolation(unprintable_message([result]))
        path.write_bytes(result)
    return path.read_bytes()


@dataclass(frozen=True)
class RenderReport:
    """What a batch rendered into the cache, and what it left out (``render_each``)."""

    rendered: int
    skipped: list[Unprintable]


def render_missing(certificates: list[Certificate], progress=None) -> RenderReport:
    """Render into the cache every PDF missing, on every core. A certificate the shipped
    font cannot print is left out and reported; the others are rendered all the same."""
    missing = [page for page in map(page_of, certificates) if not _cached(page).exists()]
    skipped = []
    for page, result in zip(missing, render_many(missing, progress=progress), strict=True):
        if isinstance(result, Unprintable):
            skipped.append(result)
        else:
            _cached(page).write_bytes(result)
    return RenderReport(len(missing) - len(skipped), skipped)


def render_all_missing(user: User, progress: Callable[..., None] | None = None) -> RenderReport:
    """``render_missing`` over every certificate in the user's scope, a step at a time (a
    province's records are never all in memory)."""
    ids = certificate_ids(user)
    if progress:
        progress(0, len(ids))
    rendered, skipped = 0, []
    for step in _steps(ids, BUNDLE_STEP):
        report = render_missing(step)
        rendered, skipped = rendered + report.rendered, skipped + report.skipped
        if progress:
            progress(step=len(step))
    return RenderReport(rendered, skipped)


def certificates_statement(user: User, area_id: int | None = None, what=Certificate):
    """The certificates (or ``what`` of them) in the user's scope, newest first, within a
    commune when given."""
    from lms.core.scope import subtree_ids, visible_certificates

    statement = select(what).where(visible_certificates(user))
    if area_id:
        area = db.session.get(Area, area_id)
        statement = statement.join(Household).where(Household.area_id.in_(subtree_ids(area)))
    return statement.order_by(Certificate.id.desc())


def list_certificates(user: User, area_id: int | None = None) -> list[Certificate]:
    """Certificates in the user's scope, newest first, within a commune when given."""
    return list(db.session.scalars(certificates_statement(user, area_id)))


#: the note a ZIP of certificates holds when some could not be printed
UNPRINTABLE_NOTE = "khong-in-duoc.txt"


#: certificates read, rendered and written per step of a bundle: a bundle's memory is that
#: of one step, whatever its size (a province: 280,000 certificates)
BUNDLE_STEP = 500
#: pages of one merged PDF; a larger bundle to print is a ZIP of such volumes
BUNDLE_PDF_VOLUME = 2000


def certificate_ids(user: User, area_id: int | None = None) -> list[int]:
    """The ids ``list_certificates`` would list, newest first (a province's fit in memory)."""
    return list(db.session.scalars(certificates_statement(user, area_id, Certificate.id)))


def _steps(ids: list[int], size: int):
    """The certificates of ``ids`` in order, ``size`` at a time; each step's records are let
    go of before the next is read."""
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        statement = select(Certificate).where(Certificate.id.in_(chunk))
        found = {c.id: c for c in db.session.scalars(statement)}
        yield [found[i] for i in chunk if i in found]
        db.session.expunge_all()


@dataclass(frozen=True)
class Bundle:
    """A bundle written to a file: its download name, how many were in it, those left out."""

    filename: str
    count: int
    skipped: list[Unprintable]


def write_bundle(
    user: User,
    area_id: int | None,
    kind: str,
    output: Callable[[str], Path],
    progress: Callable[..., None] | None = None,
) -> Bundle:
    """Every certificate in the user's scope (or one commune) written to the file ``output``
    gives for the download name: a ZIP of PDFs (``kind`` "zip", missing PDFs rendered first,
    a note naming those the shipped font cannot print), or one PDF to print ("pdf"; a ZIP of
    PDF volumes of BUNDLE_PDF_VOLUME pages when larger). Written step by step to disk."""
    import zipfile

    progress = progress or (lambda *args, **kwargs: None)
    ids = certificate_ids(user, area_id)
    if not ids:
        raise RuleViolation(_l("No certificate to download."))
    progress(0, len(ids))
    skipped: list[Unprintable] = []
    if kind == "pdf" and len(ids) <= BUNDLE_PDF_VOLUME:
        pages = [page_of(c) for step in _steps(ids, BUNDLE_STEP) for c in step]
        body, skipped = render_document(pages)
        if body is None:
            raise RuleViolation(unprintable_message(skipped))
        output(filename := "giay-chung-nhan.pdf").write_bytes(body)
        progress(len(ids))
        return Bundle(filename, len(ids) - len(skipped), skipped)
    filename = "giay-chung-nhan.zip" if kind == "zip" else "giay-chung-nhan-in.zip"
    with zipfile.ZipFile(output(filename), "w", zipfile.ZIP_DEFLATED) as archive:
        if kind == "zip":
            for step in _steps(ids, BUNDLE_STEP):
                left_out = render_missing(step).skipped
                skipped += left_out
                serials = {problem.serial for problem in left_out}
                for page in map(page_of, step):
                    if page.serial not in serials:
                        archive.write(_cached(page), f"{page.serial}.pdf")
                progress(step=len(step))
        else:
            for number, step in enumerate(_steps(ids, BUNDLE_PDF_VOLUME), start=1):
                body, left_out = render_document([page_of(c) for c in step])
                skipped += left_out
                if body is not None:
                    archive.writestr(f"giay-chung-nhan-{number:03d}.pdf", body)
                progress(step=len(step))
        if skipped:
            archive.writestr(UNPRINTABLE_NOTE, str(unprintable_message(skipped)) + "\n")
    return Bundle(filename, len(ids) - len(skipped), skipped)


# ---------------------------------------------------------------- Open Badges 3.0


def _stable_id(kind: str, name: str) -> str:
    """A ``urn:uuid`` that names the same thing in every download (and only for this key)."""
    issuer = credentials.did_key(private_key().public_key())
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{issuer}/{kind}/{name}"))


def identity_salt(certificate: Certificate) -> str:
    """The salt of the holder's hashed name: the same in every download of this
    certificate, and unguessable without the programme's private key."""
    message = b"ob3-identity|" + certificate.serial.encode()
    return hmac.new(private_key().private_bytes_raw(), message, "sha256").hexdigest()[:24]


def status_list_url(number: int) -> str:
    return public_url("verify.status_list", number=number)


def badge_facts(certificate: Certificate) -> credentials.BadgeFacts:
    """What the credential says, in Vietnamese whatever the reader's language (it is one
    document, the same in every download)."""
    number, index = credentials.status_position(certificate.id)
    with force_locale("vi"):
        programme = certificate.programme.name
        courses = "; ".join(
            f"{c['title']} ({date.fromisoformat(c['completed_on']):%d/%m/%Y})"
            for c in certificate.courses
        )
        description = _l(
            "Certificate of the training programme “%(programme)s”: a farming household "
            "trained in digital skills, business skills and online payment.",
            programme=programme,
        )
        criteria = _l(
            "Attended a class session or read every lesson, and passed the quiz, of each "
            "required course: %(courses)s.",
            courses=courses or "—",
        )
        description, criteria = str(description), str(criteria)
    return credentials.BadgeFacts(
        credential_id=_stable_id("certificates", certificate.serial),
        serial=certificate.serial,
        issuer_name=certificate.issuer,
        issued_at=certificate.issued_at,
        achievement_id=_stable_id("programmes", str(certificate.programme_id)),
        achievement_name=programme,
        achievement_description=description,
        criteria=criteria,
        holder_name=certificate.holder_name,
        salt=identity_salt(certificate),
        status_list_url=status_list_url(number),
        status_list_index=index,
    )


def open_badge_for(certificate: Certificate) -> dict:
    """The certificate as a signed Open Badges 3.0 credential (valid or revoked alike: a
    revocation is published in the status list, not written into the credential)."""
    return credentials.open_badge(badge_facts(certificate), private_key())


#: the media type of a Verifiable Credential 2.0 (VCDM 2.0 §C.1)
CREDENTIAL_MEDIA_TYPE = "application/vc"


def open_badge_filename(certificate: Certificate) -> str:
    return f"{certificate.serial}.credential.json"


def revoked_indexes(number: int) -> list[int]:
    """The indexes set in status list ``number``: its revoked certificates."""
    first = number * credentials.STATUS_LIST_SIZE
    ids = db.session.scalars(
        select(Certificate.id).where(
            Certificate.status == CertificateStatus.REVOKED,
            Certificate.id >= first,
            Certificate.id < first + credentials.STATUS_LIST_SIZE,
        )
    )
    return [certificate_id - first for certificate_id in ids]


def status_list_for(number: int, url: str | None = None) -> dict:
    """The signed revocation list ``number``, as it stands now."""
    return credentials.status_list_credential(
        url or status_list_url(number), revoked_indexes(number), private_key(), utcnow()
    )


def status_list_count() -> int:
    """How many status lists there are: enough for the highest certificate id."""
    highest = db.session.scalar(select(func.max(Certificate.id))) or 0
    return credentials.status_position(highest)[0] + 1
