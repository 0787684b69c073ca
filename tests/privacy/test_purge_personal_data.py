"""The purge of personal data (issue 17, points 8-12): nothing in the app names the purged
person afterwards, the audit trail records the purge but never the data, deleted documents
say so, and a person's own export holds everything the app holds about them."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from grants.audit.models import AuditEvent, AuditPersonalValue, resolve
from grants.extensions import db
from grants.people.models import LoginAttempt, RecoveryCode, TwoFactor, User
from grants.privacy import operations
from tests.factories import make_application, make_fund, make_organisation, make_user
from tests.html import links, page_text
from tests.privacy.test_privacy import ledger, old_closed_case


def trail() -> str:
    """The audit trail as it is read: every event with its personal values filled in."""
    return json.dumps(
        [resolve(e.details) for e in db.session.scalars(select(AuditEvent))], ensure_ascii=False
    )


def external_person(name="Frida Frost", email="frida@example.dk") -> User:
    person = make_user(name=name, email=email)
    person.role_grants.clear()
    make_organisation(person)
    db.session.commit()
    return person


def test_the_purge_leaves_no_personal_value_in_the_audit_trail(world, client):
    fund = make_fund(budget=100000)
    frida = external_person()
    assert frida.title == ""
    frida.title = "Formand for foreningen"
    db.session.commit()
    client.post("/log-ind", data={"email": "frida@example.dk", "password": "forkert"})
    old_closed_case(frida, fund, world.caseworker, years_ago=7)
    assert "Formand for foreningen" in trail() and "frida@example.dk" in trail()

    operations.purge(6, actor=world.admin)
    db.session.commit()

    text = trail()
    for personal in ("Frida", "frida@example.dk", "Formand for foreningen"):
        assert personal not in text, personal
    stored = json.dumps(
        [v.value for v in db.session.scalars(select(AuditPersonalValue))], ensure_ascii=False
    )
    assert "Frida" not in stored and "frida@example.dk" not in stored
    # What the trail says instead: that the person's data was purged, and by whom.
    purged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.person_purged")
    ).one()
    assert purged.object_id == frida.id and purged.actor_id == world.admin.id
    assert purged.details == {}
    # The purge writes no "changed from ... to ..." of its own: the one change is the title.
    changes = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "settings.user_changed", AuditEvent.object_id == frida.id
        )
    ).all()
    assert [sorted(c.details["after"]) for c in changes] == [["title"]]


def test_the_purge_forgets_the_second_factor(world):
    from grants.people import two_factor

    fund = make_fund(budget=100000)
    frida = external_person()
    two_factor.enrol(frida, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    two_factor.renew_recovery_codes(frida)
    db.session.commit()
    old_closed_case(frida, fund, world.caseworker, years_ago=7)
    operations.purge(6, actor=world.admin)
    db.session.commit()
    assert db.session.scalars(select(TwoFactor).where(TwoFactor.user_id == frida.id)).all() == []
    assert (
        db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == frida.id)).all() == []
    )


def test_a_refused_purge_dry_run_changes_nothing(world, runner):
    fund = make_fund(budget=100000)
    frida = external_person()
    case = old_closed_case(frida, fund, world.caseworker, years_ago=7)
    before = ledger(case.id)
    events = db.session.scalar(select(db.func.count(AuditEvent.id)))
    assert runner.invoke(args=["privacy", "purge", "--dry-run"]).exit_code == 0
    assert runner.invoke(args=["privacy", "purge", "--years", "0"]).exit_code != 0
    db.session.expire_all()
    assert db.session.get(User, frida.id).name == "Frida Frost"
    assert ledger(case.id) == before
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == events
    assert db.session.scalars(select(LoginAttempt)).all() == []


def readable(response) -> str:
    """A response's text; an XLSX or zip's every member, unpacked."""
    import io
    import zipfile

    body = response.data
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return body.decode("utf-8", "replace")


def staff_applicant() -> User:
    from grants.people.models import Role

    person = make_user(Role.EMPLOYEE, name="Ulla Ulriksen", email="ulla@ballerup.dk")
    person.title = "Pædagog"
    db.session.commit()
    return person


def test_a_staff_applicant_is_named_nowhere_after_the_purge(world, client, auth):
    fund = make_fund(budget=100000)
    ulla = staff_applicant()
    case = old_closed_case(ulla, fund, world.caseworker, years_ago=7)
    from grants.workflow.models import JournalEntry

    # Her own step, the report she submitted, in the journal before the case closed.
    db.session.add(
        JournalEntry(
            application_id=case.id,
            actor_id=ulla.id,
            action="submit_report",
            to_state="report_submitted",
            created_at=case.journal[0].created_at - dt.timedelta(days=3),
        )
    )
    db.session.commit()
    auth.login(world.finance)
    assert "Ulla Ulriksen" in readable(client.get("/budgetter/eksport/grants.csv"))
    auth.logout()

    operations.purge(6, actor=world.admin)
    db.session.commit()

    looked_at = {}
    auth.login(world.caseworker)
    looked_at["case page"] = client.get(f"/ansoegninger/{case.id}")
    looked_at["queue"] = client.get("/arbejdskoe?state=all")
    looked_at["case file"] = client.get(f"/ansoegninger/{case.id}/sagsmappe.zip")
    auth.login(world.finance)
    for fmt in ("csv", "xlsx"):
        looked_at[f"grants {fmt}"] = client.get(f"/budgetter/eksport/grants.{fmt}")
        looked_at[f"entries {fmt}"] = client.get(f"/budgetter/eksport/entries.{fmt}")
    looked_at["payments"] = client.get("/udbetalinger/eksport/payments.csv")
    for where, response in looked_at.items():
        assert response.status_code == 200, where
        text = readable(response)
        for personal in ("Ulla", "ulla@ballerup.dk", "Pædagog"):
            assert personal not in text, (where, personal)
    assert "[slettet]" in readable(looked_at["grants csv"])
    # The staff member keeps her account (HR's business), and the accounts stay whole.
    db.session.expire_all()
    assert db.session.get(User, ulla.id).active
    assert db.session.get(User, ulla.id).name == "Ulla Ulriksen"
    # Her export no longer holds the purged case: it is not hers any more.
    auth.login(ulla)
    assert "[slettet]" not in readable(client.get("/konto/mine-data.zip"))


def test_a_deleted_document_says_so_and_when_never_an_empty_file(world, client, auth):
    import io
    import zipfile

    from grants.core import clock
    from grants.core.formatting import long_date
    from tests.core.test_translations import switch_language
    from tests.publication.helpers import letter_of, make_trip

    world.fund.publish_trips = True
    two_years_ago = clock.today().replace(year=clock.today().year - 2)
    trip = make_trip(world.employee, world.fund, departure=two_years_ago)
    trip.updated_at = clock.now() - dt.timedelta(days=800)
    db.session.commit()
    report = letter_of(trip)
    assert client.get(f"/udlandsrejser/rapporter/{report.id}.pdf").status_code == 200

    operations.purge(1, actor=world.admin)
    db.session.commit()
    today = long_date(clock.today())

    # The public trip page and its report's address.
    public = client.get(f"/udlandsrejser/{trip.id}")
    assert f"Rapporten blev slettet den {today}" in page_text(public)
    assert f"/udlandsrejser/rapporter/{report.id}.pdf" not in links(public)
    gone = client.get(f"/udlandsrejser/rapporter/{report.id}.pdf")
    assert gone.status_code == 410 and gone.mimetype == "text/html"
    assert "Dokumentet er slettet" in page_text(gone)
    assert today in page_text(gone)
    assert client.get("/aabne-data/rejser.json").get_json()["trips"][0]["report_pdf_url"] is None

    # The case page, the letter's address and the case file.
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{trip.id}")
    assert f"/breve/{report.id}/hent" not in links(page)
    assert f"slettet den {today} med sagens personoplysninger" in page_text(page)
    assert f"Sagens personoplysninger blev slettet den {today}" in page_text(page)
    gone = client.get(f"/breve/{report.id}/hent")
    assert gone.status_code == 410 and gone.mimetype == "text/html"
    assert "Godkendt rapport og regnskab blev slettet den" in page_text(gone)
    assert report.sha256 in page_text(gone)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/ansoegninger/{trip.id}/sagsmappe.zip").data))
    assert all(archive.read(name) for name in archive.namelist())  # no empty file
    note = archive.read(f"breve/{report.id}-SLETTET.txt").decode()
    assert f"blev slettet den {today}" in note and report.sha256 in note

    # The export of whoever the case now belongs to: a note, never an empty PDF.
    exported = zipfile.ZipFile(io.BytesIO(operations.export_for(operations.former_applicant())))
    assert all(exported.read(name) for name in exported.namelist())
    assert f"breve/{report.id}-SLETTET.txt" in exported.namelist()

    # Someone who may not see the case is refused, as before: not even told it was deleted.
    auth.login(world.outsider)
    refused = client.get(f"/breve/{report.id}/hent")
    assert refused.status_code in (403, 404) and "slettet" not in refused.get_data(as_text=True)
    decision = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    assert client.get(f"/udlandsrejser/rapporter/{decision.id + 1000}.pdf").status_code == 404

    auth.login(world.caseworker)
    switch_language(client, "en")
    gone = client.get(f"/breve/{report.id}/hent").get_data(as_text=True)
    assert "The document has been deleted" in page_text(gone) and "was deleted on" in page_text(
        gone
    )


def test_the_own_export_holds_everything_the_app_holds_about_the_person(world, client, auth):
    """Compared with the database: the report and its accounts, the e-mails sent to the
    person, their logins and their committee memberships, in readable form too."""
    import csv
    import io
    import zipfile

    from grants.committees import operations as committees
    from grants.committees.models import CommitteeKind, MemberRole
    from grants.core import clock
    from grants.notifications.models import OutboxMessage
    from grants.reports.models import TripReport
    from tests.publication.helpers import make_trip

    mette = world.employee
    trip = make_trip(mette, world.fund, departure=clock.today() - dt.timedelta(days=40))
    committee = committees.create_committee(
        "Kultur- og Fritidsudvalget", CommitteeKind.STANDING, make_fund(code="kultur"), 2026, 2029
    )
    committees.add_member(committee, mette, MemberRole.MEMBER, clock.today(), None)
    db.session.add(
        OutboxMessage(
            application_id=trip.id,
            recipient_id=mette.id,
            to_address=mette.email,
            subject="Din rapport er godkendt",
            body="Kære Mette, din rapport er godkendt.",
            sent_at=clock.now(),
        )
    )
    db.session.commit()
    client.post("/log-ind", data={"email": mette.email, "password": "forkert"})
    auth.login(mette)

    archive = zipfile.ZipFile(io.BytesIO(client.get("/konto/mine-data.zip").data))
    data = json.loads(archive.read("mine-data.json"))

    report = db.session.scalar(select(TripReport).where(TripReport.application_id == trip.id))
    exported = data["cases"][0]["report"]
    assert exported["what_was_done"] == report.what_was_done
    assert [(line["category"], line["amount"]) for line in exported["account_lines"]] == [
        (line.category.value, str(line.amount)) for line in report.account_lines
    ]
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == mette.id)
    ).all()
    assert [(m["subject"], m["body"]) for m in data["emails"]] == [
        (m.subject, m.body) for m in mails
    ]
    assert "Kære Mette" in archive.read(f"e-mails/{mails[0].id}.txt").decode()
    logins = db.session.scalars(
        select(LoginAttempt).where(LoginAttempt.email == mette.email).order_by(LoginAttempt.id)
    ).all()
    assert [(a["ip"], a["succeeded"]) for a in data["logins"]] == [
        (a.ip, a.succeeded) for a in logins
    ]
    assert {False, True} == {a.succeeded for a in logins}
    rows = list(csv.reader(io.StringIO(archive.read("logins.csv").decode("utf-8-sig"))))
    assert len(rows) == len(logins) + 1 and rows[0][0] == "tidspunkt"
    assert [(m["committee"], m["role"]) for m in data["committee_memberships"]] == [
        ("Kultur- og Fritidsudvalget", "member")
    ]
    readme = archive.read("LAESMIG.txt").decode()
    assert "udvalgsmedlemskaber (1)" in readme and "e-mails, der er sendt til dig (1)" in readme
    assert "password_hash" not in json.dumps(data) and "secret" not in json.dumps(data)


def _frida_with_a_case_closed_seven_years_ago(world, *, logged_in_days_ago: int):
    """Frida, whose one case closed seven years ago, and who last logged in the given number
    of days ago; she and the case."""
    from grants.core import clock

    fund = make_fund(budget=100000)
    frida = external_person()
    case = old_closed_case(frida, fund, world.caseworker, years_ago=7)
    db.session.add(
        LoginAttempt(
            email="frida@example.dk",
            ip="127.0.0.1",
            succeeded=True,
            user_id=frida.id,
            at=clock.now() - dt.timedelta(days=logged_in_days_ago),
        )
    )
    db.session.commit()
    return frida, case


def test_a_person_who_still_uses_the_app_keeps_the_account_when_old_cases_are_purged(world):
    """Frida's one case closed seven years ago, but she logged in last month to act for her
    association: the purge anonymised the case and also deleted her account and her
    membership, so the association was left without its representative. An account in use
    has a purpose; only the old case's data goes."""
    from grants.organisations.models import Membership

    frida, case = _frida_with_a_case_closed_seven_years_ago(world, logged_in_days_ago=30)

    plan = operations.purge(6, actor=world.admin)
    db.session.commit()

    assert [c.id for c in plan.cases] == [case.id]
    assert plan.people == []
    db.session.expire_all()
    frida = db.session.get(User, frida.id)
    assert (frida.name, frida.email, frida.active) == ("Frida Frost", "frida@example.dk", True)
    assert db.session.scalars(select(Membership).where(Membership.user_id == frida.id)).all()


def test_a_person_who_last_logged_in_before_the_cutoff_is_purged_with_the_case(world):
    frida, _case = _frida_with_a_case_closed_seven_years_ago(world, logged_in_days_ago=365 * 7)
    plan = operations.purge(6, actor=world.admin)
    db.session.commit()
    assert [p.id for p in plan.people] == [frida.id]
