"""Rendering certificates to PDF, one at a time or by the thousand.

WeasyPrint lays out the design in ``certificates/`` once (``certificate.html``): the frame,
the wording every certificate shares, and an empty *slot* for each field that differs. A
certificate is then that laid-out page with its fields set in their slots, in the slot's
size, weight, colour and alignment, and its QR code drawn as vector squares — written as an
incremental update of the laid-out file (``stamping.py``). That costs about a millisecond a
certificate where a WeasyPrint layout costs tens, so a province's certificates render in
seconds. Workers get plain values (no database, no application) and run on every core.
"""

from __future__ import annotations

import hashlib
import io
import os
import string
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from lms.certificates import stamping
from lms.certificates.stamping import EmbeddedFont, ObjectBody, Pdf, number
from lms.core.pdf import FolderFetcher
from lms.core.text import VIETNAMESE_LETTERS

#: where the certificate's design lives: HTML, CSS and the font, loaded as files
DESIGN = Path(__file__).resolve().parents[2] / "certificates"
#: the font files of certificate.css, by boldness: slots are set in the same faces
FONTS = {False: DESIGN / "fonts/NotoSerif-Regular.ttf", True: DESIGN / "fonts/NotoSerif-Bold.ttf"}
#: what every batch can set without cutting the fonts again; rarer characters are added
CHARACTERS = (
    VIETNAMESE_LETTERS
    + VIETNAMESE_LETTERS.upper()
    + string.digits
    + string.punctuation
    + " –—·…‘’“”"
)
#: a fixed QR mask: choosing the best of eight costs 5 ms a code, and any mask reads back
QR_MASK = 3
POINTS_PER_PIXEL = 0.75
CERTIFICATES_PER_TASK = 500


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

    def fields(self) -> dict[str, list[str]]:
        """The lines of text of each slot of the design."""
        return {
            "issuer": [self.issuer],
            "programme": [self.programme],
            "holder_name": [self.holder_name],
            "commune_name": [self.commune_name],
            "courses": [f"{c['title']} — {c['completed_on']}" for c in self.courses],
            "serial": [self.serial],
            "issued_on": [self.issued_on],
        }


@dataclass(frozen=True)
class Slot:
    """Where a field goes and how it looks, in PDF points from the page's bottom left."""

    left: float
    bottom: float
    width: float
    height: float
    size: float
    bold: bool
    #: red, green, blue in 0–1
    color: tuple[float, float, float]
    align: str

    @classmethod
    def from_link(cls, rectangle, box, page_height: float) -> Slot:
        """The slot of a ``slot:`` link that WeasyPrint laid out (its box in CSS pixels)."""
        x1, y1, x2, y2 = (value * POINTS_PER_PIXEL for value in rectangle)
        style = box.style
        align = {"start": "left", "end": "right", "justify": "left"}.get(
            style["text_align_all"], style["text_align_all"]
        )
        red, green, blue = style["color"].to("srgb").coordinates
        return cls(
            left=x1,
            bottom=page_height - y2,
            width=x2 - x1,
            height=y2 - y1,
            size=style["font_size"] * POINTS_PER_PIXEL,
            bold=style["font_weight"] >= 600,
            color=(red, green, blue),
            align=align,
        )


@dataclass(frozen=True)
class Design:
    """One laid-out page of the design (valid or revoked) and what a copy of it needs."""

    slots: dict[str, Slot]
    #: the page dictionary's entries a copy repeats (boxes), as PDF source
    entries: str
    #: the laid-out drawing, as a reference to its content stream(s)
    contents: str
    #: the page's resources with the slot fonts added: an object of the update
    resources: int


class Template:
    """The design laid out by WeasyPrint, its slots, and the fonts that fill them."""

    def __init__(self, characters: str) -> None:
        from pypdf import PdfReader, PdfWriter
        from weasyprint import HTML

        document = HTML(
            string=design_html(), base_url=DESIGN.as_uri() + "/", url_fetcher=FolderFetcher(DESIGN)
        ).render()
        if len(document.pages) != 2:
            raise RuntimeError("the design must lay out as two pages: valid, then revoked")
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document.write_pdf())))
        for page in writer.pages:
            del page["/Annots"]  # the slots' links: their places are all we needed
        self.pdf = Pdf.flatten(writer)
        reader = PdfReader(io.BytesIO(self.pdf.data))
        self.pages_object = reader.trailer["/Root"].raw_get("/Pages").idnum

        self.fonts = {bold: EmbeddedFont(path, characters) for bold, path in FONTS.items()}
        font_names = {False: "/SlotRegular", True: "/SlotBold"}
        self.font_names = font_names
        # the design's drawing runs between "q" and "Q", so the slots start from a clean state
        self.save_state = self.pdf.size
        self.shared: dict[int, ObjectBody] = {self.save_state: stamping.stream(b"q")}
        next_number = self.save_state + 1
        slot_fonts = []
        for bold, font in self.fonts.items():
            self.shared.update(font.objects(next_number))
            slot_fonts.append(f"{font_names[bold]} {next_number} 0 R")
            next_number += EmbeddedFont.OBJECT_COUNT

        self.designs: dict[bool, Design] = {}
        for page, laid_out, is_valid in zip(
            reader.pages, document.pages, (True, False), strict=True
        ):
            resources = page["/Resources"]
            existing = {k: v for k, v in resources.items() if k != "/Font"}
            fonts = _source(resources["/Font"]).strip()[2:-2] if "/Font" in resources else ""
            self.shared[next_number] = (
                "<< "
                + " ".join(f"{k} {_source(v)}" for k, v in existing.items())
                + f" /Font << {fonts} {' '.join(slot_fonts)} >> >>"
            ).encode()
            height = float(page.mediabox.height)
            self.designs[is_valid] = Design(
                slots={
                    target.removeprefix("slot:"): Slot.from_link(rectangle, box, height)
                    for _, target, rectangle, box in laid_out.links
                    if target.startswith("slot:")
                },
                entries=" ".join(
                    f"{key} {_source(page.raw_get(key))}"
                    for key in ("/MediaBox", "/CropBox", "/TrimBox", "/BleedBox")
                    if key in page
                ),
                contents=_source(page.raw_get("/Contents")),
                resources=next_number,
            )
            next_number += 1
        self.first_free = next_number

    def render(self, pages: list[CertificatePage]) -> bytes:
        """One PDF with a page per certificate."""
        objects = dict(self.shared)
        kids = []
        number_ = self.first_free
        for page in pages:
            objects.update(self._page(page, number_))
            kids.append(f"{number_ + 2} 0 R")
            number_ += 3
        objects[self.pages_object] = (
            f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
        )
        return self.pdf.update(objects)

    def _page(self, page: CertificatePage, first: int) -> dict[int, ObjectBody]:
        """A certificate's content stream, QR link and page, numbered from ``first``."""
        import segno

        design = self.designs[page.is_valid]
        drawing = [
            self._text(design.slots[name], lines)
            for name, lines in page.fields().items()
            if lines and name in design.slots
        ]
        qr = design.slots["qr"]
        side = min(qr.width, qr.height)
        left = qr.left + (qr.width - side) / 2
        matrix = segno.make(page.url, error="m", mask=QR_MASK, boost_error=False).matrix
        drawing.append(stamping.qr_squares(matrix, left, qr.bottom, side))
        link = " ".join(number(v) for v in (left, qr.bottom, left + side, qr.bottom + side))
        content, annotation, page_object = first, first + 1, first + 2
        return {
            content: stamping.stream("\n".join(["Q", *drawing]).encode()),
            annotation: (
                f"<< /Type /Annot /Subtype /Link /Rect [{link}] /Border [0 0 0] "
                f"/A << /S /URI /URI {stamping.text_string(page.url)} >> >>"
            ).encode(),
            page_object: (
                f"<< /Type /Page /Parent {self.pages_object} 0 R {design.entries} "
                f"/Resources {design.resources} 0 R /Contents [{self.save_state} 0 R "
                f"{_references(design.contents)} {content} 0 R] /Annots [{annotation} 0 R] >>"
            ).encode(),
        }

    def _text(self, slot: Slot, lines: list[str]) -> str:
        """Operators setting ``lines`` in ``slot``, smaller if they would not fit."""
        font = self.fonts[slot.bold]
        widest = max(font.width(line, 1) for line in lines)
        line_height = (font.ascent - font.descent) / 1000
        size = min(slot.size, slot.width / widest if widest else slot.size)
        size = min(size, slot.height / (line_height * len(lines)))
        leading = line_height * size
        top = slot.bottom + (slot.height + leading * len(lines)) / 2
        red, green, blue = (number(c) for c in slot.color)
        operators = [f"BT {self.font_names[slot.bold]} {number(size)} Tf {red} {green} {blue} rg"]
        for index, line in enumerate(lines):
            baseline = top - index * leading - font.ascent * size / 1000
            spare = slot.width - font.width(line, size)
            x = slot.left + {"center": spare / 2, "right": spare}.get(slot.align, 0)
            operators.append(f"1 0 0 1 {number(x)} {number(baseline)} Tm {font.show(line)} Tj")
        operators.append("ET")
        return "\n".join(operators)


def _source(value) -> str:
    """A pypdf object written as PDF source."""
    buffer = io.BytesIO()
    value.write_to_stream(buffer)
    return buffer.getvalue().decode("latin-1")


def _references(contents: str) -> str:
    """The references inside a /Contents value (one reference, or an array of them)."""
    return contents.strip().removeprefix("[").removesuffix("]").strip()


_environment = Environment(loader=FileSystemLoader(DESIGN), autoescape=select_autoescape(["html"]))


@lru_cache(maxsize=1)
def design_version() -> str:
    """A digest of the design's files: cached PDFs of an older design are not served."""
    digest = hashlib.sha256()
    for path in sorted(DESIGN.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def design_html() -> str:
    """The design, valid then revoked, with an empty slot for each field."""
    return _environment.get_template("certificate.html").render()


@lru_cache(maxsize=4)
def _template(extra_characters: str) -> Template:
    return Template(CHARACTERS + extra_characters)


@dataclass(frozen=True)
class Unprintable:
    """A certificate a batch left out, and the characters of it the shipped font lacks."""

    serial: str
    characters: str


@lru_cache(maxsize=1)
def font_characters() -> frozenset[str]:
    """Every character both faces of the shipped font can print."""
    from fontTools.ttLib import TTFont

    regular, bold = (frozenset(map(chr, TTFont(path).getBestCmap())) for path in FONTS.values())
    return regular & bold


def unprintable(page: CertificatePage) -> Unprintable | None:
    """What of the certificate the shipped font cannot print; None when it prints whole."""
    missing = "".join(sorted(_characters(page) - font_characters()))
    return Unprintable(page.serial, missing) if missing else None


def template_for(pages: list[CertificatePage]) -> Template:
    """The template whose fonts hold every character of these (printable) certificates."""
    used = set().union(*map(_characters, pages))
    return _template("".join(sorted(used - set(CHARACTERS))))


def _characters(page: CertificatePage) -> set[str]:
    return {c for lines in page.fields().values() for line in lines for c in line}


def render_document(pages: list[CertificatePage]) -> tuple[bytes | None, list[Unprintable]]:
    """One PDF, a page per certificate (a merged file for printing), and the certificates
    left out of it: those holding a character the shipped font cannot print, since a
    certificate with a box in place of a letter of the holder's name is worse than none.
    The PDF is None when every certificate was left out."""
    problems = [unprintable(page) for page in pages]
    printable = [page for page, problem in zip(pages, problems, strict=True) if not problem]
    skipped = [problem for problem in problems if problem]
    return (template_for(printable).render(printable) if printable else None), skipped


def render_each(pages: list[CertificatePage]) -> list[bytes | Unprintable]:
    """A standalone PDF per certificate, in order; in the place of one the shipped font
    cannot print, what it lacks. One such certificate never stops the others."""
    problems = [unprintable(page) for page in pages]
    printable = [page for page, problem in zip(pages, problems, strict=True) if not problem]
    if not printable:
        return [problem for problem in problems if problem]
    template = template_for(printable)
    return [
        problem or template.render([page]) for page, problem in zip(pages, problems, strict=True)
    ]


def render_many(
    pages: list[CertificatePage], workers: int | None = None, progress=None
) -> list[bytes | Unprintable]:
    """Standalone PDFs for many certificates, on every core (``render_each``'s answer)."""
    size = CERTIFICATES_PER_TASK
    chunks = [pages[i : i + size] for i in range(0, len(pages), size)]
    workers = workers or os.cpu_count() or 1
    results: list[bytes | Unprintable] = []
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
