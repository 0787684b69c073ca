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
