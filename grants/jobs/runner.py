"""Running jobs after the request that made them has committed.

``submit`` marks a job to start; ``start_pending`` (called by the request's commit hook)
starts it:

* ``JOBS_MODE = "sync"``: at once, in the request's thread (tests);
* with ``REDIS_URL`` set (or ``JOBS_MODE = "rq"``): on an RQ queue, for ``rq worker``;
* otherwise: in a background thread of the web process.

A handler gets the job and works through its items, each in its own transaction, keeping
the job's counts (see grants.committees.issuing). A job is never started twice at once: the
runner takes it from "queued" to "running" with a conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import func, select, update

from grants.core import clock
from grants.extensions import db
from grants.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[Job], None]] = {}
# The modules whose @handler functions run jobs: imported before a job runs, so a worker
# process knows every kind whatever the app imported so far.
HANDLER_MODULES = ("grants.committees.issuing", "grants.reports.reminders")
RQ_QUEUE = "grants"


def handler(kind: str):
    def register(function: Callable[[Job], None]):
        HANDLERS[kind] = function
        return function

    return register


def create(kind: str, actor, payload: dict, total: int) -> Job:
    job = Job(
        kind=kind,
        payload=payload,
        total=total,
        created_by_id=actor.id if actor is not None else None,
        results={},
    )
    db.session.add(job)
    db.session.flush()
    return job


def submit(job: Job) -> None:
    """Start the job once the request has committed (see start_pending)."""
    g.setdefault("jobs_to_start", []).append(job.id)


def mode(app: Flask | None = None) -> str:
    config = (app or current_app).config
    if config.get("JOBS_MODE"):
        return config["JOBS_MODE"]
    return "rq" if config.get("REDIS_URL") else "thread"


def start_pending() -> None:
    for job_id in g.pop("jobs_to_start", []):
        start(job_id)


def start(job_id: int) -> None:
    how = mode()
    if how == "sync":
        run(job_id)
    elif how == "rq":
        enqueue_rq(job_id)
    else:
        app = current_app._get_current_object()
        # The e-mails link to the case: the thread builds URLs for the host asked.
        base_url = request.host_url if has_request_context() else None
        threading.Thread(target=_run_in_thread, args=(app, job_id, base_url), daemon=True).start()


def enqueue_rq(job_id: int, queue_name: str | None = None):
    from redis import Redis
    from rq import Queue

    config = current_app.config
    queue = Queue(
        queue_name or config.get("RQ_QUEUE", RQ_QUEUE),
        connection=Redis.from_url(config["REDIS_URL"]),
    )
    return queue.enqueue(
        "grants.jobs.runner.run_in_worker",
        job_id,
        config.get("JOBS_WORKER_CONFIG"),
        job_timeout=3600,
    )


def _run_in_thread(app: Flask, job_id: int, base_url: str | None = None) -> None:
    context = app.test_request_context("/", base_url=base_url) if base_url else app.app_context()
    with context:
        try:
            run(job_id)
        finally:
            db.session.remove()


def run_in_worker(job_id: int, config: dict | None = None) -> None:
    """The function an RQ worker runs: its own app, from the environment (or ``config``)."""
    from grants import create_app

    app = create_app(config)
    with app.app_context():
        try:
            run(job_id)
        finally:
            db.session.remove()
            db.engine.dispose()


def run(job_id: int) -> Job | None:
    """Run the job if it is queued; the handler commits item by item."""
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=clock.now(), heartbeat_at=clock.now())
    ).rowcount
    db.session.commit()
    job = db.session.get(Job, job_id)
    if not claimed or job is None:
        return job
    db.session.refresh(job)
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    try:
        HANDLERS[job.kind](job)
    except Exception as exc:  # the handler's own failures are per item; this is a bug
        log.exception("job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.error = str(exc)[:500]
        job.status = JobStatus.FAILED
        job.finished_at = clock.now()
        db.session.commit()
        return job
    job.status = JobStatus.FAILED if job.failed else JobStatus.DONE
    job.finished_at = clock.now()
    db.session.commit()
    return job


def record_result(job: Job, item_id: int, error: str | None) -> None:
    """Count one item as done or failed (the caller commits)."""
    results = dict(job.results or {})
    key = str(item_id)
    job.heartbeat_at = clock.now()
    if error is None:
        job.done += 1
        results[key] = {"status": "done"}
    else:
        job.failed += 1
        results[key] = {"status": "failed", "error": error}
    job.results = results


def restart_stalled(after: dt.timedelta, *, here: bool = False) -> list[int]:
    """Start again the jobs that died: running, with no item finished for ``after``. Their
    counts start from zero; the handlers skip what is already done (an issued agenda item, a
    logged reminder), so nothing is made twice and the counts come out right. ``here``: run
    them in this process (a command without RQ), else start them as usual. Commits."""
    limit = clock.now() - after
    stalled = db.session.scalars(
        select(Job.id).where(
            Job.status == JobStatus.RUNNING,
            func.coalesce(Job.heartbeat_at, Job.started_at) < limit,
        )
    ).all()
    restarted = []
    for job_id in stalled:
        # Conditional, as the claim is: of two runs of this at once, one restarts the job.
        moved = db.session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.status == JobStatus.RUNNING,
                func.coalesce(Job.heartbeat_at, Job.started_at) < limit,
            )
            .values(
                status=JobStatus.QUEUED,
                done=0,
                failed=0,
                results={},
                restarts=Job.restarts + 1,
            )
        ).rowcount
        if moved:
            restarted.append(job_id)
    db.session.commit()
    for job_id in restarted:
        log.warning("job %s had stalled: started again", job_id)
        if here:
            run(job_id)
        else:
            start(job_id)
    return restarted
