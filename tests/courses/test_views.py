"""Learner screens on a phone, course administration, and the lesson page budget."""

from __future__ import annotations

import gzip
import re

import pytest
from sqlalchemy import select

from lms.courses.models import LessonImage, QuizAttempt
from lms.extensions import db
from tests.builders import COURSES_FOLDER


def test_my_courses_lists_the_three_courses_with_what_to_do_next(courses, world, client_for):
    page = client_for(world.member_a).get("/learn/").get_data(as_text=True)
    for course in courses:
        assert course.current.title in page
    assert (
        page.count("Chưa bắt đầu") == 3
        and page.count("0/5 bài đã học") == 3
        and page.count(">Bắt đầu học<") == 3
    )


def test_reading_a_lesson_and_marking_it_done_moves_on(courses, world, client_for):
    client = client_for(world.member_a)
    slug = courses[0].slug
    assert client.get(f"/learn/{slug}/").headers["Location"] == f"/learn/{slug}/1"
    lesson = client.get(f"/learn/{slug}/1").get_data(as_text=True)
    assert courses[0].current.lessons[0].title in lesson and "Đã học xong" in lesson
    assert client.post(f"/learn/{slug}/1/done").headers["Location"] == f"/learn/{slug}/2"
    client.get(f"/learn/{slug}/3")
    assert client.get(f"/learn/{slug}/").headers["Location"] == f"/learn/{slug}/3"
    last = len(courses[0].current.lessons)
    assert client.post(f"/learn/{slug}/{last}/done").headers["Location"] == f"/learn/{slug}/quiz"


def test_a_lesson_outside_the_course_is_404(courses, world, client_for):
    client = client_for(world.member_a)
    assert client.get(f"/learn/{courses[0].slug}/99").status_code == 404
    assert client.get("/learn/khong-co/1").status_code == 404


def _quiz_data(version, right: bool) -> dict:
    data = {"nonce": f"n-{right}"}
    for q in version.questions:
        data[f"q{q.position}"] = [
            str(n)
            for n in (
                q.answers
                if right
                else [n for n in range(1, len(q.options) + 1) if n not in q.answers][:1]
            )
        ]
    return data


def test_the_quiz_works_without_javascript_and_shows_explanations(courses, world, client_for):
    client = client_for(world.member_a)
    version = courses[1].current
    form = client.get(f"/learn/{courses[1].slug}/quiz").get_data(as_text=True)
    assert (
        "<script" not in form
        and form.count('type="radio"') + form.count('type="checkbox"') >= 8 * 2
    )
    failed = client.post(f"/learn/{courses[1].slug}/quiz", data=_quiz_data(version, right=False))
    result = client.get(failed.headers["Location"]).get_data(as_text=True)
    assert "Chưa đạt" in result and "Làm lại bài kiểm tra" in result
    assert version.questions[0].explanation in result
    passed = client.post(f"/learn/{courses[1].slug}/quiz", data=_quiz_data(version, right=True))
    assert "Đạt" in client.get(passed.headers["Location"]).get_data(as_text=True)
    history = client.get("/learn/results/").get_data(as_text=True)
    assert history.count(version.title) == 2


def test_an_unanswered_question_is_said_and_the_answers_are_kept(courses, world, client_for):
    version = courses[1].current
    data = _quiz_data(version, right=True)
    data.pop("q2")
    response = client_for(world.member_a).post(f"/learn/{courses[1].slug}/quiz", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "câu 2" in body.lower()
    assert body.count("checked") >= len(version.questions) - 1
    assert db.session.scalar(select(QuizAttempt)) is None


def test_quiz_needs_a_csrf_token(courses, world, client_for, csrf):
    response = client_for(world.member_a).post(
        f"/learn/{courses[1].slug}/quiz", data=_quiz_data(courses[1].current, True)
    )
    assert response.status_code == 400 and db.session.scalar(select(QuizAttempt)) is None


def test_another_households_result_is_404(courses, world, client_for):
    version = courses[1].current
    client_for(world.member_a).post(
        f"/learn/{courses[1].slug}/quiz", data=_quiz_data(version, True)
    )
    attempt = db.session.scalar(select(QuizAttempt))
    assert client_for(world.member_b).get(f"/learn/results/{attempt.id}").status_code == 404
    assert client_for(world.official_1).get(f"/learn/results/{attempt.id}").status_code == 200
    assert client_for(world.official_2).get(f"/learn/results/{attempt.id}").status_code == 404


def test_lesson_images_are_served_and_cached(courses, world, client_for):
    image = db.session.scalar(select(LessonImage))
    response = client_for(world.member_a).get(
        f"/learn/media/{image.course_version_id}/{image.name}"
    )
    assert response.status_code == 200 and response.data == image.data
    assert "immutable" in response.headers["Cache-Control"]


def test_english_titles_in_the_english_interface(courses, world, client_for):
    client = client_for(world.member_a)
    client.get("/language/en")
    page = client.get("/learn/").get_data(as_text=True)
    assert "Selling online" in page and "My courses" in page


def test_admin_sees_versions_numbers_and_previews_lessons(courses, world, client_for):
    client = client_for(world.admin)
    page = client.get("/learn/admin/").get_data(as_text=True)
    assert all(c.current.title in page for c in courses)
    preview = client.get(f"/learn/admin/{courses[0].slug}/1/2").get_data(as_text=True)
    assert courses[0].current.lessons[1].title in preview and "Xem như học viên" in preview


def test_admin_hides_and_publishes_a_course(courses, world, client_for):
    client = client_for(world.admin)
    client.post(f"/learn/admin/{courses[2].slug}/publish", data={"published": "0"})
    assert courses[2].current.title not in client_for(world.member_a).get("/learn/").get_data(
        as_text=True
    )
    assert client_for(world.member_a).get(f"/learn/{courses[2].slug}/1").status_code == 404
    client.post(f"/learn/admin/{courses[2].slug}/publish", data={"published": "1"})
    assert courses[2].current.title in client_for(world.member_a).get("/learn/").get_data(
        as_text=True
    )


def test_admin_edits_the_programme(courses, world, client_for):
    from lms.courses.models import Programme

    programme = db.session.scalar(select(Programme))
    data = {"name": programme.name, "area_id": str(world.province.id), "year": "2026"}
    for course in courses:
        data[f"include-{course.id}"] = "1"
        data[f"required-{course.id}"] = "1" if course is not courses[2] else ""
    data[f"pass-{courses[0].id}"] = "80"
    response = client_for(world.admin).post(f"/learn/admin/programmes/{programme.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert [
        (link.is_required, link.pass_mark)
        for link in db.session.get(Programme, programme.id).courses
    ] == [(True, 80), (True, None), (False, None)]
    page = client_for(world.member_a).get("/learn/").get_data(as_text=True)
    assert "Tự chọn" in page


LESSON_BUDGET = 30 * 1024


def _lesson_pages():
    from lms.courses.loading import LESSON_FILE

    for folder in sorted(p for p in COURSES_FOLDER.iterdir() if p.is_dir()):
        for number, path in enumerate(sorted((folder / "lessons").glob("*.md")), start=1):
            assert LESSON_FILE.fullmatch(path.name)
            yield folder.name, number


def scripts_not_from_static(html: bytes) -> list[bytes]:
    """Every ``<script`` tag that is inline or loads from elsewhere than our /static/ (the
    CSP allows our own files only)."""
    tags = re.findall(rb"<script\b[^>]*>", html, flags=re.IGNORECASE)
    return [tag for tag in tags if not re.search(rb'\ssrc="/static/[^"]+"', tag)]


@pytest.mark.parametrize(
    ("html", "found"),
    [
        (b'<p>B\xc3\xa0i 1</p><script src="/static/js/lesson.js" defer></script>', 0),
        (b"<script>alert(1)</script>", 1),
        (b'<SCRIPT type="module">start()</SCRIPT>', 1),
        (b"<script\ndefer>start()</script>", 1),
        (b'<script src="https://cdn.example.com/x.js"></script>', 1),
        (b'<script data-src="/static/x.js">start()</script>', 1),
        (b'<script src="/static/a.js"></script><script>start()</script>', 1),
    ],
)
def test_the_script_check_finds_inline_and_foreign_scripts(html, found):
    assert len(scripts_not_from_static(html)) == found


@pytest.mark.parametrize(("slug", "position"), list(_lesson_pages()))
def test_every_lesson_page_fits_the_phone_budget(courses, world, client_for, slug, position):
    """HTML + CSS + JS of a lesson transfer ≤ 30 KB compressed; no other host is asked."""
    client = client_for(world.member_a)
    html = client.get(f"/learn/{slug}/{position}").data
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    size = len(gzip.compress(html))
    for asset in assets:
        size += len(gzip.compress(client.get(asset.decode()).data))
    assert size <= LESSON_BUDGET, f"{slug}/{position}: {size} bytes"
    assert not re.search(rb'(?:href|src|action)="(?:https?:)?//', html)
    assert scripts_not_from_static(html) == []
    for image in re.findall(rb'<img [^>]*src="([^"]+)"', html):
        body = client.get(image.decode()).data
        assert len(body) <= 60 * 1024 and b'loading="lazy"' in html


#: statements per learner page, whatever the number of courses and lessons: the pages a
#: class of households opens at once stay cheap (DEVELOPERS: budgets are ordinary tests)
QUERY_BUDGET = {"/learn/": 12, "/learn/{slug}/2": 12, "/learn/{slug}/quiz": 8}


@pytest.mark.parametrize("path", QUERY_BUDGET)
def test_learner_pages_keep_to_their_query_budget(courses, world, client_for, queries, path):
    client = client_for(world.member_a)
    url = path.format(slug=courses[0].slug)
    client.get(url)  # the first visit records where the learner is
    with queries() as seen:
        assert client.get(url).status_code == 200
    assert len(seen) <= QUERY_BUDGET[path], "\n".join(seen)
