"""Queue the e-mails a step causes: to the people who act next, and to the applicant."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import force_locale

from grants.extensions import db
from grants.notifications.models import OutboxMessage


def queue_mail(
    recipient, subject_template: str, body_template: str, application=None, **context
) -> OutboxMessage | None:
    """Render a message in the recipient's language and put it in the outbox."""
    if recipient is None or not recipient.email:
        return None
    with force_locale(recipient.locale or "da"):
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


def notify_step(application, transition, actor, comment: str = "") -> None:
    from grants.workflow.engine import people_to_act

    case_url = url_for("applications.show", application_id=application.id, _external=True)
    for person in people_to_act(application):
        if person.id == application.applicant_id:
            continue  # the applicant gets the status message below, which says it is their turn
        queue_mail(
            person,
            "mail/your_turn_subject.txt",
            "mail/your_turn.txt",
            application=application,
            actor=actor,
            case_url=case_url,
        )
    if transition.visible_to_applicant:
        queue_mail(
            application.applicant,
            "mail/status_subject.txt",
            "mail/status.txt",
            application=application,
            actor=actor,
            transition=transition,
            comment=comment,
            case_url=case_url,
        )
