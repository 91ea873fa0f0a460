"""The lesson page, the page households open most, keeps to a statement budget: its
programme, courses and lessons are read once per programme and version (then kept by the
process), its text rendered once per lesson version; a re-read writes nothing."""

from __future__ import annotations

from sqlalchemy import select

from lms.courses import services
from lms.courses.loading import load_courses
from lms.courses.models import Course
from lms.extensions import db
from tests.builders import make_programme
from tests.courses.test_loading import write_course

#: a repeat view: the logged-in user with the household, the programme's key, the progress row
REPEAT_VIEW_BUDGET = 3


def test_a_repeat_lesson_view_keeps_to_three_statements_and_writes_nothing(
    courses, world, client_for, queries
):
    client = client_for(world.member_a)
    url, title = f"/learn/{courses[0].slug}/2", courses[0].current.lessons[1].title
    client.get(url)  # the first view starts the reading clock
    db.session.expunge_all()  # as a web process's request: nothing of the user in memory yet
    with queries() as seen:
        response = client.get(url)
    assert response.status_code == 200 and title in response.text
    assert len(seen) <= REPEAT_VIEW_BUDGET, "\n".join(seen)
    assert not [s for s in seen if not s.lstrip().upper().startswith("SELECT")], seen


def test_the_programme_and_lessons_are_read_once_not_per_request(
    courses, world, client_for, queries
):
    services.forget_programmes()
    client = client_for(world.member_a)
    slug = courses[0].slug
    with queries() as first:
        client.get(f"/learn/{slug}/1")
    assert any("FROM lessons" in s for s in first)  # read once, the process keeps a copy
    with queries() as later:
        for position in (2, 3, 1):
            assert client.get(f"/learn/{slug}/{position}").status_code == 200
    assert not any("FROM lessons" in s or "FROM course_versions\n" in s for s in later), later
    # another household of the same programme reads the same copy
    with queries() as other:
        assert client_for(world.member_b).get(f"/learn/{slug}/1").status_code == 200
    assert not any("FROM lessons" in s for s in other)


def test_a_new_version_loaded_is_served_at_once(app, world, client_for, tmp_path):
    folder = write_course(tmp_path)
    assert load_courses(tmp_path).ok
    make_programme(world.province, list(db.session.scalars(select(Course))))
    db.session.commit()
    client = client_for(world.member_a)
    assert "Bài 2" in client.get("/learn/thu-nghiem/2").text
    lesson = folder / "lessons" / "02-bai-2.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("# Bài 2", "# Bài hai mới"))
    assert load_courses(tmp_path).loaded == [("thu-nghiem", 2)]  # as `flask courses load`
    page = client.get("/learn/thu-nghiem/2").text
    assert "Bài hai mới" in page and ">Bài 2<" not in page


def test_a_course_taken_out_of_the_programme_is_404_at_once(courses, world, client_for):
    client = client_for(world.member_a)
    slug = courses[0].slug
    assert client.get(f"/learn/{slug}/1").status_code == 200
    courses[0].is_published = False
    db.session.commit()
    assert client.get(f"/learn/{slug}/1").status_code == 404
    assert client.get(f"/learn/{courses[1].slug}/1").status_code == 200


def test_without_a_programme_every_published_course_is_offered(app, world, client_for, tmp_path):
    write_course(tmp_path)
    assert load_courses(tmp_path).ok
    client = client_for(world.member_a)
    assert "Bài 1" in client.get("/learn/thu-nghiem/1").text
    assert client.get("/learn/thu-nghiem/9").status_code == 404


def test_the_lesson_text_is_rendered_in_the_reader_s_language(courses, world, client_for):
    client = client_for(world.member_a)
    url = f"/learn/{courses[0].slug}/1"
    assert "phút đọc" in client.get(url).text
    with client.session_transaction() as session:
        session["language"] = "en"
    english = client.get(url).text
    assert "minutes' reading" in english.replace("&#39;", "'") and "phút đọc" not in english
