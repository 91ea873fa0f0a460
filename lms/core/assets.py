"""Static files a phone downloads once: named by their content, cached for a year, and
compressed (brotli where the browser asks, else gzip) with every page.

``url_for('static', filename='app.css')`` gives ``/static/app.3f2a1b9c04.css``: a new file
has a new name, so a name can be cached as immutable and a change still reaches every
phone at once. A name whose hash is not the file's (a page saved before a release) still
gets the file, cached briefly.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, abort, send_from_directory
from flask_compress import Compress
from werkzeug.wrappers import Response

#: how long a file named by its hash is kept: a year, the longest browsers honour
IMMUTABLE_SECONDS = 365 * 24 * 3600
#: how long a file asked for by its plain name (or an old hash) is kept
PLAIN_SECONDS = 300
HASHED_NAME = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/ld+json",
    "application/manifest+json",
    "image/svg+xml",
]

compress = Compress()


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    # a streamed export stays streamed: compressing it would hold it back
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)
    folder = Path(app.static_folder or "")
    digests = _Digests(folder)

    @app.url_defaults
    def hashed_static_name(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = digests.hashed(values["filename"])

    def static(filename: str) -> Response:
        match = HASHED_NAME.match(filename)
        plain = f"{match['stem']}{match['suffix']}" if match else filename
        if not (folder / plain).is_file():
            abort(404)
        current = match is not None and digests.digest(plain) == match["digest"]
        response = send_from_directory(
            folder, plain, max_age=IMMUTABLE_SECONDS if current else PLAIN_SECONDS
        )
        if current:
            response.cache_control.immutable = True
        if response.mimetype in COMPRESSED_TYPES:  # small text: read, to be compressed
            response.direct_passthrough = False
            response.make_sequence()
        return response

    app.view_functions["static"] = static  # Flask's /static/<path:filename> rule, our view

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return send_from_directory(folder, "favicon.ico", max_age=IMMUTABLE_SECONDS)


class _Digests:
    """The content hash of each static file, computed once per version of the file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.known: dict[str, tuple[float, int, str]] = {}

    def digest(self, filename: str) -> str | None:
        path = self.folder / filename
        try:
            stat = path.stat()
        except OSError:
            return None
        known = self.known.get(filename)
        if known and known[:2] == (stat.st_mtime, stat.st_size):
            return known[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        self.known[filename] = (stat.st_mtime, stat.st_size, digest)
        return digest

    def hashed(self, filename: str) -> str:
        stem, dot, suffix = filename.rpartition(".")
        digest = self.digest(filename) if dot and "/" not in suffix else None
        return f"{stem}.{digest}.{suffix}" if digest else filename
