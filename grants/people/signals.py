"""What the people package tells the packages above it (grants.core.events). The e-mails
they cause are queued by ``grants.notifications.subscribers``; the audit trail records the
account events (``grants.audit.listeners``), so people imports neither."""

from grants.core.events import signal

signup_requested = signal(
    "people.signup-requested",
    """Someone asked to sign up with an address that has no account. Sender: the recipient
    (``id`` None, ``email``, ``locale``, ``name``). Keywords: ``link`` (where the sign-up
    goes on) and ``hours`` (how long the link is good).""",
)

signup_for_known_address = signal(
    "people.signup-for-known-address",
    """Someone asked to sign up with an address that already has an account. Sender: the
    account's recipient (``id``, ``email``, ``locale``, ``name``). Keywords: ``login_url``
    and ``contact`` (the municipality's address, may be empty).""",
)

account_event = signal(
    "people.account-event",
    """An event on a person's account (a code asked or refused, two-factor enabled, ...).
    Sender: the User. Keywords: ``action`` ("people.two_factor_enabled"), ``actor`` (the User
    who acted, or None) and ``details`` (dict). The audit trail records it.""",
)

manager_changed = signal(
    "people.manager-changed",
    """An employee's own manager changed (the administrator's page of the person). Sender:
    the employee (User). Keywords: ``old`` and ``new`` (the User each, or None) and
    ``actor`` (the User who changed it). The cases that wait for the manager's step go to
    the new manager (grants.workflow.rerouting).""",
)
