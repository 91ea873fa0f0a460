"""Flagship products (sản phẩm tiêu biểu): the 3 to 40 products a province chooses each year
to build up and promote, and their stories.

A story is content, written as files under ``flagship/<slug>/`` and loaded into versions like
a course. It names the product as the registry names it (``product_name``) and its province;
the facts a buyer must be able to trust (OCOP rating, certifications and their validity,
listings) are never in the story: they are read from the registry's products of that name in
the province, every time a page is shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.areas.models import Area
from lms.auth.models import User
from lms.core.models import Base, utcnow


class FlagshipStory(Base):
    """A story folder, known by its slug; its content is in its versions."""

    __tablename__ = "flagship_stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)

    versions: Mapped[list[FlagshipStoryVersion]] = relationship(
        back_populates="story", order_by="FlagshipStoryVersion.version"
    )

    @property
    def current(self) -> FlagshipStoryVersion:
        return self.versions[-1]


class FlagshipStoryVersion(Base):
    """One loaded state of a story's files; a new version when the files change."""

    __tablename__ = "flagship_story_versions"
    __table_args__ = (UniqueConstraint("story_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("flagship_stories.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the folder's files: an unchanged folder loads no new version
    checksum: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(160))
    title_en: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    #: the product's name exactly as the registry holds it (``Product.name``)
    product_name: Mapped[str] = mapped_column(String(160))
    #: the official code of the province whose product it is
    province_code: Mapped[str] = mapped_column(String(20))
    html: Mapped[str] = mapped_column(Text)
    html_en: Mapped[str] = mapped_column(Text)
    words: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    story: Mapped[FlagshipStory] = relationship(back_populates="versions")
    images: Mapped[list[FlagshipImage]] = relationship(order_by="FlagshipImage.name")


class FlagshipImage(Base):
    """A picture of a story, kept with its version so older versions stay whole."""

    __tablename__ = "flagship_images"
    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("flagship_story_versions.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FlagshipProduct(Base):
    """A province's choice of a story's product as flagship for a year, and who made it."""

    __tablename__ = "flagship_products"
    __table_args__ = (UniqueConstraint("area_id", "year", "story_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the province
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("flagship_stories.id"), index=True)
    #: None for the system (the demo, the CLI without --as)
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area] = relationship()
    story: Mapped[FlagshipStory] = relationship()
    chosen_by: Mapped[User | None] = relationship()

    @property
    def slug(self) -> str:
        return self.story.slug

    @property
    def product_name(self) -> str:
        return self.story.current.product_name
