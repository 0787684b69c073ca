"""What the letters tell the packages above them (grants.core.events)."""

from grants.core.events import signal

letter_issued = signal(
    "letters.letter-issued",
    """A letter was made and stored with its case. Sender: the application. Keywords:
    ``letter`` (the Letter, not yet flushed) and ``actor`` (the User who issued it). The
    case's journal records it (grants.workflow.journal).""",
)
