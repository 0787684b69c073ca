"""Send what is in the outbox: over SMTP when MAIL_SERVER is set, else into a folder.

``send_pending_of_request`` runs after a request commits; ``flask mail send`` sends whatever
is still pending (e.g. after the mail server was down), and is safe to run from cron.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, g
from sqlalchemy import select

from grants.core import clock
from grants.extensions import db
from grants.notifications.models import OutboxMessage

log = logging.getLogger(__name__)


def build_message(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    return email


def deliver(emails: list[EmailMessage]) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        folder = Path(config["MAIL_FOLDER"])
        folder.mkdir(parents=True, exist_ok=True)
        for email in emails:
            name = email["Message-ID"].strip("<>").replace("@", "_") + ".eml"
            (folder / name).write_bytes(bytes(email))
            log.info("mail to %s written to %s: %s", email["To"], folder / name, email["Subject"])
        return
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for email in emails:
            smtp.send_message(email)


def send(messages: list[OutboxMessage]) -> int:
    """Send ``messages`` and mark them sent; on failure leave them pending. Commits."""
    if not messages:
        return 0
    try:
        deliver([build_message(m) for m in messages])
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail not sent, left in the outbox: %s", exc)
        for m in messages:
            m.attempts += 1
            m.last_error = str(exc)[:500]
        db.session.commit()
        return 0
    sent_at = clock.now()
    for m in messages:
        m.sent_at = sent_at
        m.attempts += 1
    db.session.commit()
    return len(messages)


def send_pending_of_request() -> int:
    queued = g.pop("outbox", [])
    return send([m for m in queued if m.id is not None and m.sent_at is None])


def send_pending(limit: int = 500) -> int:
    pending = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    return send(pending)
