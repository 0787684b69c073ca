"""The job that issues a meeting's decisions: each agenda item in its own transaction.

An item that fails is rolled back alone, keeps the reason and can be issued again; one that
is issued is never issued twice (its status is committed with its letter and reservation,
and a case has one decision letter)."""

from __future__ import annotations

import logging

from flask import g
from flask_babel import force_locale
from flask_babel import gettext as _

from grants.committees.models import AgendaItem, IssueStatus
from grants.committees.operations import issue_item
from grants.core.errors import DomainError
from grants.extensions import db
from grants.jobs.models import Job
from grants.jobs.runner import handler, record_result, start_pending
from grants.notifications.sender import send_pending_of_request
from grants.people.models import User

log = logging.getLogger(__name__)


@handler("committee_issue", parallel=True)
def issue_meeting(job: Job, *, part: int = 0, parts: int = 1) -> None:
    # Outside the request (a thread, an RQ worker) the language would be Danish: why an item
    # failed is said in the language of whoever issued the meeting. The letters and e-mails
    # take their recipients' languages, the ledger and the journal their own, as ever.
    with force_locale(job.payload.get("locale") or "da"):
        _issue(job, part, parts)


def _issue(job: Job, part: int, parts: int) -> None:
    job_id = job.id
    for item_id in job.payload.get("items", [])[part::parts]:
        job = db.session.get(Job, job_id)
        actor = db.session.get(User, job.created_by_id)
        # Locked while it is issued: two jobs for one meeting never issue one item twice.
        item = db.session.get(AgendaItem, item_id, with_for_update=True)
        if item is None or item.issue_status == IssueStatus.ISSUED:
            record_result(job, item_id, None)  # already done: nothing made again
            db.session.commit()
            continue
        try:
            issue_item(item, actor)
            record_result(job, item_id, None)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            g.pop("outbox", None)  # the rolled-back item's e-mails are not sent
            g.pop("jobs_to_start", None)  # nor its letters by Digital Post (grants.delivery)
            if isinstance(exc, DomainError):
                message = exc.message
            else:
                log.exception("agenda item %s not issued", item_id)
                message = _("Teknisk fejl: %(error)s", error=str(exc)[:300])
            item = db.session.get(AgendaItem, item_id, with_for_update=True)
            if item.issue_status == IssueStatus.ISSUED:
                # Another run issued it meanwhile (a job restarted after dying, meeting a
                # slow run of itself): done, never reported as failed.
                message = None
            else:
                item.issue_status = IssueStatus.FAILED
                item.failure_reason = message
            record_result(db.session.get(Job, job_id), item_id, message)
            db.session.commit()
            continue
        send_pending_of_request()
        start_pending()  # the jobs the item made: its letter by Digital Post (grants.delivery)
