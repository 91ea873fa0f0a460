"""Static files named by their content and cached for a year, a real favicon, and pages
compressed for slow mobile data."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from pathlib import Path

import brotli
from PIL import Image

from lms.core.assets import IMMUTABLE_SECONDS, PLAIN_SECONDS

STATIC = Path(__file__).resolve().parents[2] / "static"


def _stylesheet(page: str) -> str:
    return re.search(r'href="(/static/app\.[0-9a-f]{10}\.css)"', page)[1]


def test_a_page_links_its_stylesheet_by_content_and_it_is_kept_a_year(app, client_for):
    client = client_for(None)
    page = client.get("/login").get_data(as_text=True)
    href = _stylesheet(page)
    digest = hashlib.sha256((STATIC / "app.css").read_bytes()).hexdigest()[:10]
    assert href == f"/static/app.{digest}.css"
    response = client.get(href)
    assert response.status_code == 200
    assert response.data == (STATIC / "app.css").read_bytes()
    assert response.cache_control.max_age == IMMUTABLE_SECONDS
    assert response.cache_control.immutable
    assert "no-store" not in response.headers["Cache-Control"]


def test_an_old_or_plain_name_gets_the_file_but_only_for_minutes(app, client_for):
    client = client_for(None)
    for path in ("/static/app.0123456789.css", "/static/app.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.data == (STATIC / "app.css").read_bytes()
        assert response.cache_control.max_age == PLAIN_SECONDS
        assert not response.cache_control.immutable
    assert client.get("/static/nothing.0123456789.css").status_code == 404
    assert client.get("/static/../lms/config.py").status_code == 404


def test_the_favicon_is_an_icon_not_a_404_page(app, client_for):
    client = client_for(None)
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    icon = Image.open(io.BytesIO(response.data))
    assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]{10}\.ico"', page)


def test_pages_are_compressed_as_the_browser_asks(app, client_for):
    client = client_for(None)
    plain = client.get("/login").data
    brotli_page = client.get("/login", headers={"Accept-Encoding": "gzip, br"})
    assert brotli_page.headers["Content-Encoding"] == "br"
    assert brotli.decompress(brotli_page.data) == plain
    assert len(brotli_page.data) < len(plain) / 2
    gzip_page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert gzip_page.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gzip_page.data) == plain
    assert "Accept-Encoding" in gzip_page.headers["Vary"]
    stylesheet = client.get(_stylesheet(plain.decode()), headers={"Accept-Encoding": "br"})
    assert stylesheet.headers["Content-Encoding"] == "br"


def test_a_streamed_export_stays_streamed_and_uncompressed(world, client_for):
    client = client_for(world.official_1)
    response = client.get(
        "/households/export.csv", headers={"Accept-Encoding": "gzip, br"}, buffered=False
    )
    assert response.status_code == 200
    assert response.is_streamed
    assert "Content-Encoding" not in response.headers
