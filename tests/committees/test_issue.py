"""Issuing a meeting's decisions together: N cases give exactly N letters, N reservations
and the applicants' e-mails; a failure in one leaves the others done and itself retryable,
and issuing again doubles nothing. Also with a real RQ worker against the local Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grants.budgets.models import BudgetEntry, EntryKind
from grants.committees.models import AgendaItem, Decision, IssueStatus
from grants.extensions import db
from grants.jobs import runner
from grants.jobs.models import Job, JobStatus
from grants.letters.models import Letter
from grants.notifications.models import OutboxMessage
from tests.committees.conftest import make_case, on_agenda, record_decision, record_grants
from tests.confirming import confirm
from tests.factories import make_user
from tests.html import page_text

ROOT = Path(__file__).resolve().parents[2]

N = 4


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _reservations():
    return _count(BudgetEntry, BudgetEntry.kind == EntryKind.RESERVATION)


def _mails_to_applicants(applicants):
    return _count(OutboxMessage, OutboxMessage.recipient_id.in_([a.id for a in applicants]))


def _decided_meeting(client, auth, cw, n=N, broken: int | None = None):
    applicants, cases = [], []
    for i in range(n):
        applicant = make_user(name=f"Ansøger {i}")
        overrides = {"return_date": None} if i == broken else {}
        cases.append(make_case(cw, applicant, amount=5000 + i, **overrides))
        applicants.append(applicant)
    items = on_agenda(cw, cases)  # all on the agenda before the meeting is held
    record_grants(client, auth, cw, items)
    return applicants, items


def test_n_decisions_give_n_letters_reservations_and_mails(client, auth, cw):
    applicants, items = _decided_meeting(client, auth, cw)
    mails_before = _mails_to_applicants(applicants)
    response = confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    assert response.status_code == 302
    db.session.expire_all()
    assert _count(Letter, Letter.kind == "decision") == N
    assert _reservations() == N
    assert _mails_to_applicants(applicants) - mails_before == N
    assert all(i.issue_status == IssueStatus.ISSUED for i in items)
    job = db.session.get(Job, cw.meeting.job_id)
    assert (job.status, job.total, job.done, job.failed) == (JobStatus.DONE, N, N, 0)
    # The progress as the page's script reads it.
    data = client.get(f"/udvalg/moeder/{cw.meeting.id}/job.json").get_json()
    assert data["done"] == N and data["finished"] is True
    # Issuing again has nothing to issue, and running the old job again makes nothing.
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 422
    job.status = JobStatus.QUEUED
    db.session.commit()
    runner.run(job.id)
    assert _count(Letter, Letter.kind == "decision") == N
    assert _reservations() == N


def test_one_failure_leaves_the_others_done_and_is_retried_without_doubling(client, auth, cw):
    applicants, items = _decided_meeting(client, auth, cw, broken=1)
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    db.session.expire_all()
    broken = items[1]
    assert broken.issue_status == IssueStatus.FAILED
    assert "hjemrejsedato" in broken.failure_reason
    assert broken.application.state == "on_agenda"
    assert [i.issue_status for i in items if i is not broken] == [IssueStatus.ISSUED] * (N - 1)
    assert _count(Letter, Letter.kind == "decision") == N - 1
    assert _reservations() == N - 1
    job = db.session.get(Job, cw.meeting.job_id)
    assert (job.status, job.done, job.failed) == (JobStatus.FAILED, N - 1, 1)
    assert job.results[str(broken.id)]["status"] == "failed"
    page = client.get(f"/udvalg/moeder/{cw.meeting.id}")
    assert "hjemrejsedato" in page_text(page)
    mails = _mails_to_applicants(applicants)

    # The caseworker gets the return date; the secretary issues again: only the failed one.
    broken.application.return_date = broken.application.departure_date
    db.session.commit()
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    db.session.expire_all()
    assert broken.issue_status == IssueStatus.ISSUED and broken.failure_reason == ""
    assert _count(Letter, Letter.kind == "decision") == N
    assert _reservations() == N
    assert _mails_to_applicants(applicants) == mails + 1
    retry = db.session.get(Job, cw.meeting.job_id)
    assert (retry.total, retry.done, retry.failed) == (1, 1, 0)


def test_the_reservations_never_overspend_the_committee_fund(client, auth, cw):
    # 65,000 kr. a year: three cases of 30,000 kr.; the third does not fit and fails alone.
    items = []
    for _i in range(3):
        application = make_case(cw, make_user(), amount=30000)
        items.append(on_agenda(cw, application))
    auth.login(cw.chair)
    for item in items:
        record_decision(client, item)
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    db.session.expire_all()
    statuses = [i.issue_status for i in items]
    assert statuses.count(IssueStatus.ISSUED) == 2
    assert statuses.count(IssueStatus.FAILED) == 1
    assert _reservations() == 2


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    pytest.importorskip("rq")
    connection = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379: the RQ runner is not tested")
    return connection


def test_a_real_rq_worker_issues_them(app, client, auth, cw, database_url):
    """The worker as docs/deployment.md runs it (``rq worker --worker-class
    grants.worker.Worker``): a process of its own that loads the app once and forks a work
    horse for each part of the job."""
    connection = _redis_or_skip()
    from rq import Queue

    queue_name = f"grants-test-{uuid.uuid4().hex[:8]}"
    app.config.update(
        JOBS_MODE="rq",
        REDIS_URL="redis://127.0.0.1:6379/15",
        RQ_QUEUE=queue_name,
        # Two workers share the meeting: each takes every other case.
        JOBS_PARALLEL=2,
        JOBS_WORKER_CONFIG={
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAIL_FOLDER": app.config["MAIL_FOLDER"],
        },
    )
    applicants, items = _decided_meeting(client, auth, cw, n=3, broken=2)
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    queue = Queue(queue_name, connection=connection)
    try:
        assert queue.count == 2  # two parts waiting for the workers; nothing issued yet
        db.session.expire_all()
        assert _count(Letter) == 0
        worker = subprocess.run(
            [str(Path(sys.executable).parent / "rq"), "worker", "--burst", "--worker-class",
             "grants.worker.Worker", "--url", "redis://127.0.0.1:6379/15", queue_name],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert worker.returncode == 0, worker.stderr[-2000:]
        db.session.expire_all()
        assert [db.session.get(AgendaItem, i.id).issue_status for i in items] == [
            IssueStatus.ISSUED,
            IssueStatus.ISSUED,
            IssueStatus.FAILED,
        ]
        assert _count(Letter, Letter.kind == "decision") == 2
        assert _reservations() == 2
        job = db.session.get(Job, cw.meeting.job_id)
        assert (job.status, job.done, job.failed) == (JobStatus.FAILED, 2, 1)
        assert items[0].decision == Decision.GRANT
    finally:
        queue.delete(delete_jobs=True)


def test_the_default_runner_issues_in_a_background_thread(app, client, auth, cw):
    import time

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite://") and (
        app.config["SQLALCHEMY_DATABASE_URI"] in ("sqlite://", "sqlite:///:memory:")
    ):
        pytest.skip("an in-memory database is not shared with a thread")
    app.config["JOBS_MODE"] = "thread"
    _applicants, items = _decided_meeting(client, auth, cw, n=2)
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    job_id = cw.meeting.job_id
    for _ in range(300):
        db.session.rollback()  # see the thread's commits
        if db.session.get(Job, job_id).finished:
            break
        time.sleep(0.1)
    job = db.session.get(Job, job_id)
    assert (job.status, job.done) == (JobStatus.DONE, 2)
    assert _count(Letter, Letter.kind == "decision") == 2


def test_two_confirmations_at_once_start_one_job(client, auth, cw, database_url):
    """A double click on "Bekræft og udsend", or two secretaries at once: both requests see
    no job before either has committed. The one that commits first starts the job; the other
    is refused and adds none, so the meeting page follows the job that does the work."""
    from sqlalchemy import create_engine, insert

    from grants.committees import operations as ops
    from grants.committees.models import Meeting
    from grants.core.errors import DomainError

    _decided_meeting(client, auth, cw, n=2)
    meeting = db.session.get(Meeting, cw.meeting.id)
    assert ops.check_issue(meeting, cw.secretary)  # this request sees no job
    other = create_engine(database_url)  # the other request, committed meanwhile
    with other.begin() as connection:
        first = connection.execute(
            insert(Job)
            .values(kind="committee_issue", payload={}, total=2, results={})
            .returning(Job.id)
        ).scalar_one()
        connection.execute(
            Meeting.__table__.update().where(Meeting.id == meeting.id).values(job_id=first)
        )
    other.dispose()

    with pytest.raises(DomainError, match="ved at blive udsendt"):
        ops.start_issue(meeting, cw.secretary)
    db.session.rollback()

    assert db.session.get(Meeting, meeting.id).job_id == first
    assert _count(Job) == 1
