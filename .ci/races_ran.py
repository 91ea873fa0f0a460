"""Fail unless a pytest run passed every test marked ``races_on_postgres``.

Usage: ``races_ran.py REPORT.xml`` — the JUnit XML report of the PostgreSQL run.

Those tests race threads, each on its own connection. SQLite lets one writer in at a time,
so only the PostgreSQL run shows that they hold; a PostgreSQL run that skipped them, lost
them to a ``-k`` or ``-m``, or never ran must not let CI pass.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

MARKER = "races_on_postgres"


def marked_tests() -> set[str]:
    """The node ids of the marked tests, as pytest collects them."""
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", MARKER],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.strip() for line in listing.splitlines() if "::" in line}


def junit_name(node_id: str) -> tuple[str, str]:
    """``tests/a/b.py::Class::test[x]`` → (``tests.a.b.Class``, ``test[x]``), as in the report."""
    path, *inner, name = node_id.split("::")
    return ".".join([path.removesuffix(".py").replace("/", "."), *inner]), name


def passed_tests(report: Path) -> set[tuple[str, str]]:
    passed = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        if not any(case.find(outcome) is not None for outcome in ("failure", "error", "skipped")):
            passed.add((case.get("classname", ""), case.get("name", "")))
    return passed


def main(report: Path) -> int:
    if not report.is_file():
        print(f"{MARKER}: no report at {report}: the PostgreSQL run did not finish")
        return 1
    expected = marked_tests()
    if not expected:
        print(f"{MARKER}: no test carries the marker; was it renamed?")
        return 1
    passed = passed_tests(report)
    missing = sorted(node for node in expected if junit_name(node) not in passed)
    for node in missing:
        print(f"{MARKER}: the PostgreSQL run did not pass {node}")
    if not missing:
        print(f"{MARKER}: the PostgreSQL run passed all {len(expected)} of them")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
