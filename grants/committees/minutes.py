"""The minutes (beslutningsprotokol) of a meeting as an archival PDF, made with the letters'
renderer when the meeting is closed."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from grants.committees.labels import (
    AGENDA_KIND_LABELS,
    DECISION_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    interest_reason,
)
from grants.committees.models import Meeting
from grants.core.models import Municipality
from grants.letters.render import create_pdf


def minutes_html(meeting: Meeting, purged: set[int] = frozenset()) -> str:
    """``purged``: the cases whose personal data is being deleted now; with the cases
    deleted before (the journal says), their items say so in place of the texts."""
    from grants.core import clock

    committee = meeting.committee
    present = meeting.present_ids
    members = committee.voting_memberships(meeting.day)
    # The secretary is an official, not a member: named, never present or absent.
    officials = [m for m in committee.current_memberships(meeting.day) if m not in members]
    # The committee's record, in Danish whoever closes the meeting (it is stored once, with
    # its hash, marked lang="da"): never in the language the secretary happens to read.
    with force_locale("da"):
        return render_template(
            "committees/minutes_pdf.html",
            meeting=meeting,
            committee=committee,
            municipality=Municipality.current(),
            present=[m for m in members if m.user_id in present],
            absent=[m for m in members if m.user_id not in present],
            officials=officials,
            role_labels=ROLE_LABELS,
            decision_labels=DECISION_LABELS,
            kind_labels=AGENDA_KIND_LABELS,
            source_labels=SOURCE_LABELS,
            interest_reason=interest_reason,
            left_at={a.user_id: a.left_at for a in meeting.attendance if a.left_at is not None},
            gone_before=_gone_before,
            purged=_purged_on(meeting, purged, clock.today()),
            language="da",
        )


def _gone_before(item) -> list[str]:
    """The members present at the meeting who had left it before the item was decided."""
    staying = item.present_ids
    return sorted(a.user.name for a in item.meeting.attendance if a.user_id not in staying)


def _purged_on(meeting: Meeting, now_purged: set[int], today) -> dict:
    from sqlalchemy import func, select

    from grants.extensions import db
    from grants.workflow.models import JournalEntry

    ids = [item.application_id for item in meeting.items]
    if not ids:
        return {}
    found = {
        application_id: at.date()
        for application_id, at in db.session.execute(
            select(JournalEntry.application_id, func.max(JournalEntry.created_at))
            .where(
                JournalEntry.application_id.in_(ids),
                JournalEntry.action == "personal_data_purged",  # grants.privacy.operations
            )
            .group_by(JournalEntry.application_id)
        )
    }
    found.update({application_id: today for application_id in now_purged if application_id in ids})
    return found


def make_minutes(meeting: Meeting, purged: set[int] = frozenset()) -> bytes:
    return create_pdf(minutes_html(meeting, purged))
