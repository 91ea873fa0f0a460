"""Loading flagship stories (``flagship/<slug>/``) into story versions.

The same kind of loader as the courses' (and its helpers): every folder is checked first, a
problem anywhere is reported with its file and line and then nothing is loaded; an unchanged
folder loads nothing, a changed one becomes the story's next version. The format is in
``flagship/README.md``.

A story tells what the registry cannot: the place, the people's craft, how it is grown or
made, how to keep and use it. What the registry holds (OCOP rating, certifications, listings)
is never written in it, so it cannot disagree with the registry or outlive a rating; nor
health claims, phone numbers or links to other websites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from lms.courses.loading import (
    EXTERNAL,
    RAW_HTML,
    SLUG,
    LoadReport,
    Problem,
    _checksum,
    _line_of,
    _parse_images,
    _parse_toml,
    _read_text,
    _render,
    check_images,
    markdown,
    next_version,
)
from lms.extensions import db
from lms.flagship.models import FlagshipImage, FlagshipStory, FlagshipStoryVersion

#: where the ``flagship.media`` view serves a version's pictures
MEDIA_URL = "/flagship/media/{version_id}/{name}"
MANIFEST_FIELDS: dict[str, type] = {
    "title": str,
    "title_en": str,
    "summary": str,
    "summary_en": str,
    #: the product's name exactly as the registry holds it
    "product": str,
    #: the official code of its province ("40": Nghệ An)
    "province": str,
}
FILES = {"story.toml", "story.md", "story.en.md", "images"}
WORDS = range(150, 701)
SECTIONS = range(3, 7)
#: the text and pictures of a story, within a page of at most 30 KB with its layout
STORY_BUDGET = 22 * 1024
#: registry facts: read from the products, never typed in a story
REGISTRY_FACT = re.compile(
    r"(?i)\bOCOP\b|\b\d\s*(?:sao|stars?)\b|VietGAP|GlobalGAP|HACCP|\bISO\b|chứng nhận|"
    r"certif|giấy phép|an toàn thực phẩm|food[- ]safety|hữu cơ|organic"
)
#: health claims: a food is not a medicine (and the law forbids saying so)
HEALTH_CLAIM = re.compile(
    r"(?i)chữa|trị bệnh|phòng bệnh|ngừa bệnh|bệnh|sức khỏe|sức khoẻ|bổ dưỡng|thần dược|"
    r"ung thư|tiểu đường|huyết áp|giảm cân|\bcures?\b|\bheal|\btreat|\bprevents?\b|"
    r"disease|health|medicin"
)
PHONE_NUMBER = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")


@dataclass
class ParsedStory:
    slug: str
    checksum: str
    manifest: dict[str, Any]
    tokens: list
    tokens_en: list
    words: int
    images: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def load_stories(root: Path) -> LoadReport:
    """Check every story folder under ``root``; when all are right, load the changed ones."""
    report = LoadReport()
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if not folders:
        report.problems.append(Problem(str(root), None, _("No story folder found.")))
        return report
    parsed = [_parse_story(folder, root, report.problems) for folder in folders]
    if report.problems:
        return report
    for story in parsed:
        assert story is not None
        version = _write(story)
        if version is None:
            report.unchanged.append(story.slug)
        else:
            report.loaded.append((story.slug, version))
    db.session.commit()
    return report


def _parse_story(folder: Path, root: Path, problems: list[Problem]) -> ParsedStory | None:
    def problem(path: Path, line: int | None, message: str) -> None:
        problems.append(Problem(str(path.relative_to(root)), line, message))

    before = len(problems)
    if not SLUG.fullmatch(folder.name):
        problem(folder, None, _("A story folder name uses only a-z, 0-9 and “-”."))
    for path in folder.iterdir():
        if path.name not in FILES and not path.name.startswith("."):
            problem(path, None, _("Unexpected file in a story folder."))
    manifest = _parse_manifest(folder / "story.toml", problem)
    images = _parse_images(folder / "images", problem)
    used: set[str] = set()
    tokens, words = _parse_text(folder / "story.md", images, used, problem)
    tokens_en, _words_en = _parse_text(folder / "story.en.md", images, used, problem)
    for name in sorted(set(images) - used):
        problem(folder / "images" / name, None, _("The story does not use this image."))
    size = sum(len(data) for _kind, data in images.values()) + sum(
        (folder / name).stat().st_size
        for name in ("story.md", "story.en.md")
        if (folder / name).is_file()
    )
    if size > STORY_BUDGET:
        problem(
            folder,
            None,
            _(
                "A story's text and pictures weigh at most %(max)d KB (this one %(kb)d KB): "
                "its page must stay within 30 KB.",
                max=STORY_BUDGET // 1024,
                kb=size // 1024,
            ),
        )
    if len(problems) > before:
        return None
    return ParsedStory(folder.name, _checksum(folder), manifest, tokens, tokens_en, words, images)


def _parse_manifest(path: Path, problem) -> dict[str, Any]:
    data, text = _parse_toml(path, problem)
    if data is None:
        return {}
    for key in sorted(set(data) - set(MANIFEST_FIELDS)):
        problem(
            path, _line_of(text, rf"\s*{re.escape(key)}\s*="), _("Unknown key “%(key)s”.", key=key)
        )
    for key, kind in MANIFEST_FIELDS.items():
        value = data.get(key)
        line = _line_of(text, rf"\s*{key}\s*=")
        if value is None:
            problem(path, None, _("“%(key)s” is missing.", key=key))
        elif not isinstance(value, kind):
            problem(path, line, _("“%(key)s” has the wrong type.", key=key))
        elif not value.strip():
            problem(path, line, _("“%(key)s” is empty.", key=key))
        elif key in ("summary", "summary_en"):
            _check_claims(path, line, value, problem)
    return data


def _check_claims(path: Path, number: int | None, line: str, problem) -> None:
    if REGISTRY_FACT.search(line):
        problem(
            path,
            number,
            _(
                "No rating or certification in a story: the page shows them from the "
                "registry, with their validity."
            ),
        )
    if HEALTH_CLAIM.search(line):
        problem(path, number, _("No health claims: a food is not a medicine."))
    if PHONE_NUMBER.search(line):
        problem(path, number, _("No phone numbers in a story: it is a public page."))


def _parse_text(path: Path, images, used: set[str], problem) -> tuple[list, int]:
    text = _read_text(path, problem)
    if text is None:
        return [], 0
    lines = text.splitlines()
    sections = 0
    for number, line in enumerate(lines, start=1):
        if line.startswith("# "):
            problem(path, number, _("The title is in story.toml: sections start with “## ”."))
        sections += line.startswith("## ")
        if RAW_HTML.search(line):
            problem(path, number, _("No HTML in a story: use Markdown."))
        if EXTERNAL.search(line):
            problem(path, number, _("No links to other websites: the page links to the listings."))
        _check_claims(path, number, line, problem)
        check_images(path, number, line, images, used, problem)
    if sections not in SECTIONS:
        problem(path, None, _("A story has 3 to 6 sections (“## ”), not %(n)d.", n=sections))
    words = len(re.findall(r"\w+", text))
    if words not in WORDS:
        problem(path, None, _("A story has 150 to 700 words, not %(n)d.", n=words))
    return markdown.parse(text), words


def _write(parsed: ParsedStory) -> int | None:
    """Write a new version of the story unless its files are unchanged; flushes only."""
    found = next_version(FlagshipStory, parsed.slug, parsed.checksum)
    if found is None:
        return None
    story, number = found
    manifest = parsed.manifest
    version = FlagshipStoryVersion(
        story=story,
        version=number,
        checksum=parsed.checksum,
        title=manifest["title"].strip(),
        title_en=manifest["title_en"].strip(),
        summary=manifest["summary"].strip(),
        summary_en=manifest["summary_en"].strip(),
        product_name=manifest["product"].strip(),
        province_code=manifest["province"].strip(),
        html="",
        html_en="",
        words=parsed.words,
    )
    db.session.add(version)
    db.session.flush()
    env = {"media": MEDIA_URL.format(version_id=version.id, name="")}
    version.html = _render(parsed.tokens, env)
    version.html_en = _render(parsed.tokens_en, env)
    for name, (kind, data) in parsed.images.items():
        db.session.add(
            FlagshipImage(version_id=version.id, name=name, content_type=kind, data=data)
        )
    db.session.flush()
    return version.version
