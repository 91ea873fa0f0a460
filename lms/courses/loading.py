"""Loading course files (``courses/<slug>/``) into course versions.

Every course folder is checked first; a single problem anywhere is reported with its file
and line, and then nothing is loaded. A folder whose files did not change loads nothing;
a changed one becomes the course's next version. The format is described in
``courses/README.md``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy import select

from lms.courses.models import Course, CourseVersion, Lesson, LessonImage, Question
from lms.extensions import db

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LESSON_FILE = re.compile(r"(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md")
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
MAX_IMAGE_BYTES = 60 * 1024
LESSONS_PER_COURSE = range(4, 7)
#: about five minutes on a phone: at most five screens of a 360-pixel-wide phone
WORDS_PER_LESSON = range(250, 651)
#: a quiz is a bank: an attempt draws ``questions`` of them (10 unless the manifest says)
MIN_QUESTIONS = 24
QUESTIONS_PER_ATTEMPT = 10
OPTIONS_PER_QUESTION = range(2, 5)
#: the right option may be the longest in at most this share of single-answer questions,
#: or a learner who knows nothing passes by picking the longest
MAX_LONGEST_RIGHT = 1 / 3
#: a multi-answer question's text need not say so: the quiz says it once
SAYS_HOW_MANY = re.compile(r"(?i)\((?:chọn|choose)[^)]*\)")
#: where the ``courses.media`` view serves a version's images
MEDIA_URL = "/learn/media/{version_id}/{name}"
MANIFEST_FIELDS: dict[str, type] = {
    "title": str,
    "title_en": str,
    "summary": str,
    "summary_en": str,
    "order": int,
    "required": bool,
    "pass_mark": int,
    "minutes": int,
}
#: manifest keys that may be left out, with their default
OPTIONAL_MANIFEST_FIELDS: dict[str, tuple[type, Any]] = {"questions": (int, QUESTIONS_PER_ATTEMPT)}
QUESTION_FIELDS: dict[str, type] = {
    "text": str,
    "options": list,
    "answers": list,
    "explanation": str,
    #: the number of the lesson the question is about
    "lesson": int,
}
#: the lessons speak to the household as "bạn", as the interface does (courses/README.md)
OTHER_VOICE = re.compile(r"(?i)\bbà con\b")
#: a pass mark belongs to the programme, which may change it: lessons never state one
PASS_MARK_IN_TEXT = re.compile(r"(?i)(?:đúng|đạt|pass)[^.\n]{0,40}\d+\s*%")
RAW_HTML = re.compile(r"<[a-zA-Z!/?]")
EXTERNAL = re.compile(r"(?i)\b(?:https?|ftp)://|\bwww\.")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")

markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


@dataclass(frozen=True)
class Problem:
    #: the file, relative to the courses folder
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


@dataclass
class ParsedLesson:
    position: int
    slug: str
    title: str
    tokens: list[Token]
    words: int


@dataclass
class ParsedCourse:
    slug: str
    checksum: str
    manifest: dict[str, Any]
    lessons: list[ParsedLesson] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    #: file name → (content type, bytes)
    images: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass
class LoadReport:
    #: (slug, version) of every new version written
    loaded: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: what an author should fix, though it loads (a quiz that gives its answers away)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_courses(root: Path) -> LoadReport:
    """Check every course folder under ``root``; when all are right, load the changed ones."""
    report = LoadReport()
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if not folders:
        report.problems.append(Problem(str(root), None, _("No course folder found.")))
        return report
    parsed = [_parse_course(folder, root, report.problems, report.warnings) for folder in folders]
    if report.problems:
        return report
    for course in parsed:
        assert course is not None
        version = _write(course)
        if version is None:
            report.unchanged.append(course.slug)
        else:
            report.loaded.append((course.slug, version))
    db.session.commit()
    return report


# ---------------------------------------------------------------- checking files


def _parse_course(
    folder: Path, root: Path, problems: list[Problem], warnings: list[Problem]
) -> ParsedCourse | None:
    def problem(path: Path, line: int | None, message: str) -> None:
        problems.append(Problem(str(path.relative_to(root)), line, message))

    def warning(path: Path, line: int | None, message: str) -> None:
        warnings.append(Problem(str(path.relative_to(root)), line, message))

    before = len(problems)
    if not SLUG.fullmatch(folder.name):
        problem(folder, None, _("A course folder name uses only a-z, 0-9 and “-”."))
    manifest = _parse_manifest(folder / "course.toml", problem)
    lessons, images = _parse_lessons(folder / "lessons", problem, warning)
    questions = _parse_quiz(folder / "quiz.toml", problem)
    if len(problems) == before:
        _check_bank(folder / "quiz.toml", manifest, lessons, questions, problem, warning)
    for path in folder.iterdir():
        if path.name not in ("course.toml", "lessons", "quiz.toml") and not path.name.startswith(
            "."
        ):
            problem(path, None, _("Unexpected file in a course folder."))
    if len(problems) > before:
        return None
    return ParsedCourse(folder.name, _checksum(folder), manifest, lessons, questions, images)


def _read_text(path: Path, problem) -> str | None:
    if not path.is_file():
        problem(path, None, _("The file is missing."))
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problem(path, None, _("The file must be saved as UTF-8."))
        return None
    if not unicodedata.is_normalized("NFC", text):
        problem(path, None, _("The text must be NFC-normalised (precomposed Vietnamese letters)."))
    return text


def _parse_toml(path: Path, problem) -> tuple[dict[str, Any] | None, str]:
    text = _read_text(path, problem)
    if text is None:
        return None, ""
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        problem(
            path,
            int(line.group(1)) if line else None,
            _("Not valid TOML: %(error)s", error=str(error)),
        )
        return None, text


def _line_of(text: str, pattern: str, occurrence: int = 0) -> int | None:
    """The line (1-based) of the n-th line matching ``pattern``, to point authors at it."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if re.match(pattern, line)]
    return lines[occurrence] if occurrence < len(lines) else None


def _parse_manifest(path: Path, problem) -> dict[str, Any]:
    data, text = _parse_toml(path, problem)
    if data is None:
        return {}
    for key, (kind, default) in OPTIONAL_MANIFEST_FIELDS.items():
        value = data.setdefault(key, default)
        if not isinstance(value, kind) or isinstance(value, bool):
            line = _line_of(text, rf"\s*{key}\s*=")
            problem(path, line, _("“%(key)s” has the wrong type.", key=key))
    for key in sorted(set(data) - set(MANIFEST_FIELDS) - set(OPTIONAL_MANIFEST_FIELDS)):
        problem(
            path, _line_of(text, rf"\s*{re.escape(key)}\s*="), _("Unknown key “%(key)s”.", key=key)
        )
    for key, kind in MANIFEST_FIELDS.items():
        value = data.get(key)
        line = _line_of(text, rf"\s*{key}\s*=")
        if value is None:
            problem(path, None, _("“%(key)s” is missing.", key=key))
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            problem(path, line, _("“%(key)s” has the wrong type.", key=key))
        elif kind is str and not value.strip():
            problem(path, line, _("“%(key)s” is empty.", key=key))
    if isinstance(data.get("pass_mark"), int) and not 50 <= data["pass_mark"] <= 100:
        problem(path, _line_of(text, r"\s*pass_mark\s*="), _("The pass mark goes from 50 to 100."))
    for key in ("order", "minutes"):
        if isinstance(data.get(key), int) and data[key] < 1:
            problem(
                path, _line_of(text, rf"\s*{key}\s*="), _("“%(key)s” must be 1 or more.", key=key)
            )
    return data


def _parse_lessons(
    folder: Path, problem, warning
) -> tuple[list[ParsedLesson], dict[str, tuple[str, bytes]]]:
    if not folder.is_dir():
        problem(folder, None, _("The lessons folder is missing."))
        return [], {}
    images = _parse_images(folder / "images", problem)
    lessons, used = [], set()
    files = sorted(p for p in folder.iterdir() if p.is_file())
    for path in files:
        match = LESSON_FILE.fullmatch(path.name)
        if match is None:
            problem(path, None, _("A lesson file is named like “01-title.md”."))
            continue
        lesson = _parse_lesson(
            path, len(lessons) + 1, match.group(2), images, used, problem, warning
        )
        if lesson:
            lessons.append(lesson)
    if len(files) not in LESSONS_PER_COURSE:
        problem(folder, None, _("A course has 4 to 6 lessons, not %(n)d.", n=len(files)))
    for name in sorted(set(images) - used):
        problem(folder / "images" / name, None, _("No lesson uses this image."))
    return lessons, images


def _parse_images(folder: Path, problem) -> dict[str, tuple[str, bytes]]:
    images: dict[str, tuple[str, bytes]] = {}
    if not folder.is_dir():
        return images
    for path in sorted(folder.iterdir()):
        kind = IMAGE_TYPES.get(path.suffix.lower())
        if kind is None or not SLUG.fullmatch(path.stem):
            problem(
                path, None, _("Images are .png, .jpg, .webp or .svg, named with a-z, 0-9 and “-”.")
            )
        elif path.stat().st_size > MAX_IMAGE_BYTES:
            problem(
                path,
                None,
                _(
                    "An image is at most 60 KB (this one is %(kb)d KB).",
                    kb=path.stat().st_size // 1024,
                ),
            )
        else:
            images[path.name] = (kind, path.read_bytes())
    return images


def _parse_lesson(
    path: Path, position: int, slug: str, images, used: set[str], problem, warning
) -> ParsedLesson | None:
    text = _read_text(path, problem)
    if text is None:
        return None
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# ") or not lines[0][2:].strip():
        problem(path, 1, _("A lesson starts with its title: “# Title”."))
        return None
    for number, line in enumerate(lines, start=1):
        if RAW_HTML.search(line):
            problem(path, number, _("No HTML in lessons: use Markdown."))
        if OTHER_VOICE.search(line):
            warning(path, number, _("Lessons speak to the household as “bạn”, not “bà con”."))
        if PASS_MARK_IN_TEXT.search(line):
            warning(
                path,
                number,
                _("No pass mark in a lesson: the programme sets it and the quiz page shows it."),
            )
        if EXTERNAL.search(line):
            problem(
                path, number, _("No links to other websites: a lesson loads from this site only.")
            )
        check_images(path, number, line, images, used, problem)
    words = len(re.findall(r"\w+", "\n".join(lines[1:])))
    if words not in WORDS_PER_LESSON:
        problem(
            path,
            None,
            _(
                "A lesson has 250 to 650 words (about 5 minutes on a phone), not %(n)d.",
                n=words,
            ),
        )
    tokens = markdown.parse("\n".join(lines[1:]))
    return ParsedLesson(position, slug, lines[0][2:].strip(), tokens, words)


def _parse_quiz(path: Path, problem) -> list[dict[str, Any]]:
    data, text = _parse_toml(path, problem)
    if data is None:
        return []
    questions = data.get("questions")
    if set(data) != {"questions"} or not isinstance(questions, list):
        problem(path, None, _("The quiz is a list of [[questions]] and nothing else."))
        return []
    if len(questions) < MIN_QUESTIONS:
        problem(
            path,
            None,
            _(
                "A quiz is a bank of at least %(min)d questions, not %(n)d.",
                min=MIN_QUESTIONS,
                n=len(questions),
            ),
        )
    for index, question in enumerate(questions):
        line = _line_of(text, r"\s*\[\[questions\]\]", index)
        for key in sorted(set(question) - set(QUESTION_FIELDS)):
            problem(path, line, _("Unknown key “%(key)s”.", key=key))
        wrong = [k for k, kind in QUESTION_FIELDS.items() if not isinstance(question.get(k), kind)]
        if wrong:
            problem(
                path, line, _("Question %(n)d needs %(keys)s.", n=index + 1, keys=", ".join(wrong))
            )
            continue
        options, answers = question["options"], question["answers"]
        if len(options) not in OPTIONS_PER_QUESTION or not all(
            isinstance(o, str) and o.strip() for o in options
        ):
            problem(path, line, _("Question %(n)d needs 2 to 4 options, none empty.", n=index + 1))
        if (
            not answers
            or len(set(answers)) != len(answers)
            or not all(
                isinstance(a, int) and not isinstance(a, bool) and 1 <= a <= len(options)
                for a in answers
            )
        ):
            problem(
                path,
                line,
                _(
                    "Question %(n)d: the answers must be option numbers (1 = the first).",
                    n=index + 1,
                ),
            )
        if not question["text"].strip() or not question["explanation"].strip():
            problem(path, line, _("Question %(n)d needs a text and an explanation.", n=index + 1))
    return questions


def is_longest(options: list[str], right: int) -> bool:
    """Whether the right option (1 = the first) is longer than every other one."""
    length = len(options[right - 1].strip())
    return all(length > len(o.strip()) for n, o in enumerate(options, start=1) if n != right)


def longest_right_share(questions: list[dict[str, Any]]) -> tuple[int, int]:
    """(single-answer questions whose right option is the longest, single-answer questions)."""
    single = [q for q in questions if len(q["answers"]) == 1]
    return sum(is_longest(q["options"], q["answers"][0]) for q in single), len(single)


def _check_bank(path: Path, manifest, lessons, questions, problem, warning) -> None:
    """A bank an attempt can draw from (each lesson asked about, enough questions), and a
    warning when a quiz gives its answers away by their length or says how many to choose."""
    text = path.read_text(encoding="utf-8")
    per_attempt = manifest.get("questions", QUESTIONS_PER_ATTEMPT)
    numbers = range(1, len(lessons) + 1)
    for index, question in enumerate(questions):
        line = _line_of(text, r"\s*\[\[questions\]\]", index)
        if question["lesson"] not in numbers:
            problem(
                path,
                line,
                _(
                    "Question %(n)d: “lesson” is the number of one of the course's lessons "
                    "(1 to %(last)d).",
                    n=index + 1,
                    last=len(lessons),
                ),
            )
        elif len(question["answers"]) > 1 and SAYS_HOW_MANY.search(question["text"]):
            warning(
                path,
                line,
                _(
                    "Question %(n)d: no need to say how many answers to choose; the quiz says it.",
                    n=index + 1,
                ),
            )
    asked = {q["lesson"] for q in questions}
    for number in numbers:
        if number not in asked:
            problem(path, None, _("No question is about lesson %(n)d.", n=number))
    if not len(lessons) <= per_attempt <= len(questions):
        problem(
            path.parent / "course.toml",
            None,
            _(
                "An attempt draws %(n)d questions: at least one per lesson (%(lessons)d) and "
                "at most the bank's %(bank)d.",
                n=per_attempt,
                lessons=len(lessons),
                bank=len(questions),
            ),
        )
    longest, single = longest_right_share(questions)
    if single and longest > single * MAX_LONGEST_RIGHT:
        warning(
            path,
            None,
            _(
                "In %(longest)d of %(single)d single-answer questions the right option is the "
                "longest: a learner could pass by picking the longest. Keep it to a third at most.",
                longest=longest,
                single=single,
            ),
        )


def check_images(path: Path, number: int, line: str, images, used: set[str], problem) -> None:
    """Each picture of a Markdown line is a file of the folder's images and has a
    description; the names it uses are added to ``used``."""
    for alt, target in IMAGE.findall(line):
        name = target.removeprefix("images/")
        if not target.startswith("images/") or name not in images:
            problem(
                path,
                number,
                _("The image “%(target)s” is not in the images folder.", target=target),
            )
        elif not alt.strip():
            problem(
                path,
                number,
                _("Describe the image for people who cannot see it: ![description](…)."),
            )
        used.add(name)


def _checksum(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------- writing versions


def next_version(model: type, slug: str, checksum: str) -> tuple[Any, int] | None:
    """The record of ``slug`` (a course, a flagship story; created when new) and the number
    of its next version, or None when its latest version has this ``checksum``: its files
    are unchanged. Flushes only."""
    record = db.session.scalar(select(model).where(model.slug == slug))
    if record is None:
        record = model(slug=slug)
        db.session.add(record)
        db.session.flush()
    latest = record.versions[-1] if record.versions else None
    if latest is not None and latest.checksum == checksum:
        return None
    return record, latest.version + 1 if latest else 1


def _write(parsed: ParsedCourse) -> int | None:
    """Write a new version of the course unless its files are unchanged; flushes only."""
    found = next_version(Course, parsed.slug, parsed.checksum)
    if found is None:
        return None
    course, number = found
    manifest = parsed.manifest
    version = CourseVersion(
        course=course,
        version=number,
        checksum=parsed.checksum,
        title=manifest["title"].strip(),
        title_en=manifest["title_en"].strip(),
        summary=manifest["summary"].strip(),
        summary_en=manifest["summary_en"].strip(),
        position=manifest["order"],
        is_required=manifest["required"],
        pass_mark=manifest["pass_mark"],
        minutes=manifest["minutes"],
        questions_per_attempt=manifest["questions"],
    )
    db.session.add(version)
    db.session.flush()
    env = {"media": MEDIA_URL.format(version_id=version.id, name="")}
    for lesson in parsed.lessons:
        db.session.add(
            Lesson(
                course_version_id=version.id,
                position=lesson.position,
                slug=lesson.slug,
                title=lesson.title,
                html=_render(lesson.tokens, env),
                words=lesson.words,
            )
        )
    for position, question in enumerate(parsed.questions, start=1):
        db.session.add(
            Question(
                course_version_id=version.id,
                position=position,
                text=question["text"].strip(),
                options=[o.strip() for o in question["options"]],
                answers=sorted(question["answers"]),
                explanation=question["explanation"].strip(),
                lesson_position=question["lesson"],
            )
        )
    for name, (kind, data) in parsed.images.items():
        db.session.add(
            LessonImage(course_version_id=version.id, name=name, content_type=kind, data=data)
        )
    db.session.flush()
    return version.version


def _render(tokens: list[Token], env: dict[str, str]) -> str:
    """HTML for a lesson: images from this site, lazy-loaded, with their description."""
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                child.attrSet("src", env["media"] + child.attrGet("src").removeprefix("images/"))
                child.attrSet("loading", "lazy")
    return markdown.renderer.render(tokens, markdown.options, env)
