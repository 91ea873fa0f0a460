"""A job: one piece of long work somebody asked for, with its progress and its result file."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.core.models import Base, str_enum, utcnow


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who asked (None: the CLI or a periodic task)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: what to do: a name in ``lms.jobs.services.KINDS`` ("certificates.bundle_zip")
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: what makes the job one of its kind (``"households.import_commit:42"``): starting it
    #: again while it exists gives the same job, never a second (None: any number may run)
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    state: Mapped[JobState] = mapped_column(str_enum(JobState), default=JobState.QUEUED, index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    #: the result file, relative to the instance folder's jobs/ (None: no file)
    result_path: Mapped[str | None] = mapped_column(String(255))
    #: the name the download is saved under
    result_name: Mapped[str | None] = mapped_column(String(255))
    #: what the job says when done (a count, a note), in Vietnamese
    message: Mapped[str | None] = mapped_column(Text)
    #: why it failed, in Vietnamese
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: when the result file is removed (JOB_RESULT_DAYS after it was made)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    #: the last sign of life of the worker running it (its start, each progress written)
    heartbeat_at: Mapped[datetime | None]
    #: how many times a worker began it (a worker killed mid-way: the job is run again)
    attempts: Mapped[int] = mapped_column(default=0)

    user: Mapped[User | None] = relationship()

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state is JobState.DONE else None
        return min(100, round(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
