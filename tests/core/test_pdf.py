"""The documents' URL fetcher: the files of one folder, and nothing else of the disk or
the network (``lms.core.pdf.FolderFetcher``)."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from lms.core.pdf import FolderFetcher, html_to_pdf


@pytest.fixture
def design(tmp_path) -> Path:
    """A design folder with a stylesheet, a font and an image; a secret file beside it."""
    folder = tmp_path / "design"
    (folder / "fonts").mkdir(parents=True)
    (folder / "style.css").write_text("p { color: red }", encoding="utf-8")
    (folder / "fonts" / "Serif.ttf").write_bytes(b"\x00\x01\x00\x00font")
    (folder / "seal.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    (tmp_path / "secret.txt").write_text("mật khẩu", encoding="utf-8")
    (tmp_path / "design-old").mkdir()
    (tmp_path / "design-old" / "style.css").write_text("p { color: blue }", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "body", "kind"),
    [
        ("style.css", b"p { color: red }", "text/css"),
        ("fonts/Serif.ttf", b"\x00\x01\x00\x00font", "font/ttf"),
        ("seal.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    ],
)
def test_it_serves_the_files_of_its_folder(design, name, body, kind):
    response = FolderFetcher(design).fetch((design / name).as_uri())
    assert (response.read(), response.content_type) == (body, kind)


def test_it_serves_a_relative_url_resolved_against_the_folder(design):
    response = FolderFetcher(design).fetch(design.as_uri() + "/fonts/../style.css")
    assert response.read() == b"p { color: red }"


REFUSED = [
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "http://127.0.0.1/admin",
    "http://127.0.0.1:5432/",
    "http://169.254.169.254/latest/meta-data/",
    "https://example.com/font.ttf",
    "ftp://example.com/style.css",
    "data:text/css,p%7Bcolor:red%7D",
    "{design}/../secret.txt",  # up and out of the folder
    "{design}/%2e%2e/secret.txt",  # the same, percent-encoded
    "{design}/fonts/../../secret.txt",
    "{design}-old/style.css",  # a sibling folder whose name starts alike
    "{design}/missing.css",
    "{design}/fonts",  # a folder, not a file
    "{design}",  # the folder itself
    "file://attacker.example{path}/style.css",  # a file URL on another host
]


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_everything_else(design, url):
    url = url.format(design=design.as_uri(), path=design.as_posix())
    with pytest.raises(ValueError, match="documents may not load"):
        FolderFetcher(design).fetch(url)


def test_it_refuses_a_link_inside_the_folder_that_leads_out(design):
    (design / "passwd.css").symlink_to("/etc/passwd")
    with pytest.raises(ValueError, match="documents may not load"):
        FolderFetcher(design).fetch((design / "passwd.css").as_uri())


def test_without_a_folder_it_refuses_even_files(design):
    with pytest.raises(ValueError, match="documents may not load"):
        FolderFetcher().fetch((design / "style.css").as_uri())


def test_rendering_asks_no_server_and_reads_no_file_outside_the_folder(design):
    """WeasyPrint really goes through the fetcher: a page linking a local web server and a
    stylesheet outside the folder renders without either; its own stylesheet applies."""
    (design / "style.css").write_text('p::before { content: "Trong thư mục " }', "utf-8")
    (design.parent / "outside.css").write_text('p::after { content: " Ngoài" }', "utf-8")
    asked: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        html = (
            f'<link rel="stylesheet" href="{base}/style.css">'
            '<link rel="stylesheet" href="../outside.css">'
            f'<img src="{base}/pixel.png"><img src="file:///etc/passwd">'
            '<link rel="stylesheet" href="style.css"><p>Giấy chứng nhận</p>'
        )
        pdf = html_to_pdf(html, folder=design)
    finally:
        server.shutdown()
        server.server_close()
    assert asked == []
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Trong thư mục Giấy chứng nhận" in text and "Ngoài" not in text
