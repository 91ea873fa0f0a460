"""PDF documents rendered with WeasyPrint from our own HTML.

Nothing outside the application is ever fetched while rendering: documents inline their
images (QR codes are SVG); a document with a design folder (the certificate) may read the
files of that folder and nothing else — never another file of the disk, never the network.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse


class FolderFetcher(URLFetcher):
    """Serves ``file:`` URLs inside one folder; refuses everything else: other schemes (the
    network, ``data:``), other hosts, files outside the folder however the path gets there
    (``..``, percent-encoding, a symbolic link), folders and missing files."""

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__(allowed_protocols=["file"])
        self.folder = folder.resolve() if folder else None

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parsed = urlparse(url)
        local = parsed.scheme == "file" and parsed.netloc in ("", "localhost")
        path = Path(unquote(parsed.path)).resolve() if local else None
        if (
            self.folder is None
            or path is None
            or self.folder not in path.parents
            or not path.is_file()
        ):
            raise ValueError(f"documents may not load {url!r}")
        kind = {".ttf": "font/ttf", ".css": "text/css", ".svg": "image/svg+xml"}.get(
            path.suffix, "application/octet-stream"
        )
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})


def html_to_pdf(html: str, folder: Path | None = None) -> bytes:
    """A PDF of ``html``; relative URLs resolve inside ``folder``, the only place it may read."""
    from weasyprint import HTML

    base_url = folder.resolve().as_uri() + "/" if folder else None
    return HTML(string=html, base_url=base_url, url_fetcher=FolderFetcher(folder)).write_pdf()


def qr_svg(data: str, scale: int = 4) -> str:
    """An inline SVG QR code (vector, so it prints sharp at any size)."""
    import segno

    return segno.make(data, error="m").svg_inline(scale=scale, border=2)
