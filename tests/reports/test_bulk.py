"""Bulk actions outside meetings: approve several reports and send several reminders, each
through the same operation as one at a time, shown and confirmed first, with a result per
case (done, or refused and why)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from grants.cases.models import Application
from grants.extensions import db
from grants.letters.models import Letter
from grants.notifications.sender import send_pending
from grants.reports.models import ReminderLog
from grants.reports.settlement import settle
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.html import field_error, table_rows, texts
from tests.locking import lockable_from_elsewhere
from tests.reports.helpers import file_report, granted_case

COSTS = {"transport": 3000, "accommodation": 4000}


def token_of(response) -> str:
    return re.search(r'name="confirmation" value="([^"]+)"', response.get_data(as_text=True))[1]


def test_several_reports_are_approved_with_a_result_per_case(world, client, auth, move_clock):
    first = granted_case(world, 8000)
    second = granted_case(world, 9000)
    third = granted_case(world, 8000)
    move_clock(first.return_date)
    for case in (first, second, third):
        file_report(case, world.employee, COSTS)
    auth.login(world.caseworker)
    page = client.get("/rapporter/godkend-flere")
    assert page.status_code == 200
    assert len(table_rows(page, "#bulk-candidates")[1:]) == 3

    # Shown first: nothing changes until it is confirmed.
    before = table_fingerprint(skip=SIGNING_IN)
    shown = client.post("/rapporter/godkend-flere", data={"cases": [first.id, second.id, third.id]})
    assert shown.status_code == 200
    assert len(texts(shown, "#bulk-chosen li")) == 3
    assert table_fingerprint(skip=SIGNING_IN) == before

    # Meanwhile a colleague approves the third one at a time: refused, and why; the others
    # done.
    settle(third, world.caseworker)
    db.session.commit()
    done = client.post("/rapporter/godkend-flere", data={"confirmation": token_of(shown)})
    assert done.status_code == 200
    rows = table_rows(done, "#bulk-results")[1:]
    assert [row[1] for row in rows] == ["Udført", "Udført", "Afvist"]
    assert "Endeligt tilskud: 7.000,00 kr." in rows[0][2]
    assert "Du kan ikke udføre handlingen" in rows[2][2]
    db.session.expire_all()
    states = [db.session.get(Application, c.id).state for c in (first, second, third)]
    assert states == ["settled", "settled", "settled"]
    # Each through the same operation as one at a time: the step and the settlement letter.
    assert {e.action for e in first.journal} >= {"approve_report", "letter_issued"}

    # The same token again acts on nothing twice.
    again = client.post("/rapporter/godkend-flere", data={"confirmation": token_of(shown)})
    assert [row[1] for row in table_rows(again, "#bulk-results")[1:]] == ["Afvist"] * 3


def test_several_reminders_are_sent_once_each(world, client, auth, inbox, move_clock):
    first = granted_case(world, 8000)
    second = granted_case(world, 8000)
    send_pending()
    inbox.take()
    move_clock(first.report_due + dt.timedelta(days=2))
    auth.login(world.caseworker)
    shown = client.post("/paamindelser/send-flere", data={"cases": [first.id, second.id]})
    assert shown.status_code == 200
    send_pending()
    assert inbox.take() == []
    done = client.post("/paamindelser/send-flere", data={"confirmation": token_of(shown)})
    rows = table_rows(done, "#bulk-results")[1:]
    assert [row[1] for row in rows] == ["Udført", "Udført"]
    send_pending()
    mails = inbox.take()
    assert len(mails) == 2 and all("overskredet" in m["Subject"] for m in mails)
    logs = db.session.scalars(select(ReminderLog).order_by(ReminderLog.id)).all()
    assert [(log.application_id, log.kind) for log in logs] == [
        (first.id, "overdue"),
        (second.id, "overdue"),
    ]
    assert logs[0].run_id == logs[1].run_id is not None

    # Again: refused per case, with the date it was sent.
    shown = client.post("/paamindelser/send-flere", data={"cases": [first.id]})
    done = client.post("/paamindelser/send-flere", data={"confirmation": token_of(shown)})
    [row] = table_rows(done, "#bulk-results")[1:]
    assert row[1] == "Afvist" and "allerede fået denne påmindelse" in row[2]
    send_pending()
    assert inbox.take() == []


def test_bad_choices_and_forged_confirmations_change_nothing(world, client, auth):
    case = granted_case(world, 8000)
    other = granted_case(world, 8000)
    auth.login(world.caseworker)
    before = table_fingerprint(skip=SIGNING_IN)
    for data in ({}, {"cases": ["abc"]}, {"cases": [999999]}):
        response = client.post("/paamindelser/send-flere", data=data)
        assert response.status_code == 422
        assert field_error(response, "cases")
    forged = client.post("/paamindelser/send-flere", data={"confirmation": "forged"})
    assert forged.status_code == 422
    # A token made for one case cannot be used by another person.
    shown = client.post("/paamindelser/send-flere", data={"cases": [case.id]})
    auth.login(world.admin)
    stolen = client.post("/paamindelser/send-flere", data={"confirmation": token_of(shown)})
    assert stolen.status_code == 422
    assert table_fingerprint(skip=SIGNING_IN) == before
    assert other.state == "granted"


def test_only_the_secretariat_acts_in_bulk(world, client, auth, move_clock):
    case = granted_case(world, 8000)
    move_clock(case.return_date)
    file_report(case, world.employee, COSTS)
    before = table_fingerprint(skip=SIGNING_IN)
    for person in (world.employee, world.manager, world.finance, world.board_member):
        auth.login(person)
        for url in ("/rapporter/godkend-flere", "/paamindelser/send-flere"):
            assert client.get(url).status_code == 403
            assert client.post(url, data={"cases": [case.id]}).status_code == 403
    assert table_fingerprint(skip=SIGNING_IN) == before
    db.session.expire_all()
    assert db.session.get(Application, case.id).state == "report_submitted"


def _reported(world, move_clock, *grants: int) -> list:
    """Granted cases of these amounts, the trip over and each report submitted."""
    cases = [granted_case(world, amount) for amount in grants]
    move_clock(cases[0].return_date)
    for case in cases:
        file_report(case, world.employee, COSTS)
    db.session.commit()
    return cases


def _approve_in_bulk(client, cases) -> list[list[str]]:
    shown = client.post("/rapporter/godkend-flere", data={"cases": [c.id for c in cases]})
    done = client.post("/rapporter/godkend-flere", data={"confirmation": token_of(shown)})
    assert done.status_code == 200
    return table_rows(done, "#bulk-results")[1:]


def test_each_case_is_committed_before_the_next_so_the_fund_is_not_held(
    world, client, auth, move_clock, database_url, pdfs_made
):
    """A case approved is committed, its money with it, before the next case's letters are
    made: other decisions on the fund need not wait for the whole bulk approval."""
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("on SQLite the first write takes the whole database's lock")
    cases = _reported(world, move_clock, 8000, 9000)
    auth.login(world.caseworker)
    seen = []
    pdfs_made["before"] = lambda: seen.append(lockable_from_elsewhere(database_url, world.fund.id))

    rows = _approve_in_bulk(client, cases)

    assert [row[1] for row in rows] == ["Udført", "Udført"]
    assert seen == [True] * 4  # two letters a case, none made under the fund's lock


def test_a_technical_error_on_one_case_leaves_the_others_done(
    world, client, auth, inbox, move_clock, monkeypatch
):
    import grants.reports.bulk as bulk

    cases = _reported(world, move_clock, 8000, 9000, 8000)
    send_pending()
    inbox.take()
    auth.login(world.caseworker)
    real_settle = bulk.settle

    def breaks_on_the_second(application, actor):
        settlement = real_settle(application, actor)
        if application.id == cases[1].id:
            raise RuntimeError("the disk is full")
        return settlement

    monkeypatch.setattr(bulk, "settle", breaks_on_the_second)

    rows = _approve_in_bulk(client, cases)

    assert [row[1] for row in rows] == ["Udført", "Afvist", "Udført"]
    assert "Teknisk fejl: sagen er ikke ændret" in rows[1][2]
    assert "the disk is full" not in rows[1][2]  # the cause is logged, not shown
    db.session.expire_all()
    states = [db.session.get(Application, c.id).state for c in cases]
    assert states == ["settled", "report_submitted", "settled"]
    kinds = db.session.scalars(select(Letter.kind).where(Letter.application_id == cases[1].id))
    assert set(kinds) <= {"decision"}  # no settlement letter kept for the rolled-back case
    # The two settled cases' letters were mailed; none for the case rolled back.
    send_pending()
    mailed = " ".join(m["To"] for m in inbox.take())
    assert mailed.count(world.employee.email) >= 2


def test_the_cases_e_mails_go_out_together_when_every_case_is_done(
    world, client, auth, inbox, move_clock, pdfs_made
):
    """One connection to the mail server for the whole approval, after the last case: a
    slow or unreachable mail server costs its timeout once, not once a case (with gunicorn's
    timeout, a bulk approval then died half done)."""
    cases = _reported(world, move_clock, 8000, 9000, 8000)
    send_pending()
    inbox.take()
    auth.login(world.caseworker)
    mailed_while_working = []
    pdfs_made["before"] = lambda: mailed_while_working.append(len(inbox.messages))

    rows = _approve_in_bulk(client, cases)

    assert [row[1] for row in rows] == ["Udført"] * 3
    assert mailed_while_working == [0] * 6  # two letters a case, no e-mail meanwhile
    assert len(inbox.take()) >= 3  # then every settled case's, with the page's answer
