"""What the journal's entries that are not steps of a route are called. A step's labels are
the step's own (``actions.py``), a state's are the state's (``states.py``); ``action_label``
and ``state_label`` answer for all of them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.cases.states import state_label
from grants.workflow.actions import ACTIONS

__all__ = ["EVENT_LABELS", "ROUTE_NAMES", "action_label", "route_label", "state_label"]

# Entries the system or a page writes in the journal besides the route's steps.
EVENT_LABELS = {
    "created": _l("Kladde oprettet"),
    "letter_issued": _l("Brev udstedt"),
    "payment_recorded": _l("Udbetaling registreret"),
    "payment_line_withdrawn": _l("Udbetaling tilbagekaldt"),
    "report_reminder": _l("Påmindelse om rapport og regnskab"),
    "case_file_exported": _l("Sagens akter udtrukket (aktindsigt)"),
    "document_received": _l("Dokument modtaget"),
    "document_withdrawn": _l("Dokument trukket tilbage før indsendelse"),
    "refund_recorded": _l("Tilbagebetaling registreret"),
    "interest_found": _l("Inhabilitet fundet af systemet"),
    "interest_declared": _l("Inhabilitet erklæret"),
    "interest_ruled": _l("Udvalgets afgørelse om inhabilitet"),
    "postponed_without_quorum": _l("Udsat: udvalget var ikke beslutningsdygtigt"),
    "withdrawn_from_agenda": _l("Taget af udvalgets dagsorden"),
    "substitute_called": _l("Stedfortræder indkaldt"),
    "late_item_objection": _l("Indsigelse mod et punkt optaget efter udsendelsen"),
    "late_item_objection_withdrawn": _l("Indsigelse trukket tilbage"),
    "late_item_urgent": _l("Sagen haster: afgøres trods indsigelse"),
    "meeting_moved": _l("Udvalgets møde flyttet"),
    "budget_year_moved": _l("Flyttet til næste års budget"),
    "budget_year_changed": _l("Budgetår ændret med rejsens datoer"),
    "representative_removed": _l("Ny kontaktperson for organisationen"),
    "manager_changed": _l("Ny leder skal anbefale"),
    "manager_lost_role": _l("Sagen mangler en leder"),
    "route_version_changed": _l("Flyttet til en nyere version af sagsgangen"),
    "digital_post_sent": _l("Sendt med Digital Post"),
    "digital_post_attempt_failed": _l("Digital Post fejlede"),
    "digital_post_delivered": _l("Leveret med Digital Post"),
    "digital_post_failed_after_sending": _l("Digital Post fejlede efter afsendelse"),
    "letter_sealed_without_timestamp": _l("Brev forseglet uden tidsstempel"),
    "letter_emailed": _l("Brev sendt som sikkert link"),
    "letter_to_print": _l("Brev skal printes"),
    "letter_opened_by_link": _l("Brev åbnet via sikkert link"),
    "letter_printed": _l("Brev printet og sendt"),
    "journalised": _l("Journaliseret i ESDH"),
    "journalisation_failed": _l("Journalisering i ESDH fejlede"),
    "complaint_forwarded": _l("Klage videresendt til klageinstansen"),
    "complaint_decided": _l("Klageinstansens afgørelse"),
    "message_sent": _l("Besked"),
    "internal_note": _l("Internt notat"),
    "reply_read": _l("Ansøgerens svar læst"),
}


# The names of the routes shipped in grants/workflow/routes (each file's ``name``), for the
# administrator's pages in every language. A route file with another name (a municipality's
# own) shows its name as written.
ROUTE_NAMES = {
    "Studierejse: leder, screening, afgørelse": _l("Studierejse: leder, screening, afgørelse"),
    "Screening og afgørelse (uden lederanbefaling)": _l(
        "Screening og afgørelse (uden lederanbefaling)"
    ),
    "Udvalgsbehandling: screening, dagsorden, udvalgets afgørelse": _l(
        "Udvalgsbehandling: screening, dagsorden, udvalgets afgørelse"
    ),
    "Sekretariatet planlægger, ledelsen godkender": _l(
        "Sekretariatet planlægger, ledelsen godkender"
    ),
}


def route_label(name: str) -> str:
    """A route's name in the reader's language (``ROUTE_NAMES``), else as written."""
    return str(ROUTE_NAMES.get(name, name))


def action_label(action: str, for_applicant: bool = False, role: str | None = None) -> str:
    """A step's or a journal entry's name, as staff or as the applicant reads it (``role``:
    the role the route gave the step, for a label that names who took it)."""
    if action in ACTIONS:
        return ACTIONS[action].label_for(for_applicant, role)
    return str(EVENT_LABELS.get(action, action))


def names_who_took_it(action: str) -> bool:
    """Whether the applicant's label of ``action`` depends on the role that took it."""
    return action in ACTIONS and bool(ACTIONS[action].applicant_label_by_role)
