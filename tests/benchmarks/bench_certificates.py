"""Benchmark: 10,000 certificates, each a standalone PDF with its own QR (goal ≤ 60 s, 2 cores).

Not a test (tests/benchmarks is not collected). Run:

    .venv/bin/python tests/benchmarks/bench_certificates.py [COUNT]

Prints, from the same run, the naive rate — one WeasyPrint document per certificate, the
design's slots filled with the text and an SVG QR code, measured on a sample — and the rate
of ``render_many``, which lays the design out once and sets each certificate's fields in it.
"""

from __future__ import annotations

import os
import random
import re
import sys
import time

from markupsafe import escape

from lms.certificates.rendering import DESIGN, CertificatePage, design_html, render_many
from lms.core.pdf import html_to_pdf, qr_svg

NAMES = [
    "Nguyễn Thị Hương",
    "Trần Văn Đức",
    "Lê Thị Ngọc Ánh",
    "Hồ Sỹ Quang",
    "Đặng Thị Mai",
    "Vi Văn Tám",
]
COMMUNES = ["Xã Diễn Châu", "Xã Yên Thành", "Phường Trường Vinh", "Xã Con Cuông", "Xã Nam Đàn"]
COURSES = [
    "Bán hàng trực tuyến",
    "Thanh toán trực tuyến an toàn",
    "Tài khoản trên sàn Postmart và Voso",
]


def pages(count: int) -> list[CertificatePage]:
    rng = random.Random(1)
    return [
        CertificatePage(
            serial=f"NA-2026-{n:06d}",
            holder_name=rng.choice(NAMES),
            commune_name=rng.choice(COMMUNES),
            programme="Đưa hộ SXNN lên sàn TMĐT — Nghệ An 2026",
            issuer="Văn phòng Chương trình đưa hộ SXNN lên sàn TMĐT",
            courses=[{"title": title, "completed_on": "15/11/2026"} for title in COURSES],
            issued_on="29/11/2026",
            is_valid=True,
            url=f"https://taphuan.example.vn/v/{rng.getrandbits(256):064x}",
        )
        for n in range(1, count + 1)
    ]


def naive_pdf(page: CertificatePage) -> bytes:
    """The certificate as one WeasyPrint document: each slot of the design holds its text."""
    design = design_html()
    valid = design[: design.index("</section>") + len("</section>")] + "</body></html>"

    def fill(match: re.Match) -> str:
        classes, field = match.group(1), match.group(2)
        if field == "qr":
            return f'<div class="{classes}">{qr_svg(page.url, scale=3)}</div>'
        lines = page.fields()[field]
        return f'<p class="{classes}">' + "<br>".join(escape(line) for line in lines) + "</p>"

    html = re.sub(r'<a class="([^"]*)" href="slot:(\w+)"></a>', fill, valid)
    return html_to_pdf(html, folder=DESIGN)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    sample = pages(20)
    start = time.perf_counter()
    for page in sample:
        naive_pdf(page)
    naive = (time.perf_counter() - start) / len(sample)
    print(
        f"naive: {naive * 1000:.0f} ms per certificate (one document each) → "
        f"{naive * count / (os.cpu_count() or 1):.0f} s for {count:,} on {os.cpu_count()} cores"
    )

    batch = pages(count)
    start = time.perf_counter()
    files = render_many(batch)
    elapsed = time.perf_counter() - start
    size = sum(len(f) for f in files) / len(files) / 1024
    print(
        f"batch: {count:,} standalone PDFs in {elapsed:.1f} s ({elapsed / count * 1000:.1f} ms each, "
        f"{size:.0f} KB per PDF); 10,000 would take {elapsed / count * 10_000:.0f} s — goal ≤ 60 s: "
        f"{'met' if elapsed / count * 10_000 <= 60 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
