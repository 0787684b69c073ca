"""The minutes (beslutningsprotokol) of a meeting as an archival PDF, made with the letters'
renderer when the meeting is closed."""

from __future__ import annotations

from flask import render_template

from grants.committees.labels import (
    AGENDA_KIND_LABELS,
    DECISION_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
)
from grants.committees.models import Meeting
from grants.core.models import Municipality
from grants.letters.render import create_pdf


def minutes_html(meeting: Meeting) -> str:
    committee = meeting.committee
    present = meeting.present_ids
    members = committee.voting_memberships(meeting.day)
    # The secretary is an official, not a member: named, never present or absent.
    officials = [m for m in committee.current_memberships(meeting.day) if m not in members]
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
        language="da",
    )


def make_minutes(meeting: Meeting) -> bytes:
    return create_pdf(minutes_html(meeting))
