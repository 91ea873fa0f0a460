"""The Celery application, bound to the Flask app as Flask's documentation shows
(``celery_init_app``): every task runs inside the application context.

Start a worker with ``celery -A lms.jobs.worker worker`` (``make run`` does, beside the web
server). The broker is ``CELERY_BROKER_URL`` (Redis where the product runs on several
machines: ``redis://127.0.0.1:6379/0``); without it, kombu's SQLAlchemy transport on a SQLite
file in the instance folder, which needs no server.
"""

from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from flask import Flask

#: the tasks of each domain, imported when the worker starts
TASK_MODULES = (
    "lms.jobs.tasks",
    "lms.messages.tasks",
    "lms.certificates.tasks",
    "lms.households.tasks",
    "lms.reports.tasks",
    "lms.attendance.tasks",
)


def celery_config(app: Flask) -> dict:
    broker = app.config.get("CELERY_BROKER_URL")
    if not broker:
        broker = f"sqla+sqlite:///{Path(app.instance_path) / 'celery-broker.sqlite3'}"
    config = {
        "broker_url": broker,
        # a job's state and result live in its row (lms.jobs.models.Job), not in Celery
        "task_ignore_result": True,
        "result_backend": app.config.get("CELERY_RESULT_BACKEND"),
        # late acknowledgement: a message is acknowledged after its task ran, so a worker
        # killed mid-way leaves it to another worker (the job runs again, see run_job)
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": app.config.get("CELERY_QUEUE", "lms"),
        "broker_connection_retry_on_startup": True,
        "imports": TASK_MODULES,
        "beat_schedule": {
            "purge-expired-job-results": {"task": "jobs.purge", "schedule": 3600.0},
            "requeue-stale-jobs": {"task": "jobs.requeue_stale", "schedule": 300.0},
            # messages (lms/messages): what is due, the day-before reminders, the warnings
            "send-due-messages": {"task": "messages.send_due", "schedule": 60.0},
            "class-reminders": {"task": "messages.class_reminders", "schedule": 3600.0},
            "expiry-warnings": {"task": "messages.expiry_warnings", "schedule": 21600.0},
        },
        "timezone": "UTC",
    }
    if broker.startswith("redis"):
        # a message not acknowledged within this time goes to another worker: longer than
        # the longest job (a province bundle)
        config["broker_transport_options"] = {"visibility_timeout": 6 * 3600}
    config.update(app.config.get("CELERY", {}))
    return config


def celery_init_app(app: Flask, **overrides) -> Celery:
    """The Celery of ``app`` (``overrides``: Celery settings, such as another broker)."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object({**celery_config(app), **overrides})
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


_made: list[Celery] = []


def __getattr__(name: str):
    """``celery -A lms.jobs.worker:celery_app`` finds the application's own Celery here."""
    if name == "celery_app":
        if not _made:
            from lms import create_app

            _made.append(create_app().extensions["celery"])
        return _made[0]
    raise AttributeError(name)
