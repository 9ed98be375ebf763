"""Background job of the topics area: the full re-cluster of one project."""

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
