"""The system tools some tests need (poppler, zbar, Chromium, glibc's iconv, axe-core).

A missing tool is an install bug, not a reason to pass (STYLE §10): in CI (``CI=true``, set
by ``.ci/run``) the test that needs it fails; on a developer's machine it is skipped with
what to install. Every test that needs a tool asks here, never with a ``skipif`` of its own.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

#: what provides each command (``make system-deps`` installs the Debian packages as root)
PROVIDERS = {
    "pdftoppm": "the Debian package poppler-utils (make system-deps)",
    "pdffonts": "the Debian package poppler-utils (make system-deps)",
    "zbarimg": "the Debian package zbar-tools (make system-deps)",
    "/usr/bin/chromium": "the Debian package chromium (make system-deps)",
    "iconv": "glibc's iconv (the Debian package libc-bin)",
    "redis-server": "the Debian package redis-server (make system-deps), or start a Redis",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(what: str, install: str) -> None:
    """Fail the test in CI, skip it elsewhere, saying what is missing and what provides it."""
    reason = f"{what} is missing: install {install}"
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing tool fails the run)", pytrace=False)
    pytest.skip(reason)


def need_tool(name: str) -> str:
    """The path of the command ``name`` (a name on the PATH, or an absolute path)."""
    path = shutil.which(name)
    if path is None:
        missing(f"the command {name}", PROVIDERS.get(name, name))
    return path


def need_file(path: Path, install: str) -> Path:
    """A file a test loads, such as a script from node_modules."""
    if not path.is_file():
        missing(str(path), install)
    return path
