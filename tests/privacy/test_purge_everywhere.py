"""After the purge nothing in the app names the person (issue 17): every column of every
table (text, JSON and binary, PDFs read as text), every stored file, every page (the case
page, lists, public pages, feeds, open data) and every export (CSV, XLSX, archives) is
searched for the person's name and e-mail, and the ledger's sums are what they were."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import JSON, LargeBinary, String, func, select

from grants.budgets.models import BudgetEntry
from grants.budgets.movements import reserve
from grants.cases.models import Attachment
from grants.core import clock
from grants.extensions import db
from grants.letters.models import Letter
from grants.letters.render import create_pdf
from grants.notifications.models import OutboxMessage
from grants.people import two_factor
from grants.privacy import operations
from grants.workflow.models import JournalEntry
from tests.committees.conftest import cw, make_case, on_agenda  # noqa: F401  (the fixture)
from tests.confirming import confirm
from tests.factories import make_fund, make_organisation, make_user
from tests.publication.helpers import make_trip

NAME = "Frida Frost"
EMAIL = "frida.frost@example.dk"
# What would name her: the full name, each part of it, the e-mail and its local part.
NEEDLES = (NAME, "Frida", "Frost", EMAIL, "frida.frost")


def as_text(value) -> str:
    """A stored value as a person would read it: PDFs as their text, archives unpacked."""
    if value is None:
        return ""
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        if value.startswith(b"%PDF"):
            try:
                reader = PdfReader(io.BytesIO(value))
                text = " ".join(page.extract_text() for page in reader.pages)
            except Exception:  # not a real PDF (a test's stand-in): its bytes as they are
                text = ""
            return " ".join(text.split()) + " " + value.decode("latin-1")
        if value.startswith(b"PK"):
            with zipfile.ZipFile(io.BytesIO(value)) as archive:
                return " ".join(as_text(archive.read(name)) for name in archive.namelist())
        return value.decode("utf-8", "replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def found_in_database(needles=NEEDLES, except_account: int | None = None) -> list[str]:
    """Every table of the metadata, every text, JSON and binary column; ``except_account``:
    a member of staff's own account row, which the purge of a case leaves alone."""
    hits = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, JSON, LargeBinary))]
        if not columns:
            continue
        query = select(*columns)
        if table.name == "user" and except_account is not None:
            query = query.where(table.c.id != except_account)
        for row in db.session.execute(query).mappings():
            for column in columns:
                text = as_text(row[column.name])
                hits += [f"{table.name}.{column.name}: {n}" for n in needles if n in text]
    return hits


def ledger_sums(up_to: int | None = None):
    """The ledger's sums by fund, year and kind, of the entries up to id ``up_to``: the pages
    of a later year allocate that year's budget, and those entries are new, not changed."""
    query = select(
        BudgetEntry.fund_id, BudgetEntry.year, BudgetEntry.kind, func.sum(BudgetEntry.amount)
    )
    if up_to is not None:
        query = query.where(BudgetEntry.id <= up_to)
    return db.session.execute(
        query.group_by(BudgetEntry.fund_id, BudgetEntry.year, BudgetEntry.kind).order_by(
            BudgetEntry.fund_id, BudgetEntry.year, BudgetEntry.kind
        )
    ).all()


def last_entry() -> int:
    return db.session.scalar(select(func.max(BudgetEntry.id)))


def her_committee_case(client, auth, committee_world, frida):
    case = make_case(committee_world, frida, title=f"{NAME}s studietur til Lyon", travellers=NAME)
    item = on_agenda(committee_world, case)
    base = f"/udvalg/moeder/{committee_world.meeting.id}"
    # The agenda mailed to the members (days before the meeting) lists her case by its
    # title: the mail publish_agenda queues, queued here as the meeting is held today.
    from flask import current_app

    from grants.notifications.operations import queue_mail

    with current_app.test_request_context():
        queue_mail(
            committee_world.member,
            "mail/agenda_subject.txt",
            "mail/agenda.txt",
            meeting=committee_world.meeting,
            items=committee_world.meeting.items,
            link="https://rejsetilskud.example/udvalg",
            again=False,
        )
    db.session.commit()
    assert db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.body.contains("Lyon"))
    )
    auth.login(committee_world.chair)
    client.post(f"{base}/punkter/{item.id}/inhabilitet", data={"reason": f"{NAME} er min nabo."})
    auth.login(committee_world.secretary)
    client.post(f"{base}/erklaeringer/{item.declarations[0].id}", data={"disqualified": "yes"})
    present = [str(committee_world.chair.id), str(committee_world.member.id)]  # a quorum
    assert client.post(f"{base}/fremmoedte", data={"present": present}).status_code == 302
    client.post(
        f"{base}/punkter/{item.id}/beslutning",
        data={"decision": "refuse", "reasons": f"{NAME}s rejse er uden for formålet."},
    )
    confirm(client, f"{base}/udsend")
    assert client.post(f"{base}/luk").status_code == 302
    auth.logout()
    return case


def her_published_trip(frida, fund, caseworker, name=NAME, email=EMAIL, account_mail=True):
    trip = make_trip(
        frida,
        fund,
        departure=clock.today() - dt.timedelta(days=40),
        names=f"{name}, Jens Jensen",
        travellers=f"{name}, Jens Jensen",
        purpose=f"{name} vil lære om musikskoler.",
        state="awaiting_decision",
    )
    reserve(trip, Decimal(10000), caseworker)
    trip.state = "settled"
    letter = Letter(
        application_id=trip.id,
        kind="decision",
        language="da",
        template="letters/decision.html",
        parameters={"name": name, "email": email},
        filename="afgoerelse.pdf",
        pdf=create_pdf(f"<html lang='da'><body><p>Kære {name} ({email})</p></body></html>"),
        sha256="b" * 64,
        size=1,
    )
    db.session.add_all(
        [
            letter,
            JournalEntry(
                application_id=trip.id,
                actor_id=frida.id,
                action="submit_report",
                to_state="settled",
                comment=f"{name} ringede om rapporten",
                details={
                    "document": {
                        "id": 0,
                        "purpose": "programme",
                        "version": 1,
                        "filename": "frida-frost-kvitteringer.pdf",
                        "size": 10,
                        "sha256": "0" * 64,
                    }
                },
            ),
            Attachment(
                application=trip,
                filename="frida-frost-program.pdf",
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
                data=f"%PDF-1.7 {name}".encode(),
            ),
            OutboxMessage(
                application_id=trip.id,
                recipient_id=frida.id,
                to_address=email,
                subject="Din rapport er godkendt",
                body=f"Kære {name}",
                sent_at=clock.now(),
            ),
        ]
    )
    if account_mail:  # about the account, not the case: staff keep it with the account
        db.session.add(
            OutboxMessage(
                recipient_id=frida.id,
                to_address=email,
                subject="Velkommen",
                body=f"Kære {name}, din konto er oprettet.",
            )
        )
    db.session.flush()
    return trip


def pages_and_exports(
    client, auth, committee_world, cases, trip, organisation, meeting_id, minutes=True
) -> dict:
    seen = {}

    def get(who, url):
        if who is None:
            auth.logout()
        else:
            auth.login(who)
        response = client.get(url)
        assert response.status_code in (200, 410), (url, response.status_code)
        assert response.data, url  # never an empty file
        seen[url] = response

    for case in cases:
        get(committee_world.caseworker, f"/ansoegninger/{case.id}")
        get(committee_world.admin, f"/ansoegninger/{case.id}/sagsmappe.zip")
    for url in ("/arbejdskoe", "/arbejdskoe?state=all", "/budgetter", "/ansoegninger/mine"):
        get(committee_world.caseworker, url)
    for url in (
        "/administration/",
        "/administration/brugere",
        f"/organisationer/{organisation.id}",
        "/budgetter/eksport/grants.csv",
        "/budgetter/eksport/grants.xlsx",
        "/budgetter/eksport/entries.csv",
        "/budgetter/eksport/entries.xlsx",
        "/udbetalinger",
        "/udbetalinger/eksport/payments.csv",
        "/udbetalinger/eksport/refunds.csv",
    ):
        get(committee_world.admin, url)
    for url in (
        "/udvalg",
        f"/udvalg/{committee_world.committee.id}",
        f"/udvalg/moeder/{meeting_id}",
    ) + ((f"/udvalg/moeder/{meeting_id}/beslutningsprotokol.pdf",) if minutes else ()):
        get(committee_world.chair, url)
    for letter in db.session.scalars(select(Letter)):
        get(committee_world.caseworker, f"/breve/{letter.id}/hent")
    report = db.session.scalar(
        select(Letter).where(Letter.application_id == trip.id, Letter.kind == "report")
    )
    for url in (
        "/udlandsrejser",
        f"/udlandsrejser/{trip.id}",
        f"/udlandsrejser/rapporter/{report.id}.pdf",
        "/aabne-data/rejser.json",
        "/aabne-data/rejser.csv",
        "/",
    ):
        get(None, url)
    return seen


def withdrawn_line(case, actor, reason: str) -> None:
    """A payment line of the case sent to the finance system and withdrawn with a reason
    that names the person."""
    from grants.payments.models import WITHDRAWN, PaymentBatch, PaymentBatchLine

    batch = PaymentBatch(number="2000-0001", created_by_id=actor.id)
    batch.lines.append(
        PaymentBatchLine(
            position=1,
            application_id=case.id,
            amount=Decimal("100"),
            status=WITHDRAWN,
            withdrawn_reason=reason,
            withdrawn_at=clock.now(),
            withdrawn_by_id=actor.id,
        )
    )
    db.session.add(batch)


def test_after_the_purge_nothing_names_the_person(app, client, auth, cw, move_clock):  # noqa: F811
    study = make_fund(code="studie", publish_trips=True, publish_names=True)
    frida = make_user(name=NAME, email=EMAIL)
    frida.role_grants.clear()
    organisation = make_organisation(frida, name="Ballerup Musikforening")
    db.session.commit()
    assert frida.title == ""
    frida.title = "Kasserer"
    frida.department = f"{NAME}s afdeling"
    two_factor.enrol(frida, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    two_factor.renew_recovery_codes(frida)
    db.session.commit()
    client.post("/log-ind", data={"email": EMAIL, "password": "forkert"})
    committee_case = her_committee_case(client, auth, cw, frida)
    trip = her_published_trip(frida, study, cw.caseworker)
    withdrawn_line(trip, cw.caseworker, f"Forkert NemKonto for {NAME}")
    db.session.commit()
    meeting_id = cw.meeting.id
    # Before: she is everywhere, so the search below can find her.
    assert len(found_in_database()) > 20
    before = pages_and_exports(
        client, auth, cw, [committee_case, trip], trip, organisation, meeting_id
    )
    assert NAME in as_text(before[f"/udlandsrejser/{trip.id}"].data)
    assert NAME in as_text(before["/budgetter/eksport/grants.xlsx"].data)
    sums, last = ledger_sums(), last_entry()
    assert sums

    move_clock(clock.today() + dt.timedelta(days=2 * 365))
    operations.purge(1, actor=cw.admin)
    db.session.commit()
    db.session.expire_all()
    assert ledger_sums() == sums  # the purge wrote no entry and changed none

    assert found_in_database() == []
    seen = pages_and_exports(
        client, auth, cw, [committee_case, trip], trip, organisation, meeting_id
    )
    named = {
        url: [n for n in NEEDLES if n in as_text(response.data)] for url, response in seen.items()
    }
    assert {url: hits for url, hits in named.items() if hits} == {}
    # The accounting figures are intact, and the trip's amounts still public.
    assert ledger_sums(up_to=last) == sums
    assert db.session.scalar(select(func.count(BudgetEntry.id))) > 0
    # Every stored e-mail file (the development mail folder) is free of her too.
    folder = app.config["MAIL_FOLDER"]
    import pathlib

    for path in pathlib.Path(folder).glob("*.eml"):
        text = path.read_bytes().decode("utf-8", "replace")
        assert not [n for n in NEEDLES if n in text], path.name


def test_a_staff_applicant_is_named_only_by_their_own_account(app, client, auth, cw, move_clock):  # noqa: F811
    """A member of staff keeps the account (HR's business); nothing else names them."""
    from grants.people.models import Role

    study = make_fund(code="studie", publish_trips=True, publish_names=True)
    karen = make_user(Role.EMPLOYEE, name="Karen Kastrup", email="karen.kastrup@ballerup.dk")
    needles = ("Karen Kastrup", "Kastrup", "karen.kastrup")
    trip = her_published_trip(
        karen,
        study,
        cw.caseworker,
        name="Karen Kastrup",
        email="karen.kastrup@ballerup.dk",
        account_mail=False,
    )
    db.session.commit()
    organisation = make_organisation(make_user(name="Bo Bestyrelse"))
    db.session.commit()
    assert len(found_in_database(needles, except_account=karen.id)) > 5
    sums, last = ledger_sums(), last_entry()

    move_clock(clock.today() + dt.timedelta(days=2 * 365))
    operations.purge(1, actor=cw.admin)
    db.session.commit()
    db.session.expire_all()
    assert ledger_sums() == sums  # the purge wrote no entry and changed none

    assert found_in_database(needles, except_account=karen.id) == []
    seen = pages_and_exports(
        client, auth, cw, [trip], trip, organisation, cw.meeting.id, minutes=False
    )
    # The list of accounts shows her account, which she keeps; nothing else names her.
    seen.pop("/administration/brugere")
    named = {url: [n for n in needles if n in as_text(r.data)] for url, r in seen.items()}
    assert {url: hits for url, hits in named.items() if hits} == {}
    assert ledger_sums(up_to=last) == sums
