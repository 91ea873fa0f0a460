"""The CI script: it fails when the PostgreSQL run did not pass the races (``.ci/races_ran.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("races_ran", ROOT / ".ci" / "races_ran.py")
races_ran = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(races_ran)

RACE = "tests/test_concurrency.py::test_eight_trainers_marking_one_roster_at_once_lose_nothing"


def report(tmp_path: Path, outcome: str = "") -> Path:
    """A JUnit report of one run of ``RACE``; ``outcome``: "", "skipped", "failure", "error"."""
    inner = f'<{outcome} message="x"/>' if outcome else ""
    path = tmp_path / "postgresql.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
        '<testcase classname="tests.test_concurrency" '
        f'name="test_eight_trainers_marking_one_roster_at_once_lose_nothing">{inner}</testcase>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(("outcome", "exit_code"), [("", 0), ("skipped", 1), ("failure", 1)])
def test_a_race_must_have_passed_in_the_report(tmp_path, monkeypatch, outcome, exit_code):
    monkeypatch.setattr(races_ran, "marked_tests", lambda: {RACE})
    assert races_ran.main(report(tmp_path, outcome)) == exit_code


def test_a_race_missing_from_the_report_fails(tmp_path, monkeypatch):
    other = RACE.replace("lose_nothing", "lose_something")
    monkeypatch.setattr(races_ran, "marked_tests", lambda: {RACE, other})
    assert races_ran.main(report(tmp_path)) == 1
    assert races_ran.main(tmp_path / "no-report.xml") == 1


def test_node_ids_read_as_the_report_names_them():
    node = "tests/a/b.py::Case::test_x[1-2]"
    assert races_ran.junit_name(node) == ("tests.a.b.Case", "test_x[1-2]")


@pytest.mark.database_independent  # reads the suite and the script, no database
def test_the_marked_races_are_found_and_the_postgresql_run_is_checked():
    assert RACE in races_ran.marked_tests()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "--junitxml=$report" in script and '.ci/races_ran.py "$report"' in script
    # the PostgreSQL run leaves out the database-independent tests: the SQLite run has them
    sqlite_run = script.split('echo "== SQLite =="', 1)[1].split('echo "== PostgreSQL =="', 1)[0]
    assert sqlite_run.strip() == "make test"
