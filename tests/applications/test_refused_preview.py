"""A refused application form never shows a subsidy worked out from what it refused (as the
report form's preview, tests/reports/test_refused_preview.py): neither the calculation nor
the figure under the counts; they say it cannot be worked out until the fields are corrected.
A refusal by a rule of the domain (the rules give nothing and no dispensation is asked for)
is the same: the reason stands beside its field."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.cases.models import Application
from grants.extensions import db
from tests.applications.test_youth_journey import maaloev_scouts, trip_form, youth  # noqa: F401
from tests.html import errors, field_error, one, page_text

URL = "/ansoegninger/ny/ungdomsrejser"
CANNOT = {
    "da": "Tilskuddet kan ikke beregnes, før de markerede felter er rettet.",
    "en": "The subsidy cannot be worked out until the marked fields are corrected.",
}
WORKED_OUT = ("12 unge + 2 ledere", "12 young people + 2 leaders", "7.000,00 kr.", "DKK 7,000.00")


def _sign_in(world, auth, locale):
    organisation = maaloev_scouts(world.outsider)
    world.outsider.locale = locale
    db.session.commit()
    auth.login(world.outsider)
    return organisation


def _nothing_worked_out(response, locale):
    text = page_text(response)
    assert CANNOT[locale] in page_text(one(response, "#calculation"))
    assert CANNOT[locale] in page_text(one(response, "#calculation-summary"))
    assert not any(shown in text for shown in WORKED_OUT), text[text.find("Tilsk") :][:800]
    assert "Tilskud i alt" not in text and "Total grant" not in text


@pytest.mark.parametrize("locale", ["da", "en"])
@pytest.mark.parametrize("intent", ["preview", "save", "submit"])
def test_a_refused_field_gives_no_subsidy_preview(world, youth, client, auth, locale, intent):  # noqa: F811
    organisation = _sign_in(world, auth, locale)
    # The counts are fine, the last day is before the first: the nights cannot be counted.
    data = trip_form(organisation.id, youth["prague"].id, intent=intent)
    data["return_date"], data["departure_date"] = data["departure_date"], data["return_date"]
    response = client.post(URL, data=data)
    assert response.status_code == 422
    assert field_error(response, "return_date")
    _nothing_worked_out(response, locale)
    assert db.session.scalars(select(Application)).all() == []


@pytest.mark.parametrize("locale", ["da", "en"])
def test_a_refusal_by_the_rules_gives_no_subsidy_preview(world, youth, client, auth, locale):  # noqa: F811
    organisation = _sign_in(world, auth, locale)
    # A partner city no longer valid: the rules give nothing, and no dispensation is asked.
    response = client.post(URL, data=trip_form(organisation.id, youth["former"].id))
    assert response.status_code == 422
    assert errors(response)  # the rule's reason, beside its field
    text = page_text(one(response, "#calculation"))
    assert CANNOT[locale] in text
    assert "Tilskud i alt" not in text and "Total grant" not in text
    assert db.session.scalars(select(Application)).all() == []


def test_a_valid_preview_still_shows_the_subsidy(world, youth, client, auth):  # noqa: F811
    organisation = _sign_in(world, auth, "da")
    response = client.post(
        URL, data=trip_form(organisation.id, youth["prague"].id, intent="preview")
    )
    assert response.status_code == 200
    assert "12 unge + 2 ledere = 14 personer" in page_text(response)
    assert "7.000,00 kr." in page_text(one(response, "#calculation-summary"))
    assert CANNOT["da"] not in page_text(response)


# -- A new application refused stays a new one ----------------------------------------------


def test_a_new_application_refused_by_the_domain_is_still_new(world, client, auth):
    """A file refused by its content rolls back the case the form was being saved as: the
    page offers the new application's form again (its own address and its form key), never
    the editing of a case that does not exist (whose number another case may get)."""
    import io

    from tests.applications.helpers import form_data

    url = f"/ansoegninger/ny/{world.fund.code}"
    auth.login(world.employee)
    data = form_data(manager_id=str(world.manager.id), intent="submit")
    data["programme_file"] = (io.BytesIO(b"MZ\x90\x00 not a pdf"), "program.pdf")
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response, "programme_file")
    form = one(response, "form[enctype='multipart/form-data']")
    assert form["action"] == url
    assert form["data-draft-url"] == f"{url}/kladde"
    assert form.select_one("input[name=form_key]") is not None
    assert db.session.scalars(select(Application)).all() == []


def test_a_new_youth_application_refused_by_the_rules_is_still_new(world, youth, client, auth):  # noqa: F811
    organisation = _sign_in(world, auth, "da")
    response = client.post(URL, data=trip_form(organisation.id, youth["former"].id))
    assert response.status_code == 422
    form = one(response, "#subsidy-form")
    assert form["action"] == URL
    assert form.select_one("input[name=form_key]") is not None
    assert "Ret ansøgning" not in page_text(one(response, "title"))
