"""Message tasks, run by the Celery worker: thin wrappers around the services. ``send`` is
asked for each message once its transaction committed; the periodic ones (celery beat, see
``lms.jobs.worker``) sweep what is due and write the day-before reminders and the expiry
warnings."""

from __future__ import annotations

from celery import shared_task
from flask_babel import force_locale

from lms.messages import services


@shared_task(name="messages.send", acks_late=True)
def send(message_id: int) -> str | None:
    with force_locale("vi"):
        state = services.send_message(message_id)
    return state.value if state else None


@shared_task(name="messages.send_due")
def send_due() -> int:
    with force_locale("vi"):
        return services.send_due()


@shared_task(name="messages.class_reminders")
def class_reminders() -> int:
    with force_locale("vi"):
        return services.enqueue_class_reminders()


@shared_task(name="messages.expiry_warnings")
def expiry_warnings() -> int:
    with force_locale("vi"):
        return services.enqueue_expiry_warnings()
