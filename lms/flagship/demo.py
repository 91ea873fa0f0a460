"""The demo's flagship products: the shipped stories loaded, and the three whose products the
demo's households make chosen for this year (so the public list opens at the minimum)."""

from __future__ import annotations

from lms.core.models import today
from lms.flagship import services
from lms.flagship.cli import stories_folder
from lms.flagship.loading import load_stories

DEMO_FLAGSHIPS = ("che-xanh-dien-chau", "mat-ong-rung-yen-thanh", "tuong-nam-dan")


def add_demo_flagships() -> int:
    """Load the stories and choose the demo's three; returns how many were chosen."""
    report = load_stories(stories_folder())
    if not report.ok:
        raise RuntimeError(f"flagship stories refused: {[str(p) for p in report.problems]}")
    chosen = 0
    for slug in DEMO_FLAGSHIPS:
        story = services.get_story(slug)
        if story is not None:
            services.choose_flagship(None, story, today().year)
            chosen += 1
    return chosen
