"""The municipality's payment details for refunds, on its profile: saved, refused when they
cannot receive a payment (with nothing changed), and refused to anyone but an administrator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.audit.models import AuditEvent
from grants.core.models import Municipality
from grants.extensions import db
from tests.html import field_error, field_errors, field_label, field_value

PROFILE = {
    "name": "Ballerup Kommune",
    "cvr": "58271713",
    "email": "international@balk.dk",
    "languages": ["da", "en"],
}


def _details() -> tuple[str, str, str]:
    db.session.expire_all()
    m = Municipality.current()
    return m.refund_reg_number, m.refund_account_number, m.refund_payment_method


def test_the_payment_details_are_saved_and_audited(world, client, auth):
    auth.login(world.admin)
    data = PROFILE | {
        "refund_reg_number": " 9570 ",
        "refund_account_number": "0012345678",
        "refund_payment_method": "MobilePay 12345",
    }
    response = client.post("/administration/kommune", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _details() == ("9570", "0012345678", "MobilePay 12345")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "settings.municipality_changed")
    )
    assert event.details["after"]["refund_account_number"] == "0012345678"
    page = client.get("/administration/kommune")
    assert field_value(page, "refund_reg_number") == "9570"
    assert field_label(page, "refund_reg_number") == "Registreringsnummer til tilbagebetalinger"


def test_a_payment_method_alone_is_enough(world, client, auth):
    auth.login(world.admin)
    data = PROFILE | {
        "refund_reg_number": "",
        "refund_account_number": "",
        "refund_payment_method": "Indbetalingskort +71",
    }
    assert client.post("/administration/kommune", data=data).status_code == 302
    assert _details() == ("", "", "Indbetalingskort +71")


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"refund_reg_number": "221", "refund_account_number": "12"}, "4 cifre"),
        ({"refund_reg_number": "22a1", "refund_account_number": "12"}, "4 cifre"),
        ({"refund_reg_number": "2211", "refund_account_number": "12345678901"}, "1 til 10"),
        ({"refund_reg_number": "2211", "refund_account_number": "12-34"}, "1 til 10"),
        ({"refund_reg_number": "2211"}, "Skriv kontonummeret til registreringsnummeret."),
        ({"refund_account_number": "123456"}, "Skriv registreringsnummeret til kontonummeret."),
        ({"refund_payment_method": "x" * 501}, "højst være 500 tegn"),
    ],
)
def test_bad_payment_details_are_refused_and_nothing_changes(world, client, auth, fields, message):
    auth.login(world.admin)
    before = _details()
    blank = {"refund_reg_number": "", "refund_account_number": "", "refund_payment_method": ""}
    response = client.post(
        "/administration/kommune", data=PROFILE | {"name": "Ny"} | blank | fields
    )
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response).values()), field_errors(
        response
    )
    assert _details() == before
    assert Municipality.current().name == "Ballerup Kommune"


def test_the_form_speaks_english(world, client, auth):
    world.admin.locale = "en"
    db.session.commit()
    auth.login(world.admin)
    response = client.post(
        "/administration/kommune",
        data=PROFILE | {"refund_reg_number": "", "refund_account_number": "123456"},
    )
    assert response.status_code == 422
    assert field_label(response, "refund_reg_number") == "Registration number for refunds"
    assert field_error(response, "refund_reg_number") == (
        "Enter the registration number that goes with the account number."
    )


@pytest.mark.parametrize("who", ["caseworker", "finance", "employee"])
def test_no_one_else_may_change_them(world, client, auth, who):
    auth.login(getattr(world, who))
    before = _details()
    data = PROFILE | {"refund_reg_number": "1111", "refund_account_number": "1"}
    assert client.post("/administration/kommune", data=data).status_code == 403
    assert _details() == before
