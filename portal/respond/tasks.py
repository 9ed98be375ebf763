"""Background jobs of the respond area: daily reminders and messages to residents (thin wrappers)."""

from __future__ import annotations

from huey import crontab

from portal.extensions import db, huey
from portal.tasks import _context


@huey.task(retries=3, retry_delay=60)
def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Send queued messages to residents through the configured sender."""
    with _context():
        from portal.respond import operations as ops

        counts = ops.deliver_messages(message_ids)
        db.session.commit()
        return counts


def enqueue_messages(message_ids: list[int]) -> None:
    """Queue ``send_messages`` (call after the commit that stored the messages); the queue being down only
    delays them: the hourly task sends whatever is still queued."""
    if not message_ids:
        return
    try:
        send_messages(list(message_ids))
    except Exception:  # noqa: BLE001 - the periodic task retries
        import logging

        logging.getLogger(__name__).exception("could not queue resident messages")


@huey.periodic_task(crontab(minute="5"))
def hourly_reminders() -> dict[str, int] | None:
    """Every hour: at ``RESPOND_REMINDER_HOUR`` (site time) send the day's reminders (once per item per day,
    so a missed hour is caught up later that day), and retry resident messages that are still queued."""
    with _context():
        from flask import current_app

        from portal.respond import operations as ops
        from portal.timeutil import site_zone, utcnow

        result = ops.deliver_messages()
        if utcnow().astimezone(site_zone()).hour >= current_app.config["RESPOND_REMINDER_HOUR"]:
            result |= ops.send_reminders()
        db.session.commit()
        return result
