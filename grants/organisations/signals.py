"""What the organisations tell the packages above them (grants.core.events)."""

from grants.core.events import signal

representative_removed = signal(
    "organisations.representative-removed",
    """A person no longer acts for the organisation, and a case of the organisation that
    named them as its contact person now names another member. Sender: the application
    (``applicant`` already the new contact). Keywords: ``removed`` (the User who left or was
    removed), ``contact`` (the User the case names now) and ``actor`` (the User who removed
    them: themselves, another member or the secretariat). The case's journal records it
    (grants.workflow.journal).""",
)
