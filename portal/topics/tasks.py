"""Background jobs of the topics area: the full re-cluster of one project, and the incremental assignment of
one freshly screened comment."""

from __future__ import annotations

from portal.extensions import huey
from portal.tasks import _context


@huey.task(retries=0)
def recluster_project(run_id: int) -> None:
    """Re-cluster the project of ``TopicRun`` ``run_id``; the outcome is recorded on the run (not retried:
    staff see a failed run and can queue another)."""
    with _context():
        from portal.topics import operations

        operations.run_recluster(run_id)


@huey.task(retries=0)
def assign_comment(comment_id: int) -> None:
    """Put a screened comment into the nearest existing topic (no refit). Not retried: the next re-cluster
    places any comment this missed."""
    with _context():
        from portal.topics import operations

        operations.assign_after_screening(comment_id)


def enqueue_assignment(comment_id: int) -> None:
    """Queue :func:`assign_comment`; never raises (called at the end of screening, which must not fail for it)."""
    import logging

    try:
        assign_comment(comment_id)
    except Exception:  # noqa: BLE001 - topics are a convenience; the comment is screened and stored
        logging.getLogger(__name__).exception("could not queue topic assignment of comment %s", comment_id)
