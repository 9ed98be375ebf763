"""Background job of the qa area: rebuild the chatbot index after staff FAQ entries or replies changed."""

from __future__ import annotations

from portal.extensions import huey
from portal.tasks import _context


@huey.task(retries=1, retry_delay=30)
def rebuild_qa_index() -> dict:
    """Build (or load) the index for the KB plus current staff entries; the worker then serves it, and web
    processes load the saved index on their next signature check."""
    with _context():
        from portal.qa import operations

        return operations.rebuild_index()
