from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.committees.models import (
    AgendaKind,
    CommitteeKind,
    Decision,
    InterestDeclaration,
    InterestSource,
    IssueStatus,
    MeetingState,
    MemberRole,
    QuorumRule,
    WithoutQuorum,
)

KIND_LABELS = {
    CommitteeKind.STANDING: _l("Stående udvalg"),
    CommitteeKind.FINANCE: _l("Økonomiudvalget"),
    CommitteeKind.COUNCIL: _l("Kommunalbestyrelsen"),
}
ROLE_LABELS = {
    MemberRole.MEMBER: _l("medlem"),
    MemberRole.CHAIR: _l("formand"),
    MemberRole.SECRETARY: _l("sekretær"),
}
MEETING_STATE_LABELS = {
    MeetingState.PLANNED: _l("Planlagt"),
    MeetingState.HELD: _l("Holdt"),
    MeetingState.MINUTES_APPROVED: _l("Beslutningsprotokol godkendt"),
    MeetingState.CANCELLED: _l("Aflyst"),
}
QUORUM_LABELS = {
    QuorumRule.AT_LEAST_HALF: _l("Mindst halvdelen af medlemmerne"),
    QuorumRule.MORE_THAN_HALF: _l("Mere end halvdelen af medlemmerne"),
}
WITHOUT_QUORUM_LABELS = {
    WithoutQuorum.POSTPONE: _l("Punktet udsættes til et senere møde"),
    WithoutQuorum.SUBSTITUTE: _l("En stedfortræder indkaldes"),
}
AGENDA_KIND_LABELS = {
    AgendaKind.DECISION: _l("Afgørelse"),
    AgendaKind.REPORT_APPROVAL: _l("Godkendelse af rapport og regnskab"),
}
DECISION_LABELS = {
    Decision.GRANT: _l("Bevil fuldt ud"),
    Decision.GRANT_PART: _l("Bevil delvist"),
    Decision.REFUSE: _l("Giv afslag"),
    Decision.POSTPONE: _l("Udsæt sagen"),
    Decision.APPROVE_REPORT: _l("Godkend rapport og regnskab"),
    Decision.RETURN_REPORT: _l("Send rapport og regnskab tilbage"),
}
ISSUE_LABELS = {
    IssueStatus.PENDING: _l("Ikke udsendt"),
    IssueStatus.ISSUED: _l("Udsendt"),
    IssueStatus.FAILED: _l("Fejlede"),
}
SOURCE_LABELS = {
    InterestSource.SYSTEM: _l("Fundet af systemet"),
    InterestSource.DECLARED: _l("Erklæret af medlemmet"),
}
# What the system finds (grants.committees.operations.find_interests), by whether the member
# is the applicant (else they act for the applying organisation).
FOUND_REASONS = {
    True: _l("Medlemmet er selv ansøger."),
    False: _l("Medlemmet handler for den ansøgende organisation."),
}


def interest_reason(declaration: InterestDeclaration) -> str:
    """A declaration's reason for its reader: the system's finding in the reader's language
    (it is kept in Danish, the committee's record, whoever put the case on the agenda), a
    member's own words as written; nothing once the personal data is purged."""
    if not declaration.reason:
        return ""
    if declaration.source == InterestSource.SYSTEM:
        own = declaration.user_id == declaration.agenda_item.application.applicant_id
        return str(FOUND_REASONS[own])
    return declaration.reason
