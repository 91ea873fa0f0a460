"""The course loader: every problem reported with its file and line, then nothing loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.courses.loading import load_courses
from lms.courses.models import Course, CourseVersion, Lesson, QuizAttempt
from lms.extensions import db
from tests.builders import COURSES_FOLDER, load_shipped_courses

WORDS = " ".join(["Bạn chụp ảnh sản phẩm gần cửa sổ cho sáng rõ."] * 30)


def write_course(
    root: Path, slug: str = "thu-nghiem", lessons: int = 4, questions: int = 24
) -> Path:
    """A course of ``lessons`` lessons and a bank of ``questions`` questions, taken in turn
    about each lesson; the right option alternates between the first and the second."""
    folder = root / slug
    (folder / "lessons").mkdir(parents=True)
    (folder / "course.toml").write_text(
        'title = "Thử nghiệm"\ntitle_en = "Trial"\nsummary = "Tóm tắt."\nsummary_en = "Summary."\n'
        "order = 1\nrequired = true\npass_mark = 70\nminutes = 20\n",
        encoding="utf-8",
    )
    for n in range(1, lessons + 1):
        (folder / "lessons" / f"0{n}-bai-{n}.md").write_text(
            f"# Bài {n}\n\n{WORDS}\n", encoding="utf-8"
        )
    quiz = "".join(
        f'[[questions]]\nlesson = {(n - 1) % lessons + 1}\ntext = "Câu {n}?"\n'
        f'options = ["Phương án một", "Phương án hai"]\nanswers = [{(n - 1) % 2 + 1}]\n'
        'explanation = "Vì đúng."\n\n'
        for n in range(1, questions + 1)
    )
    (folder / "quiz.toml").write_text(quiz, encoding="utf-8")
    return folder


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Course)),
        db.session.scalar(select(func.count()).select_from(CourseVersion)),
    )


def test_the_shipped_courses_load_and_follow_the_format(app):
    courses = load_shipped_courses()
    assert [c.slug for c in courses] == [
        "ban-hang-truc-tuyen",
        "thanh-toan-an-toan",
        "tai-khoan-postmart-voso",
    ]
    assert [c.current.title for c in courses] == [
        "Bán hàng trực tuyến",
        "Thanh toán trực tuyến an toàn",
        "Tài khoản trên sàn Postmart và Voso",
    ]
    for course in courses:
        version = course.current
        assert 4 <= len(version.lessons) <= 6 and len(version.questions) >= 8
        assert version.title_en and version.summary_en
        assert all(
            250 <= lesson.words <= 650 and "<script" not in lesson.html
            for lesson in version.lessons
        )


def test_loading_again_changes_nothing(app):
    load_shipped_courses()
    report = load_courses(COURSES_FOLDER)
    assert report.loaded == [] and len(report.unchanged) == 3
    assert counts() == (3, 3)


def test_a_changed_course_becomes_a_new_version_and_attempts_keep_theirs(app, tmp_path, world):
    folder = write_course(tmp_path)
    load_courses(tmp_path)
    first = db.session.scalar(select(CourseVersion))
    attempt = QuizAttempt(
        household_id=world.household_a.id,
        course_version_id=first.id,
        nonce="n",
        answers={},
        correct=8,
        total=8,
        percent=100,
        pass_mark=70,
        passed=True,
    )
    db.session.add(attempt)
    db.session.commit()
    quiz = folder / "quiz.toml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace("Câu 1?", "Câu một?"), encoding="utf-8"
    )
    report = load_courses(tmp_path)
    assert report.loaded == [("thu-nghiem", 2)]
    course = db.session.scalar(select(Course))
    assert [v.version for v in course.versions] == [1, 2]
    assert course.current.questions[0].text == "Câu một?"
    assert db.session.get(QuizAttempt, attempt.id).course_version.questions[0].text == "Câu 1?"


def test_lessons_render_safe_html_with_lazy_local_images(app, tmp_path):
    folder = write_course(tmp_path)
    (folder / "lessons" / "images").mkdir()
    (folder / "lessons" / "images" / "dong-goi.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    (folder / "lessons" / "01-bai-1.md").write_text(
        f"# Bài 1\n\n**Chú ý** khi đóng gói.\n\n![Các bước đóng gói lọ thủy tinh](images/dong-goi.svg)\n\n{WORDS}\n",
        encoding="utf-8",
    )
    assert load_courses(tmp_path).ok
    lesson = db.session.scalar(select(Lesson).where(Lesson.position == 1))
    version_id = lesson.course_version_id
    assert "<strong>Chú ý</strong>" in lesson.html
    assert (
        f'src="/learn/media/{version_id}/dong-goi.svg"' in lesson.html
        and 'loading="lazy"' in lesson.html
    )


def _break(folder: Path, relative: str, old: str | None, new: str) -> None:
    path = folder / relative
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(text.replace(old, new) if old is not None else new, encoding="utf-8")


@pytest.mark.parametrize(
    ("relative", "old", "new", "where", "message"),
    [
        (
            "course.toml",
            "pass_mark = 70",
            "pass_mark = 70\ncolour = 1",
            ("thu-nghiem/course.toml", 8),
            "Khóa “colour” không hợp lệ.",
        ),
        (
            "course.toml",
            "minutes = 20",
            "minutes = ",
            ("thu-nghiem/course.toml", 8),
            "Không đúng cú pháp TOML",
        ),
        (
            "course.toml",
            "pass_mark = 70",
            "pass_mark = 30",
            ("thu-nghiem/course.toml", 7),
            "Điểm đạt từ 50 đến 100.",
        ),
        (
            "course.toml",
            "required = true",
            'required = "yes"',
            ("thu-nghiem/course.toml", 6),
            "sai kiểu dữ liệu",
        ),
        (
            "course.toml",
            'title_en = "Trial"\n',
            "",
            ("thu-nghiem/course.toml", None),
            "Thiếu “title_en”.",
        ),
        (
            "lessons/02-bai-2.md",
            "# Bài 2",
            "Bài 2",
            ("thu-nghiem/lessons/02-bai-2.md", 1),
            "phải bắt đầu bằng tiêu đề",
        ),
        (
            "lessons/03-bai-3.md",
            "# Bài 3\n",
            "# Bài 3\n<b>đậm</b>\n",
            ("thu-nghiem/lessons/03-bai-3.md", 2),
            "Không dùng HTML",
        ),
        (
            "lessons/03-bai-3.md",
            "# Bài 3\n",
            "# Bài 3\nXem https://example.com\n",
            ("thu-nghiem/lessons/03-bai-3.md", 2),
            "Không liên kết tới trang web khác",
        ),
        (
            "lessons/03-bai-3.md",
            "# Bài 3\n",
            "# Bài 3\n![ảnh](images/khong-co.png)\n",
            ("thu-nghiem/lessons/03-bai-3.md", 2),
            "không có trong thư mục ảnh",
        ),
        (
            "lessons/04-bai-4.md",
            WORDS,
            "Quá ngắn.",
            ("thu-nghiem/lessons/04-bai-4.md", None),
            "từ 250 đến 650 chữ",
        ),
        (
            "lessons/Bai 5.md",
            None,
            "# Bài\n",
            ("thu-nghiem/lessons/Bai 5.md", None),
            "phải đặt tên dạng",
        ),
        (
            "quiz.toml",
            'answers = [2]\nexplanation = "Vì đúng."\n\n[[questions]]\nlesson = 3\ntext = "Câu 3?"',
            'answers = [3]\nexplanation = "Vì đúng."\n\n[[questions]]\nlesson = 3\ntext = "Câu 3?"',
            ("thu-nghiem/quiz.toml", 8),
            "Câu 2: đáp án phải là số thứ tự",
        ),
        (
            "quiz.toml",
            'options = ["Phương án một", "Phương án hai"]\nanswers = [1]\nexplanation = "Vì đúng."\n\n[[questions]]\nlesson = 4\ntext = "Câu 8?"',
            'options = ["Phương án một"]\nanswers = [1]\nexplanation = "Vì đúng."\n\n[[questions]]\nlesson = 4\ntext = "Câu 8?"',
            ("thu-nghiem/quiz.toml", 43),
            "Câu 7 cần từ 2 đến 4 phương án",
        ),
        ("notes.txt", None, "ghi chú", ("thu-nghiem/notes.txt", None), "Tệp không được phép"),
        (
            "course.toml",
            "Thử nghiệm",
            "Thử nghiệm".encode().decode().replace("ử", "ư\u0309"),
            ("thu-nghiem/course.toml", None),
            "chuẩn NFC",
        ),
    ],
    ids=[
        "unknown-key",
        "bad-toml",
        "pass-mark",
        "wrong-type",
        "missing-key",
        "no-title",
        "raw-html",
        "external-link",
        "missing-image",
        "too-short",
        "bad-file-name",
        "answer-out-of-range",
        "one-option",
        "stray-file",
        "not-nfc",
    ],
)
def test_a_broken_file_is_reported_with_its_line_and_nothing_loads(
    app, tmp_path, relative, old, new, where, message
):
    write_course(tmp_path, slug="a-hop-le")
    folder = write_course(tmp_path)
    _break(folder, relative, old, new)
    report = load_courses(tmp_path)
    assert not report.ok
    assert any((p.path, p.line) == where and message in p.message for p in report.problems), [
        str(p) for p in report.problems
    ]
    assert counts() == (0, 0)


def test_too_few_lessons_and_questions(app, tmp_path):
    write_course(tmp_path, lessons=3, questions=7)
    problems = [str(p) for p in load_courses(tmp_path).problems]
    assert "thu-nghiem/lessons: Mỗi khóa học có từ 4 đến 6 bài, không phải 3 bài." in problems
    assert (
        "thu-nghiem/quiz.toml: Bài kiểm tra là một ngân hàng có ít nhất 24 câu hỏi, không phải 7 câu."
        in problems
    )


def test_an_image_over_60_kb_is_refused(app, tmp_path):
    folder = write_course(tmp_path)
    (folder / "lessons" / "images").mkdir()
    (folder / "lessons" / "images" / "lon.png").write_bytes(b"\x89PNG" + b"0" * 70_000)
    assert any("tối đa 60 KB" in p.message for p in load_courses(tmp_path).problems)


def test_no_course_folder(app, tmp_path):
    assert [p.message for p in load_courses(tmp_path).problems] == [
        "Không tìm thấy thư mục khóa học nào."
    ]


def test_cli_loads_and_reports(app, tmp_path):
    shutil.copytree(COURSES_FOLDER / "thanh-toan-an-toan", tmp_path / "thanh-toan-an-toan")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "load", str(tmp_path)])
    assert result.exit_code == 0 and "thanh-toan-an-toan: version 1 loaded" in result.output
    (tmp_path / "thanh-toan-an-toan" / "quiz.toml").write_text("[[questions]\n", encoding="utf-8")
    result = runner.invoke(args=["courses", "load", str(tmp_path)])
    assert result.exit_code == 1 and "thanh-toan-an-toan/quiz.toml:1:" in result.output
    assert "nothing was loaded" in result.output


def _questions(folder: Path, transform) -> None:
    """Rewrite the quiz file's questions through ``transform(number, block) -> block``."""
    path = folder / "quiz.toml"
    blocks = path.read_text(encoding="utf-8").split("[[questions]]\n")[1:]
    path.write_text(
        "".join(f"[[questions]]\n{transform(n, b)}" for n, b in enumerate(blocks, start=1)),
        encoding="utf-8",
    )


def test_a_quiz_whose_right_option_is_mostly_the_longest_is_loaded_with_a_warning(app, tmp_path):
    folder = write_course(tmp_path)

    def longest_right(n: int, block: str) -> str:  # 12 of 24: half the questions
        return (
            block.replace('"Phương án hai"]', '"Phương án hai, dài hơn hẳn"]')
            if n % 2 == 0
            else block
        )

    _questions(folder, longest_right)
    report = load_courses(tmp_path)
    assert report.ok and report.loaded == [("thu-nghiem", 1)]
    assert [str(w) for w in report.warnings] == [
        "thu-nghiem/quiz.toml: Trong 12 trên 24 câu một đáp án, đáp án đúng là phương án dài "
        "nhất: người học có thể đạt chỉ nhờ chọn câu dài nhất. Chỉ nên để nhiều nhất một phần ba."
    ]
    result = app.test_cli_runner().invoke(args=["courses", "load", str(tmp_path)])
    assert "thu-nghiem: unchanged" in result.output


def test_a_third_of_longest_right_options_passes_without_a_warning(app, tmp_path):
    folder = write_course(tmp_path)

    def some_longest(n: int, block: str) -> str:  # 8 of 24: a third
        return (
            block.replace('"Phương án hai"]', '"Phương án hai, dài hơn hẳn"]')
            if n % 6 == 0 or n % 6 == 2
            else block
        )

    _questions(folder, some_longest)
    report = load_courses(tmp_path)
    assert report.ok and report.warnings == []


def test_the_loader_warns_on_another_voice_a_pass_mark_and_a_said_number_of_answers(app, tmp_path):
    folder = write_course(tmp_path)
    lesson = folder / "lessons" / "02-bai-2.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\nBà con cần trả lời đúng từ 70% số câu.\n",
        encoding="utf-8",
    )
    _questions(
        folder,
        lambda n, b: (
            b.replace('text = "Câu 5?"', 'text = "Câu 5? (chọn 2 câu đúng)"').replace(
                "answers = [1]", "answers = [1, 2]"
            )
            if n == 5
            else b
        ),
    )
    report = load_courses(tmp_path)
    assert report.ok
    warnings = {(w.path, w.line, w.message) for w in report.warnings}
    line = len(lesson.read_text(encoding="utf-8").splitlines())
    assert warnings == {
        (
            "thu-nghiem/lessons/02-bai-2.md",
            line,
            "Bài học xưng hô với hộ là “bạn”, không dùng “bà con”.",
        ),
        (
            "thu-nghiem/lessons/02-bai-2.md",
            line,
            "Không ghi điểm đạt trong bài học: chương trình đặt điểm đạt và trang bài kiểm tra hiển thị nó.",
        ),
        (
            "thu-nghiem/quiz.toml",
            29,
            "Câu 5: không cần ghi phải chọn mấy đáp án; bài kiểm tra đã nói điều đó.",
        ),
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda n, b: b.replace("lesson = 4", "lesson = 1"), "Chưa có câu hỏi nào về bài 4."),
        (
            lambda n, b: b.replace("lesson = 4", "lesson = 9") if n == 4 else b,
            "thu-nghiem/quiz.toml:22: Câu 4: “lesson” là số thứ tự của một bài học trong khóa (từ 1 đến 4).",
        ),
        (
            lambda n, b: b.replace("lesson = 4\n", "") if n == 4 else b,
            "thu-nghiem/quiz.toml:22: Câu 4 cần có lesson.",
        ),
    ],
    ids=["a-lesson-without-questions", "no-such-lesson", "no-lesson"],
)
def test_a_bank_must_ask_about_every_lesson(app, tmp_path, change, message):
    folder = write_course(tmp_path)
    _questions(folder, change)
    problems = [str(p) for p in load_courses(tmp_path).problems]
    assert any(message in p for p in problems), problems
    assert counts() == (0, 0)


def test_an_attempt_draws_between_one_per_lesson_and_the_whole_bank(app, tmp_path):
    folder = write_course(tmp_path)
    manifest = folder / "course.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "questions = 3\n", encoding="utf-8")
    problems = [str(p) for p in load_courses(tmp_path).problems]
    assert problems == [
        "thu-nghiem/course.toml: Mỗi lần làm bài rút 3 câu: ít nhất một câu cho mỗi bài (4 bài) "
        "và nhiều nhất bằng số câu trong ngân hàng (24 câu)."
    ]
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("= 3", "= 12"), encoding="utf-8"
    )
    assert load_courses(tmp_path).ok
    assert db.session.scalar(select(CourseVersion.questions_per_attempt)) == 12
