"""What the budgets tell the packages above them (grants.core.events)."""

from grants.core.events import signal

budget_year_moved = signal(
    "budgets.budget-year-moved",
    """Closing a fund's year moved a case that waited for a decision on to a later budget
    year. Sender: the application (``budget_year_moved_to`` already set). Keywords: ``year``
    (the closed year), ``to`` (the year it waits in now) and ``actor`` (the User closing,
    or None). The case's journal records it (grants.workflow.journal).""",
)
