"""What states and actions are called, for staff and for the applicant."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATE_LABELS = {
    "draft": _l("Kladde"),
    "awaiting_endorsement": _l("Afventer lederens anbefaling"),
    "screening": _l("Til screening"),
    "awaiting_information": _l("Afventer supplerende oplysninger"),
    "awaiting_decision": _l("Afventer afgørelse"),
    "granted": _l("Bevilget"),
    "partly_granted": _l("Delvist bevilget"),
    "refused": _l("Afslået"),
    "withdrawn": _l("Trukket tilbage"),
    "report_submitted": _l("Rapport og regnskab indsendt"),
    "report_returned": _l("Rapport og regnskab sendt tilbage"),
    "settled": _l("Afsluttet"),
    "cancelled": _l("Bevilling annulleret"),
    "on_agenda": _l("På udvalgets dagsorden"),
    "report_on_agenda": _l("Rapport og regnskab på udvalgets dagsorden"),
}

# What the applicant is told; where missing, the staff label is used.
APPLICANT_STATE_LABELS = {
    "awaiting_endorsement": _l("Sendt til din leder"),
    "screening": _l("Under behandling"),
    "awaiting_information": _l("Vi mangler oplysninger fra dig"),
    "awaiting_decision": _l("Under behandling"),
    "on_agenda": _l("Under behandling"),
    "report_on_agenda": _l("Rapport og regnskab under behandling"),
    "report_returned": _l("Ret rapport og regnskab"),
}

ACTION_LABELS = {
    "submit": _l("Indsend ansøgning"),
    "endorse": _l("Anbefal"),
    "not_endorse": _l("Anbefal ikke"),
    "request_information": _l("Bed om flere oplysninger"),
    "resubmit": _l("Indsend igen"),
    "forward_for_decision": _l("Send til afgørelse"),
    "grant": _l("Bevil fuldt ud"),
    "grant_part": _l("Bevil delvist"),
    "refuse": _l("Giv afslag"),
    "withdraw": _l("Træk ansøgningen tilbage"),
    "created": _l("Kladde oprettet"),
    "letter_issued": _l("Brev udstedt"),
    "submit_report": _l("Indsend rapport og regnskab"),
    "return_report": _l("Send rapport og regnskab tilbage"),
    "approve_report": _l("Godkend rapport og regnskab"),
    "give_up_grant": _l("Giv afkald på bevillingen"),
    "payment_recorded": _l("Udbetaling registreret"),
    "report_reminder": _l("Påmindelse om rapport og regnskab"),
    "case_file_exported": _l("Sagens akter udtrukket (aktindsigt)"),
    "document_received": _l("Dokument modtaget"),
    "refund_recorded": _l("Tilbagebetaling registreret"),
    "cancel_grant": _l("Annullér bevillingen"),
    "put_on_agenda": _l("Sæt på udvalgets dagsorden"),
    "put_report_on_agenda": _l("Sæt rapport og regnskab på udvalgets dagsorden"),
    "postpone": _l("Udsæt sagen"),
    "interest_found": _l("Inhabilitet fundet af systemet"),
    "interest_declared": _l("Inhabilitet erklæret"),
    "interest_ruled": _l("Udvalgets afgørelse om inhabilitet"),
    "postponed_without_quorum": _l("Udsat: udvalget var ikke beslutningsdygtigt"),
    "substitute_called": _l("Stedfortræder indkaldt"),
    "budget_year_moved": _l("Flyttet til næste års budget"),
}

CASE_ROLE_LABELS = {
    "applicant": _l("Ansøger"),
    "manager": _l("Leder"),
    "caseworker": _l("Sagsbehandler"),
    "board_member": _l("Bestyrelsesmedlem"),
    "committee": _l("Udvalg"),
}


def state_label(state: str, for_applicant: bool = False) -> str:
    if for_applicant and state in APPLICANT_STATE_LABELS:
        return str(APPLICANT_STATE_LABELS[state])
    return str(STATE_LABELS.get(state, state))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
