"""What the letters tell the packages above them (grants.core.events)."""

from grants.core.events import signal

letter_issued = signal(
    "letters.letter-issued",
    """A letter was made and stored with its case. Sender: the application. Keywords:
    ``letter`` (the Letter, not yet flushed), ``actor`` (the User who issued it) and
    ``timestamp_missing`` (None, or why the seal has no timestamp: the authority did not
    answer and LETTER_SEAL_TIMESTAMP_WHEN_DOWN is "seal"). The case's journal records it
    (grants.workflow.journal).""",
)
