"""The CVR number: its modulus 11 check, and an association's name and address from the CVR
register (issue 23 point 3), asked through the adapter of the real system-to-system access
against a recorded register on loopback (tests/organisations/cvr_service.py)."""

from __future__ import annotations

import pytest
from flask import url_for
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from grants.extensions import db
from grants.organisations.cvr import WEIGHTS, CvrRegister, RegisterUnavailable, check_digit_ok
from grants.organisations.models import Organisation
from tests.factories import make_organisation
from tests.html import buttons, errors, field_error, flashes, has_error, text_of
from tests.organisations.cvr_service import CvrService

ACTIVE = "31415926"  # Skovlunde Spejdergruppe, Skolevej 2A, 2740 Skovlunde (recorded)
CEASED = "29876541"  # Måløv Ungdomsklub, ceased in 2024 (recorded)
UNKNOWN = "47110815"  # a valid number the register does not know

# An association types only what the register cannot know.
TYPED = {"kind": "association", "email": "kontakt@spejder.example.dk", "phone": ""}


def organisations() -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation))


# -- the check digit -------------------------------------------------------------------------


@pytest.mark.parametrize("cvr", [ACTIVE, CEASED, UNKNOWN, "58271713"])
def test_real_shaped_numbers_pass_the_check(cvr):
    assert check_digit_ok(cvr)


@pytest.mark.parametrize(
    "cvr", ["31415925", "13415926", "1234567", "123456789", "03141592", "3141592x", "٣١٤١٥٩٢٦", ""]
)
def test_wrong_numbers_fail_the_check(cvr):
    assert not check_digit_ok(cvr)


seven_digits = st.text(alphabet="0123456789", min_size=7, max_size=7).filter(lambda s: s[0] != "0")


@given(seven_digits)
def test_at_most_one_last_digit_completes_a_number(prefix):
    """The weights make the check digit the remainder's complement: one digit completes the
    number, or none when the complement would be 10 (such numbers are never issued)."""
    completing = [d for d in "0123456789" if check_digit_ok(prefix + d)]
    needed = -sum(int(d) * w for d, w in zip(prefix, WEIGHTS, strict=False)) % 11
    assert completing == ([] if needed == 10 else [str(needed)])


@given(seven_digits, st.integers(0, 7), st.integers(1, 9))
def test_one_mistyped_digit_is_always_caught(prefix, position, change):
    needed = -sum(int(d) * w for d, w in zip(prefix, WEIGHTS, strict=False)) % 11
    if needed == 10:
        return
    cvr = prefix + str(needed)
    digit = (int(cvr[position]) + change) % 10
    typo = cvr[:position] + str(digit) + cvr[position + 1 :]
    assert not check_digit_ok(typo)


@given(seven_digits, st.integers(0, 6))
def test_two_swapped_neighbours_are_always_caught(prefix, position):
    needed = -sum(int(d) * w for d, w in zip(prefix, WEIGHTS, strict=False)) % 11
    if needed == 10:
        return
    cvr = prefix + str(needed)
    if cvr[position] == cvr[position + 1]:
        return
    swapped = cvr[:position] + cvr[position + 1] + cvr[position] + cvr[position + 2 :]
    assert not check_digit_ok(swapped)


# -- the adapter against the recorded register -----------------------------------------------


@pytest.fixture
def register():
    with CvrService(user="ballerup", password="hemmelig") as service:
        yield service


def test_the_adapter_reads_name_address_and_status(register):
    company = CvrRegister(register.url, ("ballerup", "hemmelig")).lookup(ACTIVE)
    assert (company.name, company.address, company.postcode, company.city) == (
        "Skovlunde Spejdergruppe",
        "Skolevej 2A",
        "2740",
        "Skovlunde",
    )
    assert (company.status, company.ceased) == ("Aktiv", False)
    # The query asked exactly for that number, as the register's term query.
    assert register.queries[-1]["query"] == {"term": {"Vrvirksomhed.cvrNummer": 31415926}}


def test_the_adapter_sees_a_ceased_company_and_an_unknown_number(register):
    client = CvrRegister(register.url, ("ballerup", "hemmelig"))
    ceased = client.lookup(CEASED)
    assert ceased.ceased and ceased.address == "Måløv Hovedgade 80, 1, tv"
    assert client.lookup(UNKNOWN) is None


def test_wrong_credentials_or_no_register_is_unavailable_not_unknown(register):
    with pytest.raises(RegisterUnavailable):
        CvrRegister(register.url, ("ballerup", "forkert")).lookup(ACTIVE)
    down = CvrRegister("http://127.0.0.1:9/cvr-permanent/virksomhed/_search", timeout=2)
    with pytest.raises(RegisterUnavailable):
        down.lookup(ACTIVE)


# -- registering an association --------------------------------------------------------------


@pytest.fixture
def with_register(app, register):
    app.config.update(
        CVR_REGISTER_URL=register.url,
        CVR_REGISTER_USER="ballerup",
        CVR_REGISTER_PASSWORD="hemmelig",
    )
    yield register
    app.config.update(CVR_REGISTER_URL="")


def new_organisation(client, app, **data):
    with app.test_request_context():
        url = url_for("organisations.new")
    return client.post(url, data=data)


def test_the_register_fills_in_name_and_address(world, client, auth, app, with_register):
    auth.login(world.employee)
    # A typed name that differs from the register's is replaced by the register's.
    response = new_organisation(client, app, cvr=ACTIVE, name="Spejderne", **TYPED)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    organisation = db.session.scalars(select(Organisation)).one()
    assert (organisation.name, organisation.address, organisation.postcode, organisation.city) == (
        "Skovlunde Spejdergruppe",
        "Skolevej 2A",
        "2740",
        "Skovlunde",
    )
    assert organisation.register_fetched_at is not None
    page = client.get(response.headers["Location"])
    assert "Navn og adresse hentet fra CVR-registret" in text_of(page, "main .form-hint")


@pytest.mark.parametrize(
    "cvr, message",
    [
        (UNKNOWN, "CVR-registret kender ikke nummeret 47110815"),
        (CEASED, "er ophørt ifølge CVR-registret"),
        ("31415925", "kontrolcifret passer ikke"),
    ],
)
def test_unknown_ceased_and_mistyped_numbers_are_refused(
    world, client, auth, app, with_register, cvr, message
):
    auth.login(world.employee)
    response = new_organisation(client, app, cvr=cvr, **TYPED)
    assert response.status_code == 422
    assert message in (field_error(response, "cvr") or ""), errors(response)
    assert organisations() == 0


def test_a_register_that_does_not_answer_changes_nothing(world, client, auth, app):
    app.config.update(CVR_REGISTER_URL="http://127.0.0.1:9/cvr-permanent/virksomhed/_search")
    app.config.update(CVR_REGISTER_TIMEOUT=2)
    auth.login(world.employee)
    response = new_organisation(client, app, cvr=ACTIVE, **TYPED)
    assert response.status_code == 422
    assert has_error(response, "CVR-registret svarer ikke lige nu"), errors(response)
    assert organisations() == 0


def test_the_refusal_is_in_english_for_an_english_reader(world, client, auth, app, with_register):
    auth.login(world.employee)
    client.post("/sprog", data={"locale": "en"})
    response = new_organisation(client, app, cvr=UNKNOWN, **TYPED)
    assert response.status_code == 422
    assert has_error(response, "The CVR register does not know the number 47110815")


def test_without_a_register_the_digits_are_checked_and_the_rest_typed(world, client, auth, app):
    auth.login(world.employee)
    typed = {"name": "Spejderne", "address": "Vej 1", "postcode": "2740", "city": "Skovlunde"}
    refused = new_organisation(client, app, cvr="31415925", **TYPED, **typed)
    assert refused.status_code == 422 and organisations() == 0
    response = new_organisation(client, app, cvr=ACTIVE, **TYPED, **typed)
    assert response.status_code == 302
    organisation = db.session.scalars(select(Organisation)).one()
    assert (organisation.name, organisation.register_fetched_at) == ("Spejderne", None)
    page = client.get(response.headers["Location"])
    assert "ikke hentet fra CVR-registret" in text_of(page, "main .form-hint")


# -- fetching again --------------------------------------------------------------------------


def refresh_url(app, organisation) -> str:
    with app.test_request_context():
        return url_for("organisations.refresh_from_register", organisation_id=organisation.id)


def test_a_caseworker_fetches_the_register_again(world, client, auth, app, with_register):
    organisation = make_organisation(world.employee, name="Gammelt navn", cvr=ACTIVE)
    db.session.commit()
    auth.login(world.caseworker)
    page = client.get(f"/organisationer/{organisation.id}")
    assert "Hent navn og adresse fra CVR-registret igen" in buttons(page)
    response = client.post(refresh_url(app, organisation))
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.name == "Skovlunde Spejdergruppe"
    assert organisation.register_fetched_at is not None


def test_a_company_that_ceased_since_is_reported_and_kept(world, client, auth, app, with_register):
    organisation = make_organisation(world.employee, name="Måløv Ungdomsklub", cvr=CEASED)
    db.session.commit()
    auth.login(world.employee)
    response = client.post(refresh_url(app, organisation))
    assert response.status_code == 422
    assert has_error(response, "er ophørt ifølge CVR-registret"), errors(response)
    db.session.refresh(organisation)
    assert (organisation.name, organisation.register_fetched_at) == ("Måløv Ungdomsklub", None)


def test_an_outsider_may_not_fetch_for_another_organisation(
    world, client, auth, app, with_register
):
    organisation = make_organisation(world.employee, name="Gammelt navn", cvr=ACTIVE)
    db.session.commit()
    auth.login(world.outsider)
    response = client.post(refresh_url(app, organisation))
    assert response.status_code in (403, 404)
    db.session.refresh(organisation)
    assert organisation.name == "Gammelt navn"
    assert with_register.queries == []


def test_without_a_register_fetching_again_says_so_and_changes_nothing(world, client, auth, app):
    organisation = make_organisation(world.employee, name="Gammelt navn", cvr=ACTIVE)
    db.session.commit()
    auth.login(world.employee)
    response = client.post(refresh_url(app, organisation), follow_redirects=True)
    assert "Kommunen har ikke sat en forbindelse til CVR-registret op." in flashes(response, "info")
    db.session.refresh(organisation)
    assert (organisation.name, organisation.register_fetched_at) == ("Gammelt navn", None)
