"""PDF documents rendered with WeasyPrint from our own HTML.

Nothing is fetched while rendering: every image is inlined (the QR codes are SVG), so a
document can never pull a file from the disk or a foreign site into a PDF.
"""

from __future__ import annotations

from typing import Any


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"documents may not load {url!r}")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: it is slow to import and rarely needed

    return HTML(string=html, url_fetcher=refuse_fetch).write_pdf()


def qr_svg(data: str, scale: int = 4) -> str:
    """An inline SVG QR code (vector, so it prints sharp at any size)."""
    import segno

    return segno.make(data, error="m").svg_inline(scale=scale, border=2)
