"""Background jobs: thin wrappers that push an app context and call operations."""

from __future__ import annotations

from contextlib import contextmanager

from flask import has_app_context
from huey import crontab

from portal.extensions import huey


@contextmanager
def _context():
    """Use the caller's app context (immediate mode) or the registered app's (worker)."""
    if has_app_context():
        yield
        return
    from portal.queue import task_app

    with task_app().app_context():
        yield


@huey.task(retries=3, retry_delay=10)
def process_comment(comment_id: int) -> None:
    """Screen a stored comment (and anything else that follows submission)."""
    with _context():
        from portal.operations import pipeline

        pipeline.process_comment(comment_id)


@huey.periodic_task(crontab(minute="*"))
def requeue_stuck_comments() -> int:
    """Every minute: queue again comments left ``pending`` longer than ``SCREENING_STUCK_MINUTES``
    (a worker that died, a queue that was down when the comment was stored)."""
    with _context():
        from portal.operations import pipeline

        return pipeline.requeue_stuck()


from portal.topics import tasks as _topics_tasks  # noqa: E402,F401  (registers the topics area's jobs)
