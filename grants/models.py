"""Every model, imported in one place so Alembic and the relationships see them all."""

from grants.administration.models import GroupRoleMapping  # noqa: F401
from grants.api.models import ApiIdempotentAnswer, ApiToken  # noqa: F401
from grants.audit import listeners  # noqa: F401  - the audit trail's flush listener
from grants.audit.models import AuditEvent, AuditPersonalValue  # noqa: F401
from grants.budgets.models import BudgetEntry, register_waiting_listeners  # noqa: F401
from grants.cases.models import (  # noqa: F401
    Application,
    Attachment,
    BudgetLine,
    Complaint,
    YouthSubsidy,
)
from grants.committees.models import (  # noqa: F401
    AgendaItem,
    Committee,
    CommitteeMembership,
    InterestDeclaration,
    LateItemObjection,
    Meeting,
    MeetingAttendance,
)
from grants.core.models import Municipality  # noqa: F401
from grants.delivery.models import LetterDelivery  # noqa: F401
from grants.drafts.models import FormDraft  # noqa: F401
from grants.esdh.models import Journalisation  # noqa: F401
from grants.funds.models import Fund, FundBoardMember  # noqa: F401
from grants.jobs.models import Job  # noqa: F401
from grants.letters.models import Letter, LetterText  # noqa: F401
from grants.messages.models import CaseMessage  # noqa: F401
from grants.nemlogin.models import UsedAssertion  # noqa: F401
from grants.notifications.models import OutboxMessage  # noqa: F401
from grants.organisations.models import Invitation, Membership, Organisation  # noqa: F401
from grants.partners.models import PartnerCity  # noqa: F401
from grants.payments.models import PaymentBatch, PaymentBatchLine  # noqa: F401
from grants.people.models import User, UserRole  # noqa: F401
from grants.questions.models import FormVersion, Question  # noqa: F401
from grants.reports.models import (  # noqa: F401
    AccountLine,
    ReminderLog,
    ReminderRun,
    ReminderSetting,
    TripReport,
)
from grants.reports.processing import register_processing_listeners
from grants.subsidies.models import RuleSet  # noqa: F401
from grants.workflow.models import JournalEntry, Route, Transition  # noqa: F401
from grants.workflow.waits_for import keep_waits_for

# The budgets' totals of the applications waiting for a decision follow every application.
register_waiting_listeners(Application)
# ... and so do the counts behind the processing times, every application and trip report.
register_processing_listeners()
# ... and from which day each case waits for whose step (the work queue, the menu, the tasks).
keep_waits_for()
