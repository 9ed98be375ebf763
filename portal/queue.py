"""The background job queue: Huey with SQLite storage in the instance folder, Redis when configured.

Tasks (``portal.tasks``) are registered on the single ``huey`` object from ``portal.extensions``; this module
points its storage at the configured backend, runs tasks in the caller for tests (``QUEUE_IMMEDIATE``), and
can start a consumer thread inside the web process (``QUEUE_IN_PROCESS``, used by ``make run``). In
production run ``flask queue worker`` as a separate process.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask
from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer

from portal.extensions import huey

log = logging.getLogger(__name__)
_app: Flask | None = None
_consumer: Consumer | None = None
_consumer_lock = threading.Lock()


def init_queue(app: Flask) -> None:
    """Point the task queue at the configured storage and remember the app for task contexts."""
    global _app
    _app = app
    if app.config.get("REDIS_URL"):
        huey.storage_class = RedisHuey.storage_class
        huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
    else:
        huey.storage_class = SqliteHuey.storage_class
        path = app.config.get("QUEUE_PATH") or os.path.join(app.instance_path, "queue.sqlite")
        huey.storage_kwargs = {"filename": path}
    huey._immediate = bool(app.config.get("QUEUE_IMMEDIATE"))
    huey.storage = huey.create_storage()
    import portal.tasks  # noqa: F401  (registers the tasks)

    if app.config.get("QUEUE_IN_PROCESS") and not huey.immediate:
        start_consumer_thread()


def task_app() -> Flask:
    """The app that tasks run in when no app context is active (a worker or consumer thread)."""
    if _app is None:  # pragma: no cover - create_app always runs first
        raise RuntimeError("the job queue was used before create_app()")
    return _app


class _ThreadConsumer(Consumer):
    """A consumer that can run in a non-main thread (signal handlers only work in the main thread)."""

    def _set_signal_handlers(self) -> None:
        return None


def start_consumer_thread(workers: int = 1) -> Consumer:
    """Start a consumer inside this process, once (``make run`` and the browser tests use it)."""
    global _consumer
    with _consumer_lock:
        if _consumer is None:
            _consumer = _ThreadConsumer(huey, workers=workers, worker_type="thread", periodic=True,
                                        check_worker_health=False)
            _consumer.start()
            log.info("in-process queue consumer started")
        return _consumer


def run_worker(workers: int = 1) -> None:
    """Run a blocking consumer (``flask queue worker``)."""
    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()


def pending_count() -> int:
    """How many tasks wait in the queue (for the staff status page)."""
    try:
        return len(huey)
    except Exception:  # noqa: BLE001 - a broken queue must not break the page that reports it
        return -1
