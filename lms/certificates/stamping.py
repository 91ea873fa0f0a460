"""Writing text and QR codes onto a page that is already laid out, without laying it out again.

The certificate renderer (``rendering.py``) has WeasyPrint lay out its design once; this
module then adds, per certificate, a content stream that sets a few lines of text in an
embedded TrueType font and draws a QR code as vector squares. The additions are written as a
PDF *incremental update* (ISO 32000-1 §7.5.6): the laid-out file, unchanged, followed by the
new objects, their cross-reference section and a trailer pointing back to the original one.
Every PDF reader supports this; it is how signed and edited PDFs are saved.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

#: one PDF object body: what comes between ``N 0 obj`` and ``endobj``
ObjectBody = bytes


def stream(data: bytes, **entries: str) -> ObjectBody:
    """A compressed stream object; ``entries`` are extra dictionary entries (name → PDF value)."""
    packed = zlib.compress(data, 6)
    extra = "".join(f" /{name} {value}" for name, value in entries.items())
    header = f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n".encode()
    return header + packed + b"\nendstream"


def text_string(text: str) -> str:
    """A PDF literal string of ASCII text (URLs), with its delimiters escaped."""
    return "(" + re.sub(r"([\\()])", r"\\\1", text) + ")"


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Pdf:
    """A complete PDF with a classic cross-reference table, ready to receive an update."""

    data: bytes
    #: the trailer's /Size: the first free object number
    size: int
    #: the trailer's entries to repeat in an update (/Root, /Info), as PDF source
    trailer: str
    #: where the last cross-reference section starts
    startxref: int

    @classmethod
    def flatten(cls, writer) -> Pdf:
        """The document of a pypdf ``PdfWriter``, written with one cross-reference table."""
        from pypdf import PdfReader

        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
        match = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
        trailer = PdfReader(io.BytesIO(data)).trailer
        entries = " ".join(
            f"{key} {trailer.raw_get(key).idnum} 0 R"
            for key in ("/Root", "/Info")
            if key in trailer
        )
        return cls(data, int(trailer["/Size"]), entries, int(match.group(1)))

    def update(self, objects: dict[int, ObjectBody]) -> bytes:
        """This PDF followed by ``objects`` (new numbers, or existing ones to replace)."""
        out = io.BytesIO()
        out.write(self.data if self.data.endswith(b"\n") else self.data + b"\n")
        offsets = {}
        for object_number in sorted(objects):
            offsets[object_number] = out.tell()
            out.write(b"%d 0 obj\n" % object_number + objects[object_number] + b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n")
        for run in _runs(sorted(offsets)):
            out.write(b"%d %d\n" % (run[0], len(run)))
            out.write(b"".join(b"%010d 00000 n\r\n" % offsets[n] for n in run))
        size = max(self.size, max(objects) + 1)
        out.write(
            f"trailer\n<< /Size {size} {self.trailer} /Prev {self.startxref} >>\n"
            f"startxref\n{xref}\n%%EOF\n".encode()
        )
        return out.getvalue()


def _runs(numbers: list[int]) -> list[list[int]]:
    """Consecutive object numbers grouped, one cross-reference subsection each."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


class EmbeddedFont:
    """A TrueType font cut down to some characters, embedded as a PDF Type 0 (CID) font.

    Glyphs are addressed by glyph id (Identity-H); a ToUnicode map makes the text
    extractable exactly as written. No kerning: text is set glyph after glyph.
    """

    OBJECT_COUNT = 5

    def __init__(self, path: Path, characters: str) -> None:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        font = TTFont(path)
        postscript_name = font["name"].getDebugName(6)
        options = subset.Options()
        options.hinting = False
        options.layout_features = []
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        self.data = buffer.getvalue()

        units = font["head"].unitsPerEm
        scale = 1000 / units
        cmap = font.getBestCmap()
        self.glyphs = {chr(code): font.getGlyphID(name) for code, name in cmap.items()}
        self.widths = [round(font["hmtx"][name][0] * scale) for name in font.getGlyphOrder()]
        self.ascent = font["hhea"].ascent * scale
        self.descent = font["hhea"].descent * scale
        head = font["head"]
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.cap_height = getattr(font["OS/2"], "sCapHeight", 0) * scale or self.ascent
        # a subset is named TAG+Name, the tag six capitals that differ between subsets
        digest = hashlib.sha256(f"{path.name}:{characters}".encode()).digest()
        tag = "".join(chr(65 + b % 26) for b in digest[:6])
        self.name = f"{tag}+{postscript_name}"

    def glyph_ids(self, text: str) -> list[int]:
        """Glyph ids of ``text``; a character the font lacks shows as the empty box (.notdef)."""
        return [self.glyphs.get(character, 0) for character in text]

    def width(self, text: str, size: float) -> float:
        return sum(self.widths[gid] for gid in self.glyph_ids(text)) * size / 1000

    def show(self, text: str) -> str:
        """The operand of ``Tj`` for ``text``: its glyph ids as a hex string."""
        return "<" + "".join(f"{gid:04X}" for gid in self.glyph_ids(text)) + ">"

    def objects(self, first: int) -> dict[int, ObjectBody]:
        """The font's objects, numbered from ``first``; the Type 0 font dictionary is ``first``."""
        cid_font, descriptor, font_file, to_unicode = first + 1, first + 2, first + 3, first + 4
        widths = " ".join(map(str, self.widths))
        return {
            first: (
                f"<< /Type /Font /Subtype /Type0 /BaseFont /{self.name} /Encoding /Identity-H "
                f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>"
            ).encode(),
            cid_font: (
                f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{self.name} "
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                f"/FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity /W [0 [{widths}]] >>"
            ).encode(),
            descriptor: (
                f"<< /Type /FontDescriptor /FontName /{self.name} /Flags 4 "
                f"/FontBBox [{' '.join(map(str, self.bbox))}] /ItalicAngle 0 "
                f"/Ascent {round(self.ascent)} /Descent {round(self.descent)} "
                f"/CapHeight {round(self.cap_height)} /StemV 80 /FontFile2 {font_file} 0 R >>"
            ).encode(),
            font_file: stream(self.data, Length1=str(len(self.data))),
            to_unicode: stream(self._to_unicode()),
        }

    def _to_unicode(self) -> bytes:
        pairs = sorted((gid, character) for character, gid in self.glyphs.items())
        blocks = []
        for start in range(0, len(pairs), 100):
            chunk = pairs[start : start + 100]
            lines = "\n".join(
                f"<{gid:04X}> <{character.encode('utf-16-be').hex().upper()}>"
                for gid, character in chunk
            )
            blocks.append(f"{len(chunk)} beginbfchar\n{lines}\nendbfchar")
        return (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        ).encode()


def qr_squares(matrix, left: float, bottom: float, side: float, quiet_zone: int = 2) -> str:
    """Drawing operators for a QR code (rows of 0/1) filling a square, quiet zone included."""
    modules = len(matrix)
    unit = side / (modules + 2 * quiet_zone)
    top = bottom + side - quiet_zone * unit
    operators = ["0 0 0 rg"]
    for row_index, row in enumerate(matrix):
        y = top - (row_index + 1) * unit
        column = 0
        while column < modules:
            if row[column]:
                start = column
                while column < modules and row[column]:
                    column += 1
                x = left + (quiet_zone + start) * unit
                operators.append(
                    f"{number(x)} {number(y)} {number((column - start) * unit)} {number(unit)} re"
                )
            else:
                column += 1
    operators.append("f")
    return "\n".join(operators)
