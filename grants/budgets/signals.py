"""What the budgets tell the packages above them (grants.core.events)."""

from grants.core.events import signal

budget_year_moved = signal(
    "budgets.budget-year-moved",
    """Closing a fund's year moved a case that waited for a decision on to a later budget
    year. Sender: the application (``budget_year_moved_to`` already set). Keywords: ``year``
    (the closed year), ``to`` (the year it waits in now) and ``actor`` (the User closing,
    or None). The case's journal records it (grants.workflow.journal).""",
)

grant_lowering = signal(
    "budgets.grant-lowering",
    """A grant is about to be lowered on the ledger (released, or adjusted down: a
    settlement below the grant, a reconsidered decision, a grant given up or cancelled),
    under the fund's lock. Sender: the application. Keyword: ``leaves`` (what the grant will
    still have to pay, a Decimal). A subscriber that knows of money on its way to the
    recipient and not yet booked refuses the lowering with a DomainError when that money is
    more than ``leaves`` (grants.payments.subscribers: a line of a payment batch sent to the
    finance system and not yet confirmed), and nothing changes.""",
)
