"""The reminders in the app: the secretariat sees and changes which reminders are sent, when
and to whom (the defaults are what the command always did), runs them now, and reads each
run and what it sent. The nightly command follows the same settings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from grants.extensions import db
from grants.notifications.sender import send_pending
from grants.reports.models import ReminderRun, ReminderSetting
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.html import field_error, field_value, flashes, table_rows
from tests.reports.helpers import granted_case, granted_youth_case


def settings(**overrides) -> dict:
    values = {
        "before_due_active": "y",
        "before_due_days": "",
        "before_due_recipients": "applicant_side",
        "overdue_active": "y",
        "overdue_days": "1",
        "overdue_recipients": "applicant_side",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_the_page_shows_todays_behaviour_and_the_secretariat_changes_it(
    world, youth, client, auth, runner, inbox, move_clock
):
    trip = granted_youth_case(world, youth)
    send_pending()
    inbox.take()
    auth.login(world.caseworker)
    page = client.get("/paamindelser")
    assert page.status_code == 200
    assert field_value(page, "before_due_active") is not None

    # Only the applicant, three days before, and the overdue reminder off.
    response = client.post(
        "/paamindelser",
        data=settings(before_due_days="3", before_due_recipients="applicant", overdue_active=None),
    )
    assert response.status_code == 302
    assert db.session.get(ReminderSetting, "before_due").days == 3
    assert db.session.get(ReminderSetting, "overdue").active is False

    move_clock(trip.report_due - dt.timedelta(days=4))
    runner.invoke(args=["reports", "remind"])
    assert inbox.take() == []  # four days before: not yet
    move_clock(trip.report_due - dt.timedelta(days=3))
    runner.invoke(args=["reports", "remind"])
    assert [m["To"] for m in inbox.take()] == [trip.applicant.email]  # the applicant only
    move_clock(trip.report_due + dt.timedelta(days=5))
    runner.invoke(args=["reports", "remind"])
    assert inbox.take() == []  # overdue switched off

    # The runs and what they sent, newest first.
    page = client.get("/paamindelser")
    rows = table_rows(page, "#reminder-runs")[1:]
    assert len(rows) == 3
    assert "Ingen" in rows[0][2]
    assert trip.case_number in rows[1][2] and trip.applicant.email in rows[1][2]


def test_run_now_from_the_page_sends_what_is_due_once(world, client, auth, inbox, move_clock):
    study = granted_case(world, 8000)
    send_pending()
    inbox.take()
    move_clock(study.report_due - dt.timedelta(days=7))
    auth.login(world.caseworker)
    response = client.post("/paamindelser/koer")
    assert response.status_code == 302
    send_pending()
    assert [m["To"] for m in inbox.take()] == ["medarbejder@ballerup.dk"]
    client.post("/paamindelser/koer")
    send_pending()
    assert inbox.take() == []
    runs = db.session.scalars(select(ReminderRun).order_by(ReminderRun.id)).all()
    assert [(r.source, r.sent, r.actor_id) for r in runs] == [
        ("page", 1, world.caseworker.id),
        ("page", 0, world.caseworker.id),
    ]


def test_bad_settings_are_shown_next_to_the_field_and_change_nothing(world, client, auth):
    auth.login(world.caseworker)
    before = table_fingerprint(skip=SIGNING_IN)
    for data, field, message in [
        (settings(overdue_days=""), "overdue_days", "Skriv et helt tal."),
        (settings(before_due_days="0"), "before_due_days", "Tallet skal være mellem 1 og 90."),
        (settings(overdue_days="tre"), "overdue_days", "Skriv et helt tal."),
        (settings(before_due_recipients="everyone"), "before_due_recipients", "Vælg en af"),
    ]:
        response = client.post("/paamindelser", data=data)
        assert response.status_code == 422
        assert message in (field_error(response, field) or ""), field
        assert flashes(response, "success") == []
    assert table_fingerprint(skip=SIGNING_IN) == before


def test_only_the_secretariat_sees_and_changes_the_reminders(world, client, auth):
    before = table_fingerprint(skip=SIGNING_IN)
    for person in (world.employee, world.manager, world.finance, world.board_member):
        auth.login(person)
        assert client.get("/paamindelser").status_code == 403
        assert client.post("/paamindelser", data=settings(overdue_active=None)).status_code == 403
        assert client.post("/paamindelser/koer").status_code == 403
    assert table_fingerprint(skip=SIGNING_IN) == before
