"""What the letters say, over every kind of letter and both languages: an amount reads
"kr." once, never "kr.."."""

from __future__ import annotations

import pytest
from flask import current_app, render_template
from flask_babel import force_locale

from grants.cases.models import Application
from tests.letters.kinds import every_letter, pdf_text


@pytest.mark.once  # words, not the database: every kind is issued on PostgreSQL in test_kinds
@pytest.mark.parametrize("language", ["da", "en"])
def test_no_letter_of_any_kind_says_kr_twice(world, youth, move_clock, language):
    letters = every_letter(world, youth, move_clock, language)

    assert len(letters) == 10
    for name, letter in letters.items():
        text = pdf_text(letter.pdf)
        assert " kr." in text, name
        assert "kr.." not in text and "kr. ." not in text, (name, text)
        # The letter's HTML made again from its stored facts, as a case's file explains it.
        with force_locale(letter.language):
            html = render_template(
                letter.template, letter=letter.parameters, language=letter.language
            )
        assert "kr.." not in html, name


@pytest.mark.once  # words, not the database: every kind is issued on PostgreSQL in test_kinds
@pytest.mark.parametrize("language", ["da", "en"])
def test_no_email_of_any_step_says_kr_twice(world, youth, move_clock, language):
    """The e-mails the letters' cases sent on their way, and every step's e-mail of every
    route written for a case with amounts, to a person who reads ``language``."""
    from sqlalchemy import select

    from grants.extensions import db
    from grants.notifications.models import OutboxMessage
    from grants.notifications.operations import queue_mail
    from grants.workflow.models import Route

    every_letter(world, youth, move_clock, language)
    case = db.session.scalars(select(Application).where(Application.state == "settled")).first()
    world.manager.locale = world.caseworker.locale = language
    with current_app.test_request_context():
        for route in db.session.scalars(select(Route)):
            for transition in route.transitions:
                for recipient in (world.employee, world.manager, world.caseworker):
                    for subject, body in MAIL_TEMPLATES:
                        queue_mail(
                            recipient,
                            subject,
                            body,
                            application=case,
                            actor=world.caseworker,
                            transition=transition,
                            comment="Endeligt tilskud: 7.500,00 kr.",
                            case_url="https://example.invalid/sag",
                            kind="overdue",
                            report_url="https://example.invalid/rapport",
                            decided_by_body="Bestyrelsen",
                        )
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) > 100
    assert any(" kr." in message.body for message in messages)
    for message in messages:
        assert "kr.." not in message.subject and "kr.." not in message.body, message.body


MAIL_TEMPLATES = [
    ("mail/status_subject.txt", "mail/status.txt"),
    ("mail/your_turn_subject.txt", "mail/your_turn.txt"),
    ("mail/report_reminder_subject.txt", "mail/report_reminder.txt"),
    ("mail/decided_subject.txt", "mail/decided.txt"),
]


def test_the_minutes_say_kr_once(client, auth, cw):
    from grants.committees.minutes import make_minutes, minutes_html
    from tests.committees.conftest import make_case, on_agenda, record_decision

    item = on_agenda(cw, make_case(cw, amount=7500))
    auth.login(cw.secretary)
    response = record_decision(client, item)
    assert response.status_code == 302

    html = minutes_html(cw.meeting)
    text = pdf_text(make_minutes(cw.meeting))
    assert "7.500,00 kr." in text
    assert "kr.." not in html and "kr.." not in text
