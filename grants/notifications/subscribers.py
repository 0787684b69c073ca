"""The e-mails that other packages' events cause, queued in the event's transaction (listed in
``grants.SUBSCRIBER_MODULES``). The e-mails of a case's steps are the workflow's own
(``grants.workflow.mails``)."""

from __future__ import annotations

from grants.notifications.operations import queue_mail
from grants.people.signals import signup_for_known_address, signup_requested


@signup_requested.connect
def _signup_link(recipient, *, link: str, hours: int, **_facts) -> None:
    queue_mail(
        recipient,
        "people/mail/signup_subject.txt",
        "people/mail/signup.txt",
        link=link,
        hours=hours,
    )


@signup_for_known_address.connect
def _signup_known(recipient, *, login_url: str, contact: str, **_facts) -> None:
    queue_mail(
        recipient,
        "people/mail/signup_known_subject.txt",
        "people/mail/signup_known.txt",
        login_url=login_url,
        contact=contact,
    )
