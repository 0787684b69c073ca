"""Running jobs after the request that made them has committed.

``submit`` marks a job to start; ``start_pending`` (called by the request's commit hook)
starts it:

* ``JOBS_MODE = "sync"``: at once, in the request's thread (tests);
* with ``REDIS_URL`` set (or ``JOBS_MODE = "rq"``): on an RQ queue, for ``rq worker``; a
  parallel kind (a meeting's letters) is split into one part per core (``JOBS_PARALLEL``),
  each part taking every n-th item, so the workers render letters on every core;
* otherwise: in a background thread of the web process.

A handler gets the job and works through its items, each in its own transaction, recording
each item's result on the job (see grants.committees.issuing). Nothing is ever made twice,
even when a part runs twice or a job restarted after dying (``restart_stalled``) meets a slow
run of itself: handlers skip done items under a row lock, and the counts are those of the
results, one per item, recorded under a lock on the job's row.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import threading
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import func, select, update

from grants.core import clock
from grants.extensions import db
from grants.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[..., None]] = {}
# Kinds whose items may be shared among several workers at once (each part takes every
# n-th item): a meeting's letters are rendered on every core the workers have.
PARALLEL: set[str] = set()
# The modules whose @handler functions run jobs: imported before a job runs, so a worker
# process knows every kind whatever the app imported so far.
HANDLER_MODULES = (
    "grants.committees.issuing",
    "grants.reports.reminders",
    "grants.delivery.operations",
    "grants.delivery.statuses",
    "grants.esdh.operations",
)


def handler(kind: str, *, parallel: bool = False):
    """Register the function that runs jobs of ``kind``: called with the job, and with
    ``part`` and ``parts`` when ``parallel`` (it then does items[part::parts])."""

    def register(function: Callable[..., None]):
        HANDLERS[kind] = function
        if parallel:
            PARALLEL.add(kind)
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
        parts = _parts(job_id)
        for part in range(parts):
            enqueue_rq(job_id, part=part, parts=parts)
    else:
        app = current_app._get_current_object()
        # The e-mails link to the case: the thread builds URLs for the host asked.
        base_url = request.host_url if has_request_context() else None
        threading.Thread(target=_run_in_thread, args=(app, job_id, base_url), daemon=True).start()


def _parts(job_id: int) -> int:
    """How many workers share the job: one per core of the workers (JOBS_PARALLEL, by
    default this machine's cores), never more than its items."""
    job = db.session.get(Job, job_id)
    return 1 if job is None else _split(job.kind, job.total)


def _split(kind: str, total: int | None) -> int:
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    if kind not in PARALLEL:
        return 1
    wanted = current_app.config.get("JOBS_PARALLEL") or os.cpu_count() or 1
    return max(1, min(wanted, total or 1))


def parts_for(kind: str, total: int) -> int:
    """How many parts a job of ``kind`` with ``total`` items would be split into if it were
    started now (1 unless it goes to the RQ workers): for a preview of what it will do."""
    return _split(kind, total) if mode() == "rq" else 1


def enqueue_rq(job_id: int, queue_name: str | None = None, *, part: int = 0, parts: int = 1):
    from redis import Redis
    from rq import Queue

    config = current_app.config
    queue = Queue(
        queue_name or config["RQ_QUEUE"],
        connection=Redis.from_url(config["REDIS_URL"]),
    )
    return queue.enqueue(
        "grants.worker.run_in_worker",  # builds its own app: the app layer
        job_id,
        config["JOBS_WORKER_CONFIG"],
        part,
        parts,
        job_timeout=3600,
    )


def _run_in_thread(app: Flask, job_id: int, base_url: str | None = None) -> None:
    context = app.test_request_context("/", base_url=base_url) if base_url else app.app_context()
    with context:
        try:
            run(job_id)
        finally:
            db.session.remove()


def run(job_id: int, *, part: int = 0, parts: int = 1) -> Job | None:
    """Run the job (or one part of it) unless it has finished; the handler commits item by
    item. Running a part twice, or a restarted job beside a slow one, makes nothing twice:
    the handlers skip done items under a row lock, and the counts are those of the results,
    one per item."""
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
        .values(
            status=JobStatus.RUNNING,
            started_at=func.coalesce(Job.started_at, clock.now()),
            heartbeat_at=clock.now(),
        )
    ).rowcount
    db.session.commit()
    job = db.session.get(Job, job_id)
    if not claimed or job is None:
        return job
    db.session.refresh(job)
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    try:
        if job.kind in PARALLEL:
            HANDLERS[job.kind](job, part=part, parts=parts)
        else:
            HANDLERS[job.kind](job)
    except Exception as exc:  # the handler's own failures are per item; this is a bug
        log.exception("job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(Job, job_id, with_for_update=True)
        job.error = str(exc)[:500]
        job.status = JobStatus.FAILED
        job.finished_at = clock.now()
        db.session.commit()
        return job
    return _finish_if_complete(job_id)


def _finish_if_complete(job_id: int) -> Job:
    """The last part to finish marks the job done (or failed, if an item failed)."""
    db.session.rollback()
    job = db.session.get(Job, job_id, with_for_update=True)
    if job.status == JobStatus.RUNNING and len(job.results or {}) >= job.total:
        job.status = JobStatus.FAILED if job.failed else JobStatus.DONE
        job.finished_at = clock.now()
    db.session.commit()
    return job


def record_result(job: Job, item_id: int, error: str | None) -> None:
    """Count one item as done or failed (the caller commits). The job's row is locked and
    read afresh first: several workers may be recording on it."""
    db.session.refresh(job, with_for_update=True)
    results = dict(job.results or {})
    if error is None:
        results[str(item_id)] = {"status": "done"}
    else:
        results[str(item_id)] = {"status": "failed", "error": error}
    job.results = results
    job.done = sum(1 for r in results.values() if r["status"] == "done")
    job.failed = len(results) - job.done
    job.heartbeat_at = clock.now()


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
