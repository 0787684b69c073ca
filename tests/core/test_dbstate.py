"""The fingerprint the "a refused request changes nothing" tests rely on sees every kind of
change, on either database (PostgreSQL hashes in the database, SQLite in Python)."""

import datetime as dt

from grants.extensions import db
from grants.partners.models import PartnerCity, Relation
from tests.dbstate import table_fingerprint


def city(name: str) -> PartnerCity:
    found = PartnerCity(
        name=name, country="CZ", relation=list(Relation)[0], valid_from=dt.date(2020, 1, 1)
    )
    db.session.add(found)
    db.session.commit()
    return found


def test_the_fingerprint_sees_an_insert_an_update_and_a_delete(app):
    prague = city("Prag")
    before = table_fingerprint()
    assert before == table_fingerprint()

    prague.note = "Venskabsby"
    db.session.commit()
    updated = table_fingerprint()
    assert updated["partner_city"] != before["partner_city"]
    assert updated["partner_city"][0] == before["partner_city"][0] == 1  # same row count

    brno = city("Brno")
    assert table_fingerprint()["partner_city"][0] == 2

    db.session.delete(brno)
    db.session.commit()
    assert table_fingerprint()["partner_city"] == updated["partner_city"]


def test_skipped_tables_are_left_out(app):
    assert "partner_city" not in table_fingerprint({"partner_city"})
    assert "form_draft" not in table_fingerprint()
    assert "form_draft" in table_fingerprint(drafts=True)
