"""Exports that may be province-sized: small ones are downloaded at once, large ones are a job
that writes the file streaming (openpyxl's write-only mode, the .csv row by row) to the job
folder, downloaded from the job's page.

One code path for both: a screen registers its export once (``@register("…")``), a
function of the user and the query string that gives the rows and how to count them; the
request counts them and, up to ``EXPORT_JOB_ROWS``, answers the file at once (under half a
second); above, it starts the job, which calls the same function in the worker with the same
user and query string, so the job's file is exactly the file the request would have made. An
export without a count reads at most ``EXPORT_JOB_ROWS + 1`` rows in the request to decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from flask import current_app, redirect, request, url_for
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from lms.core.spreadsheets import export_filename, export_response, save_xlsx, stream_csv
from lms.extensions import db


def count_of(statement) -> Callable[[], int]:
    """The count of a list's query, without its order (counting needs no sort)."""
    from sqlalchemy import func, select

    return lambda: db.session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )


@dataclass
class Export:
    """What an export is: its rows (the header first), the words of its file name, the
    sheet's title and the caption row."""

    rows: Iterable[Sequence[Any]]
    name: str
    title: str
    caption: str | None = None
    #: how many rows it holds (what decides between the request and a job; the job's total)
    count: Callable[[], int] | None = None


#: the registered exports, by name: ``function(user, args, **params) -> Export``
EXPORTS: dict[str, Callable[..., Export]] = {}


def register(name: str) -> Callable:
    def decorator(function: Callable[..., Export]) -> Callable[..., Export]:
        EXPORTS[name] = function
        return function

    return decorator


def export_or_job(name: str, kind: str, **params: Any) -> Any:
    """The file at once when the export holds at most EXPORT_JOB_ROWS rows; else a job
    writing it, and a redirect to the job's page (its progress bar, then the download)."""
    from lms.jobs import tasks
    from lms.jobs.services import start_job

    spec = EXPORTS[name](current_user, request.args, **params)
    limit = current_app.config["EXPORT_JOB_ROWS"]
    if spec.count is not None:
        # counted, not read: a sorted query gives its first row only once it sorted all
        # (on SQLite, 100,000 names in Vietnamese order take seconds)
        if spec.count() <= limit:
            return export_response(spec.rows, kind, spec.name, spec.title, spec.caption)
    else:
        rows = iter(spec.rows)
        head = list(islice(rows, limit + 2))  # the header, the rows, one more: too many
        if len(head) <= limit + 1:
            return export_response(head, kind, spec.name, spec.title, spec.caption)
        close = getattr(rows, "close", None)
        if close:
            close()  # frees the query's cursor now
    job = start_job(
        current_user,
        "export",
        {
            "export": name,
            "kind": kind,
            "args": request.args.to_dict(flat=False),
            "params": params,
            "title": spec.title,
        },
        tasks.export,
    )
    return redirect(url_for("jobs.detail", job_id=job.id))


def _counted(rows: Iterable[Sequence[Any]], progress: Callable[..., None]) -> Iterator:
    for number, row in enumerate(rows):
        if number:  # the header is not a row
            progress(step=1)
        yield row


def write_export(context) -> str:
    """The job: the same export, for the same user and query string, written to its file."""
    params = context.params
    spec = EXPORTS[params["export"]](
        context.user, MultiDict(params.get("args") or {}), **params.get("params", {})
    )
    kind = params["kind"]
    if spec.count is not None:
        context.progress(done=0, total=spec.count())
    rows = _counted(spec.rows, context.progress)
    with context.output(export_filename(spec.name, kind)).open("wb") as target:
        if kind == "csv":
            for chunk in stream_csv(rows):
                target.write(chunk)
        else:
            save_xlsx(rows, target, spec.title, spec.caption)
    return ngettext("%(num)d row.", "%(num)d rows.", context.done)
