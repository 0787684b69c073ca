"""A job whose process dies is started again and finishes without doubling anything: the
items already done are skipped, the counts come out right. Reminders run as a job too."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from grants.budgets.models import BudgetEntry, EntryKind
from grants.committees.models import AgendaItem, IssueStatus
from grants.committees.operations import issue_item
from grants.core import clock
from grants.extensions import db
from grants.jobs import runner as jobs
from grants.jobs.models import Job, JobStatus
from grants.letters.models import Letter
from tests.committees.conftest import make_case, on_agenda, record_grants
from tests.factories import make_user


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_job_that_died_halfway_is_started_again_and_doubles_nothing(client, auth, cw):
    items = []
    for n in range(3):
        application = make_case(cw, make_user(name=f"Ansøger {n}"), amount=5000 + n)
        items.append(on_agenda(cw, application))
    record_grants(client, auth, cw, items)
    # The job ran its first item, then its process died: running, with an old heartbeat.
    job = jobs.create("committee_issue", cw.secretary, {"items": [i.id for i in items]}, 3)
    issue_item(db.session.get(AgendaItem, items[0].id), cw.secretary)
    jobs.record_result(job, items[0].id, None)
    job.status = JobStatus.RUNNING
    job.started_at = job.heartbeat_at = clock.now() - dt.timedelta(hours=1)
    db.session.commit()

    # Still within the time allowed: left alone.
    assert jobs.restart_stalled(dt.timedelta(hours=2), here=True) == []
    assert jobs.restart_stalled(dt.timedelta(minutes=15), here=True) == [job.id]

    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.status, job.done, job.failed, job.restarts) == (JobStatus.DONE, 3, 0, 1)
    assert [db.session.get(AgendaItem, i.id).issue_status for i in items] == [
        IssueStatus.ISSUED
    ] * 3
    assert count(Letter, Letter.kind == "decision") == 3
    assert count(BudgetEntry, BudgetEntry.kind == EntryKind.RESERVATION) == 3
    # Nothing stalled now: a second run restarts nothing.
    assert jobs.restart_stalled(dt.timedelta(minutes=0), here=True) == []


def test_the_commands_list_and_restart_jobs(app, runner, cw):
    job = jobs.create("reports_remind", None, {}, 0)
    job.status = JobStatus.RUNNING
    job.started_at = clock.now() - dt.timedelta(hours=1)
    db.session.commit()

    result = runner.invoke(args=["jobs", "restart-stalled", "--minutes", "10"])
    assert result.exit_code == 0, result.output
    assert f"started again: [{job.id}]" in result.output
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.DONE  # the reminders job ran here
    listing = runner.invoke(args=["jobs", "list"]).output
    assert "reports_remind" in listing and "restarted 1x" in listing
