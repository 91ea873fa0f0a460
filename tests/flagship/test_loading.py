"""The story loader: shipped stories load, a changed folder is a new version, an unchanged one
loads nothing, and a story that types a registry fact, a health claim, a phone number or a
link, or passes its page budget, is refused with its file and line, loading nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.flagship.loading import load_stories
from lms.flagship.models import FlagshipStoryVersion
from tests.flagship.helpers import SHIPPED


def versions() -> int:
    return db.session.scalar(select(func.count(FlagshipStoryVersion.id)))


@pytest.fixture
def stories(tmp_path) -> Path:
    root = tmp_path / "flagship"
    shutil.copytree(SHIPPED, root, ignore=shutil.ignore_patterns("README.md"))
    return root


def test_the_shipped_stories_load_once_and_a_change_is_a_new_version(app, stories):
    report = load_stories(stories)
    assert report.ok and sorted(report.loaded) == [
        ("che-xanh-dien-chau", 1), ("mat-ong-rung-yen-thanh", 1), ("tuong-nam-dan", 1),
    ]  # fmt: skip
    assert load_stories(stories).unchanged == [slug for slug, _ in sorted(report.loaded)]
    story = stories / "tuong-nam-dan" / "story.md"
    story.write_text(story.read_text() + "\nTương ngon nhất khi dùng trong vài tháng.\n")
    assert load_stories(stories).loaded == [("tuong-nam-dan", 2)]
    latest = db.session.scalar(
        select(FlagshipStoryVersion).order_by(FlagshipStoryVersion.id.desc())
    )
    assert latest.product_name == "Tương Nam Đàn" and latest.province_code == "40"
    assert '<img src="/flagship/media/' in latest.html and 'loading="lazy"' in latest.html


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Sản phẩm đạt OCOP 4 sao.", "Không ghi xếp hạng hay chứng nhận"),
        ("Đã có chứng nhận VietGAP.", "Không ghi xếp hạng hay chứng nhận"),
        ("Uống tương giúp phòng bệnh.", "Không nói về công dụng cho sức khỏe"),
        ("Gọi 0912 345 678 để đặt hàng.", "Không ghi số điện thoại"),
        ("Xem thêm tại https://example.com", "Không liên kết tới trang web khác"),
        ("<b>Ngon</b>", "Không dùng HTML"),
    ],
)
def test_a_claim_the_registry_cannot_back_is_refused(app, stories, line, message):
    story = stories / "tuong-nam-dan" / "story.md"
    story.write_text(story.read_text() + f"\n{line}\n")
    report = load_stories(stories)
    assert not report.ok and versions() == 0
    problem = report.problems[0]
    assert problem.path == "tuong-nam-dan/story.md" and problem.line is not None
    assert message in problem.message


def test_the_manifest_and_the_page_budget_are_checked(app, stories):
    manifest = stories / "che-xanh-dien-chau" / "story.toml"
    manifest.write_text(manifest.read_text().replace('province = "40"\n', 'tinh = "40"\n'))
    (stories / "mat-ong-rung-yen-thanh" / "images" / "thung-ong.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'>" + " " * 23_000 + "</svg>"
    )
    messages = [str(p) for p in load_stories(stories).problems]
    assert any("story.toml:" in m and "“tinh”" in m for m in messages)
    assert any("“province” is missing" in m or "“province”" in m for m in messages)
    assert any(m.startswith("mat-ong-rung-yen-thanh:") and "30 KB" in m for m in messages)
    assert versions() == 0
