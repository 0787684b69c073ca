"""What the case's thread tells the packages above it (grants.core.events)."""

from grants.core.events import signal

message_written = signal(
    "messages.message-written",
    """A message, a request for information or an internal note was written on a case (a
    step's comment made a message included). Sender: the application. Keywords:
    ``message`` (the CaseMessage, flushed, with its files) and ``actor`` (the User who wrote
    it; None for a step without one). The ESDH journalises it with its files
    (grants.esdh.subscribers).""",
)
