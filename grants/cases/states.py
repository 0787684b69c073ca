"""The states a case can be in: the one vocabulary the routes (routes/*.toml) are written in,
with what each state is called for staff and for the applicant.

Code outside the workflow names a state as ``State.GRANTED``, never as a string, and the
templates do the same through the template global ``State``; ``tests/workflow/test_states``
fails on a new literal. The loader refuses a route with a state that is not here.
"""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l


class State(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_ENDORSEMENT = "awaiting_endorsement"
    SCREENING = "screening"
    AWAITING_INFORMATION = "awaiting_information"
    AWAITING_DECISION = "awaiting_decision"
    ON_AGENDA = "on_agenda"  # on a committee's agenda for its decision
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"  # a grant cancelled by the caseworker before anything was paid
    REPORT_SUBMITTED = "report_submitted"
    REPORT_RETURNED = "report_returned"
    REPORT_ON_AGENDA = "report_on_agenda"
    SETTLED = "settled"  # the report and accounts approved, the final amount paid
    # The applicant asked for the decision to be reconsidered (genoptagelse); the decider
    # makes a new decision, whose letter replaces the one before.
    RECONSIDERATION = "reconsideration"
    # A committee's decision asked reconsidered: back on a meeting's agenda, where the
    # committee decides again (the caseworker prepares it, as for a first decision).
    RECONSIDERATION_ON_AGENDA = "reconsideration_on_agenda"


# The states of a grant that is given and not yet settled: the trip report is due.
GRANTED_STATES = (State.GRANTED, State.PARTLY_GRANTED)

# Sent and not yet decided (with the manager, screened, waiting for information or for the
# decision, on a committee's agenda): a departure that passes in one of these leaves the trip
# without a decision ("afrejse passeret").
UNDECIDED_STATES = frozenset(
    {
        State.AWAITING_ENDORSEMENT,
        State.SCREENING,
        State.AWAITING_INFORMATION,
        State.AWAITING_DECISION,
        State.ON_AGENDA,
    }
)


def departure_passed(state: str, departure: dt.date | None, today: dt.date) -> bool:
    """The trip has begun (its departure day is before ``today``) while the case is still
    undecided: the municipality can still decide, but a grant then covers a trip already made."""
    return state in UNDECIDED_STATES and departure is not None and departure < today


def draft_departure_passed(state: str, departure: dt.date | None, today: dt.date) -> bool:
    """A draft whose departure day is before ``today``: it cannot be sent as it is (an
    application is sent before the trip; ``check_trip_dates`` refuses the date)."""
    return state == State.DRAFT and departure is not None and departure < today


def departure_passed_unanswered(state: str, departure: dt.date | None, today: dt.date) -> bool:
    """The applicant side's lists tag both: undecided at the departure, or never sent."""
    return departure_passed(state, departure, today) or draft_departure_passed(
        state, departure, today
    )


STATE_LABELS = {
    State.DRAFT: _l("Kladde"),
    State.AWAITING_ENDORSEMENT: _l("Afventer lederens anbefaling"),
    State.SCREENING: _l("Til screening"),
    State.AWAITING_INFORMATION: _l("Afventer supplerende oplysninger"),
    State.AWAITING_DECISION: _l("Afventer afgørelse"),
    State.GRANTED: _l("Bevilget"),
    State.PARTLY_GRANTED: _l("Delvist bevilget"),
    State.REFUSED: _l("Afslået"),
    State.WITHDRAWN: _l("Trukket tilbage"),
    State.REPORT_SUBMITTED: _l("Rapport og regnskab indsendt"),
    State.REPORT_RETURNED: _l("Rapport og regnskab sendt tilbage"),
    State.SETTLED: _l("Afsluttet"),
    State.CANCELLED: _l("Bevilling annulleret"),
    State.ON_AGENDA: _l("På udvalgets dagsorden"),
    State.REPORT_ON_AGENDA: _l("Rapport og regnskab på udvalgets dagsorden"),
    State.RECONSIDERATION: _l("Anmodet om genoptagelse"),
    State.RECONSIDERATION_ON_AGENDA: _l("Genoptagelse på udvalgets dagsorden"),
}

# What the applicant is told; where missing, the staff label is used.
APPLICANT_STATE_LABELS = {
    State.AWAITING_ENDORSEMENT: _l("Sendt til din leder"),
    State.SCREENING: _l("Under behandling"),
    State.AWAITING_INFORMATION: _l("Vi mangler oplysninger fra dig"),
    State.AWAITING_DECISION: _l("Under behandling"),
    State.ON_AGENDA: _l("Under behandling"),
    State.REPORT_ON_AGENDA: _l("Rapport og regnskab under behandling"),
    State.REPORT_RETURNED: _l("Ret rapport og regnskab"),
    State.RECONSIDERATION: _l("Din anmodning om genoptagelse behandles"),
    State.RECONSIDERATION_ON_AGENDA: _l("Din anmodning om genoptagelse behandles"),
}

# The states of a decided case asked reconsidered: a decision now replaces the one in force
# (grants.applications.operations.take_decision moves the ledger by the difference only).
RECONSIDERING_STATES = (State.RECONSIDERATION, State.RECONSIDERATION_ON_AGENDA)


def state_label(state: str, for_applicant: bool = False) -> str:
    if for_applicant and state in APPLICANT_STATE_LABELS:
        return str(APPLICANT_STATE_LABELS[state])
    return str(STATE_LABELS.get(state, state))


# Steps that reopen a decided case, possible at any time (reconsideration, genoptagelse):
# a state left only by them is still a closed case's (the privacy purge's "closed").
REOPENING_ACTIONS = frozenset({"request_reconsideration"})
