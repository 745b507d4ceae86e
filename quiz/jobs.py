"""Background jobs: a Huey queue, and a `Job` row per job so pages can show how it is doing.

Long work never runs inside a request: a view (or the answer path) calls `enqueue`, which
writes a `Job` row and puts its id on the queue; a worker runs the job's handler and records
its progress and outcome on the row, which `templates/jobs/status.html` shows its owner.

The queue lives in Redis when `REDIS_URL` is set, so several app servers share it, and
otherwise in an SQLite file beside the database (`instance/jobs.db`), which needs no server.
Workers: `flask --app app jobs worker` (production), or the thread `flask --app app serve`
starts next to the development server. Tests use an in-memory queue and `run_pending`.

A module that defines work registers a handler with `@handler("kind")`; the handler receives
the `Job` and returns the message to show when it is done (raising marks it failed; raising
`Refused` shows its message to the learner). A job may come with a file (`enqueue(...,
file=...)`, an uploaded import): it waits in the database, where a worker on any machine can
read it (`file_of`), and is deleted with the job's outcome.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import delete

from quiz.core.clock import utcnow
from quiz.extensions import db
from quiz.models import Job, JobFile, JobStatus, User

log = logging.getLogger(__name__)

# Storage is chosen per app in `init_jobs`; tasks register on this instance at import time.
queue = Huey("pivot", results=False, storage_class=MemoryStorage)
_handlers: dict[str, Callable[[Job], str]] = {}
_app: Flask | None = None


def init_jobs(app: Flask) -> None:
    """Point the queue at this app's storage (no connection is opened until first use)."""
    global _app
    backend = app.config["JOBS_BACKEND"]
    if backend == "redis":
        queue.storage = RedisStorage(name="pivot", url=app.config["REDIS_URL"])
    elif backend == "memory":
        queue.storage = MemoryStorage(name="pivot")
    else:
        path = Path(app.config["JOBS_DB"])
        path.parent.mkdir(parents=True, exist_ok=True)
        queue.storage = SqliteStorage(name="pivot", filename=str(path))
    _app = app


def handler(kind: str) -> Callable[[Callable[[Job], str]], Callable[[Job], str]]:
    """Register the function that does jobs of `kind`."""
    def register(function: Callable[[Job], str]) -> Callable[[Job], str]:
        _handlers[kind] = function
        return function
    return register


class Refused(Exception):
    """A job that cannot be done for a reason the learner should read (its message)."""


def enqueue(kind: str, user: User | None = None, *, file: bytes | None = None) -> Job:
    """Record a job of `kind` for `user` (with the `file` it works on) and queue it; returns
    the row to show its status."""
    if kind not in _handlers:
        raise ValueError(f"no handler for jobs of kind {kind!r}")
    job = Job(user_id=user.id if user else None, kind=kind, status=JobStatus.QUEUED)
    db.session.add(job)
    if file is not None:
        db.session.flush()
        db.session.add(JobFile(job_id=job.id, content=file))
    db.session.commit()
    _run(job.id)
    return job


def pending(user: User, kind: str) -> Job | None:
    """The learner's queued or running job of `kind`, if any (not to queue the same twice)."""
    return db.session.scalars(db.select(Job).where(
        Job.user_id == user.id, Job.kind == kind,
        Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))).order_by(Job.id.desc())).first()


def latest(user: User, kind: str) -> Job | None:
    """The learner's most recent job of `kind`."""
    return db.session.scalars(db.select(Job).where(Job.user_id == user.id, Job.kind == kind)
                              .order_by(Job.id.desc())).first()


def job_for(user: User, job_id: int) -> Job | None:
    """Job `job_id` if it is the learner's own (others' jobs do not exist for them)."""
    job = db.session.get(Job, job_id)
    return job if job is not None and job.user_id == user.id else None


def file_of(job: Job) -> bytes | None:
    """The file `job` was queued with, if it is still there."""
    return db.session.scalar(db.select(JobFile.content).where(JobFile.job_id == job.id))


def report(job: Job, progress: float, message: str = "") -> None:
    """Record how far a running job has got, for its status page."""
    job.progress = min(max(progress, 0.0), 1.0)
    if message:
        job.message = message
    db.session.commit()


@queue.task()
def _run(job_id: int) -> None:
    with _app.app_context():
        run(job_id)


def run(job_id: int) -> None:
    """Run job `job_id` now, recording its outcome (what a worker does with a queued id)."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return  # deleted with its learner, or already run
    job.status, job.started_at = JobStatus.RUNNING, utcnow()
    db.session.commit()
    try:
        message = _handlers[job.kind](job)
    except Exception as exc:
        if not isinstance(exc, Refused):
            log.exception("job %s (%s) failed", job.id, job.kind)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        if job is None:
            return
        job.status = JobStatus.FAILED
        job.message = str(exc) if isinstance(exc, Refused) else (
            "Something went wrong; try again later.")
    else:
        job.status, job.progress, job.message = JobStatus.DONE, 1.0, message
    job.finished_at = utcnow()
    # The file has served its purpose either way: an upload is not kept once read.
    db.session.execute(delete(JobFile).where(JobFile.job_id == job_id))
    db.session.commit()


def run_pending() -> int:
    """Run every job on the queue now, in this process; returns how many ran."""
    count = 0
    while (task := queue.dequeue()) is not None:
        queue.execute(task)
        count += 1
    return count


def start_worker_thread(poll_seconds: float = 1.0) -> threading.Thread:
    """A daemon thread that runs queued jobs, for the development server (`serve`)."""
    def work() -> None:
        while True:
            try:
                if not run_pending():
                    time.sleep(poll_seconds)
            except Exception:
                log.exception("the job thread hit an error; it carries on")
                time.sleep(poll_seconds)

    thread = threading.Thread(target=work, name="pivot-jobs", daemon=True)
    thread.start()
    return thread
