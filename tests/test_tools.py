"""A missing system tool fails the run in CI and skips elsewhere (``tests/tools.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import tools

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def nothing_installed(monkeypatch):
    monkeypatch.setattr(tools.shutil, "which", lambda name: None)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_missing_tool_fails_in_ci(monkeypatch, nothing_installed, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="the command pdftoppm is missing"):
        tools.need_tool("pdftoppm")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        tools.need_file(TESTS / "no-such-file.js", "it")


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_a_missing_tool_is_skipped_elsewhere_saying_what_to_install(
    monkeypatch, nothing_installed, ci
):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="install the Debian package zbar-tools"):
        tools.need_tool("zbarimg")
    with pytest.raises(pytest.skip.Exception, match=r"no-such-file\.js is missing"):
        tools.need_file(TESTS / "no-such-file.js", "it")


def test_a_tool_that_is_there_is_found(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert Path(tools.need_tool("sh")).name == "sh"
    assert tools.need_file(Path(__file__), "it") == Path(__file__)


def test_no_test_looks_for_a_tool_on_its_own():
    """Every skip for a missing tool goes through tests/tools.py, so CI cannot skip one."""
    own = re.compile(r"skipif\(|pytest\.skip\(|importorskip\(|shutil\.which\(")
    offenders = [
        f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in {"tools.py", "test_tools.py"} and "benchmarks" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if own.search(line)
    ]
    assert offenders == []


def test_ci_runs_with_ci_set():
    script = (TESTS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^export CI=true$", script, flags=re.MULTILINE)
