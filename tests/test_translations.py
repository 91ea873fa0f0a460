"""Every user-facing string has a Vietnamese translation (STYLE §6)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "lms/translations/vi/LC_MESSAGES/messages.po"
METHODS = [("lms/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_messages() -> set[str]:
    found = set()
    for directory in ("lms", "templates"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / directory,
            method_map=[
                (pattern.split("/", 1)[1], method)
                for pattern, method in METHODS
                if pattern.startswith(directory)
            ],
            keywords=KEYWORDS,
            directory_filter=lambda path: not Path(path).name.startswith((".", "__")),
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _strings(message) -> tuple[str, ...]:
    """A message's translations: one, or one per plural form."""
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def test_every_source_message_is_in_the_catalogue():
    catalogue = read_po(CATALOGUE.open("rb"))
    # a plural entry's id is (singular, plural); the source names it by its singular
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    missing = sorted(_source_messages() - ids)
    assert missing == [], "run `make extract-messages` and translate these"


def test_every_catalogue_entry_is_translated():
    catalogue = read_po(CATALOGUE.open("rb"))
    untranslated = [m.id for m in catalogue if m.id and (not all(_strings(m)) or m.fuzzy)]
    assert untranslated == []
    assert not catalogue.fuzzy, "a fuzzy header makes pybabel skip the whole catalogue"


def test_placeholders_survive_translation():
    catalogue = read_po(CATALOGUE.open("rb"))
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    broken = [
        m.id
        for m in catalogue
        if m.id
        and any(
            sorted(pattern.findall(_ids(m)[-1])) != sorted(pattern.findall(string))
            for string in _strings(m)
        )
    ]
    assert broken == []


def test_the_extractor_sees_templates_and_macros():
    messages = _source_messages()
    assert {"Log in", "Previous", "Please log in to continue."} <= messages
