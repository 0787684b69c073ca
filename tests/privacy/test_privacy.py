"""Personal data: old closed cases are anonymised and keep their accounting figures; a
person downloads their own data."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

from sqlalchemy import func, select

from grants.audit.models import AuditEvent
from grants.budgets.models import BudgetEntry
from grants.budgets.movements import reserve
from grants.cases.models import Attachment
from grants.core import clock
from grants.extensions import db
from grants.letters.models import Letter
from grants.people.models import User
from grants.workflow.models import JournalEntry
from tests.factories import make_application, make_fund, make_organisation, make_user


def old_closed_case(applicant, fund, caseworker, *, years_ago: int, state: str = "settled"):
    case = make_application(
        applicant, fund, state="awaiting_decision", travellers="Mette Madsen, Jens Jensen"
    )
    reserve(case, Decimal(8000), caseworker)
    case.state = state
    db.session.add_all(
        [
            JournalEntry(
                application_id=case.id,
                actor_id=caseworker.id,
                action="approve_report",
                to_state=state,
                comment="Mette var syg en dag",
                created_at=clock.now() - dt.timedelta(days=365 * years_ago + 10),
            ),
            Attachment(
                application=case,
                filename="program.pdf",
                content_type="application/pdf",
                size=8,
                sha256="0" * 64,
                data=b"%PDF-1.7",
            ),
            Letter(
                application=case,
                kind="decision",
                language="da",
                template="letters/decision.html",
                parameters={"name": "Mette"},
                filename="afgoerelse.pdf",
                pdf=b"%PDF-1.7 Mette Madsen",
                sha256="a" * 64,
                size=20,
            ),
        ]
    )
    db.session.flush()
    # Created long ago as well, so only the journal says when it closed.
    case.updated_at = clock.now() - dt.timedelta(days=365 * years_ago + 10)
    db.session.commit()
    return case


def ledger(case_id):
    return [
        (e.kind, e.amount, e.fund_id, e.year)
        for e in db.session.scalars(
            select(BudgetEntry)
            .where(BudgetEntry.application_id == case_id)
            .order_by(BudgetEntry.id)
        )
    ]


def test_purge_anonymises_old_closed_cases_and_keeps_the_accounts(world, runner):
    fund = make_fund(budget=100000, board=[world.board_member])
    external = make_user(name="Frida Frost", email="frida@example.dk")
    external.role_grants.clear()
    make_organisation(external)
    old = old_closed_case(external, fund, world.caseworker, years_ago=7)
    recent = old_closed_case(world.employee, fund, world.caseworker, years_ago=2)
    open_case = make_application(world.employee, fund, state="screening")
    db.session.commit()
    money_before = ledger(old.id)
    letter_hash = old.letters[0].sha256

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would anonymise 1 case(s)" in dry.output
    db.session.expire_all()
    assert old.travellers.startswith("Mette")

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 1 case(s)" in result.output and "1 person(s)" in result.output
    db.session.expire_all()
    assert old.title == "[slettet]" and old.travellers == "" and old.purpose == ""
    assert all(not line.description for line in old.budget_lines)
    assert old.attachments == []
    assert all(entry.comment == "" for entry in old.journal)
    letter = old.letters[0]
    assert letter.pdf == b"" and letter.sha256 == letter_hash and letter.parameters == {}
    assert ledger(old.id) == money_before and money_before  # the accounts stay
    assert old.amount_applied == Decimal(8000) and old.fund_id == fund.id
    person = db.session.get(User, external.id)
    assert person.name == "[slettet]" and "frida" not in person.email and not person.active
    # Recent and open cases, and staff accounts, are untouched.
    assert recent.travellers.startswith("Mette") and recent.letters[0].pdf
    assert open_case.title != "[slettet]"
    assert db.session.get(User, world.employee.id).name == "Mette Madsen"
    # It says what it did, in the journal and the audit trail, and it is done only once.
    assert old.journal[-1].action == "personal_data_purged"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.purged"))
    assert event.details["cases"] == [old.id]
    again = runner.invoke(args=["privacy", "purge"])
    assert "Anonymised 0 case(s)" in again.output


def test_the_retention_period_is_configured(world, app, runner):
    assert app.config["PERSONAL_DATA_RETENTION_YEARS"] == 6
    fund = make_fund(budget=100000)
    case = old_closed_case(world.employee, fund, world.caseworker, years_ago=3)
    app.config["PERSONAL_DATA_RETENTION_YEARS"] = 2
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert f"case {case.case_number}" in result.output
    assert runner.invoke(args=["privacy", "purge", "--years", "0"]).exit_code != 0


def test_a_person_downloads_their_own_data(world, client, auth):
    fund = make_fund(budget=100000)
    mine = old_closed_case(world.employee, fund, world.caseworker, years_ago=1)
    others = make_application(world.outsider, fund, state="screening", title="Ole's tur")
    db.session.commit()
    auth.login(world.employee)
    response = client.get("/konto/mine-data.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("mine-data.json"))
    assert data["profile"]["email"] == "medarbejder@ballerup.dk"
    assert "password_hash" not in data["profile"] and "session_token" not in data["profile"]
    assert [case["id"] for case in data["cases"]] == [mine.id]
    assert others.title not in json.dumps(data)
    letter_file = data["cases"][0]["letters"][0]["file"]
    assert archive.read(letter_file) == mine.letters[0].pdf
    assert any(e["action"] == "approve_report" for e in data["cases"][0]["journal"])
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "privacy.own_data_exported")
    )
    auth.logout()
    assert client.get("/konto/mine-data.zip").status_code == 302
