from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.committees.models import (
    AgendaKind,
    CommitteeKind,
    Decision,
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
