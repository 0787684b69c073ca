"""The outbox: a message is rendered in its recipient's language and queued in the request's
transaction; ``grants.notifications.sender`` sends it after the commit.

Who is told what is decided above: the e-mails a step causes by ``grants.workflow.mails``,
the other packages' by their subscribers (``grants.notifications.subscribers``) or their
own operations."""

from __future__ import annotations

from flask import g, render_template
from flask_babel import force_locale

from grants.extensions import db
from grants.notifications.models import OutboxMessage


def queue_mail(
    recipient, subject_template: str, body_template: str, application=None, **context
) -> OutboxMessage | None:
    """Render a message in the recipient's language and put it in the outbox."""
    return queue_mail_in(None, recipient, subject_template, body_template, application, **context)


def queue_mail_in(
    locale: str | None,
    recipient,
    subject_template: str,
    body_template: str,
    application=None,
    **context,
) -> OutboxMessage | None:
    """``queue_mail`` in ``locale`` (the recipient's if None): a message that follows up an
    earlier one in that one's language (an invitation's cancellation in the invitation's)."""
    if recipient is None or not recipient.email:
        return None
    with force_locale(locale or recipient.locale or "da"):
        subject = render_template(
            subject_template, recipient=recipient, application=application, **context
        ).strip()
        body = render_template(
            body_template, recipient=recipient, application=application, **context
        )
    message = OutboxMessage(
        application_id=application.id if application is not None else None,
        recipient_id=recipient.id,
        to_address=recipient.email,
        subject=" ".join(subject.split()),
        body=body,
    )
    db.session.add(message)
    g.setdefault("outbox", []).append(message)
    return message
