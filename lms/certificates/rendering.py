"""Rendering certificates to PDF, one at a time or by the thousand.

WeasyPrint spends most of its time setting up a document, not laying out a page; so a batch
is rendered as documents of many pages, each page then saved as its own PDF (pypdf), on
every core. Workers get plain values (no database, no application), so they can run in
other processes.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from lms.core.pdf import html_to_pdf, qr_svg

#: where the certificate's design lives: HTML, CSS and the font, loaded as files
DESIGN = Path(__file__).resolve().parents[2] / "certificates"
PAGES_PER_DOCUMENT = 250


@dataclass(frozen=True)
class CertificatePage:
    """Everything printed on one certificate, as plain values."""

    serial: str
    holder_name: str
    commune_name: str
    programme: str
    issuer: str
    #: [{"title": …, "completed_on": "dd/mm/yyyy"}]
    courses: list[dict[str, str]]
    issued_on: str
    is_valid: bool
    #: the verification link the QR code opens
    url: str


_environment = Environment(loader=FileSystemLoader(DESIGN), autoescape=select_autoescape(["html"]))


def document_html(pages: list[CertificatePage]) -> str:
    values = [{**asdict(page), "qr": Markup(qr_svg(page.url, scale=3))} for page in pages]  # noqa: S704
    return _environment.get_template("certificate.html").render(pages=values)


def render_document(pages: list[CertificatePage]) -> bytes:
    """One PDF, a page per certificate (a merged file for printing)."""
    return html_to_pdf(document_html(pages), folder=DESIGN)


def render_each(pages: list[CertificatePage]) -> list[bytes]:
    """A standalone PDF per certificate, rendered as one document then split."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(render_document(pages)))
    if len(reader.pages) != len(pages):
        raise RuntimeError("a certificate did not fit on one page")
    files = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        files.append(buffer.getvalue())
    return files


def render_many(
    pages: list[CertificatePage], workers: int | None = None, progress=None
) -> list[bytes]:
    """Standalone PDFs for many certificates, documents of PAGES_PER_DOCUMENT on every core."""
    chunks = [pages[i : i + PAGES_PER_DOCUMENT] for i in range(0, len(pages), PAGES_PER_DOCUMENT)]
    workers = workers or os.cpu_count() or 1
    results: list[bytes] = []
    if workers == 1 or len(chunks) == 1:
        for chunk in chunks:
            results.extend(render_each(chunk))
            if progress:
                progress(len(chunk))
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for chunk, files in zip(chunks, pool.map(render_each, chunks), strict=True):
            results.extend(files)
            if progress:
                progress(len(chunk))
    return results
