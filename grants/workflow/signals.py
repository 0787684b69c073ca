"""What the workflow tells the packages that act on a step (grants.core.events).

Subscribers: the e-mails a step causes (``grants.workflow.mails``). The step's own journal
entry is written by the engine, and its audit event by the audit trail's flush listener
(``JournalEntry.__audit__``); the budgets' running totals follow the application's row
(``grants.budgets.models``), so none of them is called by the engine.
"""

from grants.core.events import signal

step_taken = signal(
    "workflow.step-taken",
    """A case moved along a transition of its route. Sender: the application, already in
    its new state. Keywords: ``transition`` (the Transition taken), ``actor`` (the User),
    ``comment`` (str), ``from_state`` (str) and ``entry`` (the JournalEntry recorded).""",
)
