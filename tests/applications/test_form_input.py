"""Bad input gets a clear message next to the field and saves nothing; people who may not
touch an application are refused and nothing changes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from grants.cases.models import Application, Attachment
from grants.core import clock
from grants.extensions import db
from grants.people.models import Role
from tests.applications.helpers import form_data
from tests.confirming import confirm
from tests.factories import future, make_application, make_user
from tests.html import field_error, links, one, table_rows

NEW = "/ansoegninger/ny/studierejsefonden"


def applications_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Application))


CASES = {
    "return before departure": (
        dict(departure_date=future(30).isoformat(), return_date=future(29).isoformat()),
        "return_date",
        "Hjemkomst kan ikke være før afrejse.",
    ),
    "departure in the past": (
        dict(departure_date=clock.today().replace(year=clock.today().year - 1).isoformat()),
        "departure_date",
        "Afrejsedatoen er overskredet",
    ),
    "amount not above zero": (
        dict(amount_applied="0"),
        "amount_applied",
        "Beløbet skal være større end 0 kr.",
    ),
    "negative amount": (dict(transport="-5"), "transport", "Beløbet kan ikke være negativt."),
    "amount above the budget": (
        dict(amount_applied="9500"),
        "amount_applied",
        "Du kan højst søge om 9.000,00 kr.: budgettets samlede udgifter",
    ),
    "amount that is not a number": (
        dict(amount_applied="otte tusind"),
        "amount_applied",
        "Skriv et beløb i kroner",
    ),
    "missing purpose": (dict(purpose=""), "purpose", "Beskriv formålet med rejsen."),
    "missing dates": (
        dict(departure_date="", return_date=""),
        "departure_date",
        "Skriv afrejsedatoen.",
    ),
    "missing manager": (dict(manager_id=""), "manager_id", "Vælg den leder"),
    "unknown manager": (dict(manager_id="99999"), "manager_id", "Vælg en leder fra listen."),
    "unknown country": (
        dict(destination_country="XX"),
        "destination_country",
        "Vælg et land fra listen.",
    ),
    "text far too long": (dict(title="x" * 201), "title", "Teksten må højst være 200 tegn."),
    "no budget": (
        dict(transport="", accommodation="", fees="", meals="", amount_applied="1"),
        "transport",
        "Skriv mindst én udgift i budgettet.",
    ),
    "too many travellers": (
        dict(traveller_count="1000"),
        "traveller_count",
        "Skriv et antal fra 1 til 200.",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_refused_next_to_the_field(world, client, auth, case):
    overrides, field_id, message = CASES[case]
    auth.login(world.employee)
    data = form_data(manager_id=str(world.manager.id))
    data.update(overrides)
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    # The message sits next to the field (which points at it), and the summary links there.
    assert message in (field_error(response, field_id) or "")
    assert f"#{field_id}" in links(one(response, "#error-summary"))
    assert applications_count() == 0


def test_a_draft_needs_only_a_title(world, client, auth):
    auth.login(world.employee)
    response = client.post(NEW, data={"intent": "save", "title": ""})
    assert response.status_code == 422
    assert "Giv kladden en titel" in (field_error(response, "title") or "")
    assert applications_count() == 0
    response = client.post(NEW, data={"intent": "save", "title": "Idé: Helsinki"})
    assert response.status_code == 302
    assert applications_count() == 1


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    "name, content, accepted",
    [
        ("program.pdf", PDF, True),
        ("program.png", PNG, True),
        ("program.pdf", PNG, False),  # a picture calling itself a PDF
        ("program.pdf", b"MZ\x90\x00 not a pdf", False),
        ("program.exe", b"MZ\x90\x00", False),
        ("../../etc/passwd.pdf", PDF, True),  # the name is only a label, never a path
    ],
)
def test_the_programme_file_is_checked_by_content(world, client, auth, name, content, accepted):
    auth.login(world.employee)
    data = form_data(manager_id=str(world.manager.id), intent="save")
    data["programme_file"] = (io.BytesIO(content), name)
    response = client.post(NEW, data=data, content_type="multipart/form-data")
    if accepted:
        assert response.status_code == 302
        attachment = db.session.scalars(select(Attachment)).one()
        assert "/" not in attachment.filename and ".." not in attachment.filename.split(".")[0]
        assert attachment.size == len(content)
        download = client.get(f"/ansoegninger/{attachment.application_id}/bilag/{attachment.id}")
        assert download.data == content
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Disposition"].startswith("attachment")
    else:
        assert response.status_code == 422
        assert field_error(response, "programme_file")
        assert applications_count() == 0


def test_others_cannot_see_or_edit_a_draft(world, client, auth):
    application = make_application(world.employee, world.fund, title="Min kladde")
    db.session.commit()
    for person in (world.manager, world.caseworker, world.outsider, world.admin):
        auth.login(person)
        assert client.get(f"/ansoegninger/{application.id}").status_code == 403
        assert client.get(f"/ansoegninger/{application.id}/rediger").status_code == 403
        response = client.post(
            f"/ansoegninger/{application.id}/rediger", data=form_data(title="Overtaget")
        )
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Application, application.id).title == "Min kladde"


def test_a_submitted_application_cannot_be_edited(world, client, auth):
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.employee)
    assert (
        client.post(
            f"/ansoegninger/{application.id}/rediger", data=form_data(title="Ændret")
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(Application, application.id).title != "Ændret"


def test_anonymous_is_sent_to_log_in(world, client):
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    for url in (
        NEW,
        f"/ansoegninger/{application.id}",
        "/arbejdskoe",
        "/budgetter",
        "/ansoegninger/mine",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/log-ind" in response.headers["Location"]


def test_an_outsider_cannot_take_steps_or_decide(world, client, auth):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    auth.login(world.outsider)
    assert client.post(f"/ansoegninger/{application.id}/trin/endorse").status_code == 403
    assert (
        confirm(
            client, f"/ansoegninger/{application.id}/afgoerelse", {"action": "grant"}
        ).status_code
        == 403
    )
    auth.login(world.manager)  # may see the case, but deciding is not theirs
    response = confirm(client, f"/ansoegninger/{application.id}/afgoerelse", {"action": "grant"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "awaiting_decision"


def test_decision_input_is_checked(world, client, auth):
    application = make_application(
        world.employee, world.fund, amount=8000, state="awaiting_decision"
    )
    db.session.commit()
    auth.login(world.caseworker)
    url = f"/ansoegninger/{application.id}/afgoerelse"
    for data, field, message in [
        ({"action": "refuse", "reasons": ""}, "reasons", "Skriv en begrundelse"),
        ({"action": "grant_part", "amount": "", "reasons": "Delvis."}, "amount", "Skriv det beløb"),
        (
            {"action": "grant_part", "amount": "9000", "reasons": "Delvis."},
            "amount",
            "under det ansøgte",
        ),
        ({"action": "grant_part", "amount": "0", "reasons": "Delvis."}, "amount", "over 0 kr."),
        ({"action": "explode"}, "action", "Vælg en af mulighederne."),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 422, data
        assert message in (field_error(response, field) or ""), data
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "awaiting_decision"


@pytest.mark.parametrize("typed", ["12345678901234", "12345678901234567890"])
def test_a_too_large_decision_amount_says_so_however_many_digits(world, client, auth, typed):
    application = make_application(
        world.employee, world.fund, amount=8000, state="awaiting_decision"
    )
    db.session.commit()
    auth.login(world.caseworker)
    response = client.post(
        f"/ansoegninger/{application.id}/afgoerelse",
        data={"action": "grant_part", "amount": typed, "reasons": "Delvis."},
    )
    assert response.status_code == 422
    assert field_error(response, "amount") == (
        "Beløbet er for stort: det kan højst være 10.000.000,00 kr."
    )
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "awaiting_decision"


def test_budget_pages_are_for_staff(world, client, auth):
    auth.login(world.employee)
    assert client.get("/budgetter").status_code == 403
    assert client.get("/budgetter/studierejsefonden/2026").status_code == 403
    auth.login(world.finance)
    page = client.get("/budgetter").get_data(as_text=True)
    rows = table_rows(page)
    fund_row = next(row for row in rows if row[0] == "Studierejsefonden")
    assert "100.000,00 kr." in fund_row
    assert client.get("/budgetter/ukendt/2026").status_code == 404


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"amount_applied": "1e400"}, "amount_applied"),
        ({"transport": "1e5"}, "transport"),
        ({"return_date": "9999-12-31"}, "return_date"),
        (
            {
                "departure_date": (dt.date.today() + dt.timedelta(days=4000)).isoformat(),
                "return_date": (dt.date.today() + dt.timedelta(days=4003)).isoformat(),
            },
            "departure_date",
        ),
    ],
)
def test_absurd_input_is_refused_not_crashed(world, client, auth, overrides, field):
    auth.login(world.employee)
    response = client.post(
        "/ansoegninger/ny/studierejsefonden",
        data=form_data(manager_id=str(world.manager.id), **overrides),
    )
    assert response.status_code == 422
    assert field_error(response, field)


def test_the_endorsing_manager_is_the_employees_own(world, client, auth):
    other_manager = make_user(Role.EMPLOYEE, Role.MANAGER, name="Anden Leder")
    db.session.commit()
    auth.login(world.employee)
    response = client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(other_manager.id))
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_a_new_application_sent_twice_makes_one_case(world, client, auth):
    """A double click on "Indsend", or the page sent again: the form's own key finds the case
    made by the first, no second case and no second round of e-mails."""
    auth.login(world.employee)
    page = client.get(NEW)
    key = one(page, "input[name=form_key]")["value"]
    assert len(key) == 32
    first = client.post(NEW, data=form_data(form_key=key, manager_id=str(world.manager.id)))
    assert first.status_code == 302
    again = client.post(NEW, data=form_data(form_key=key, manager_id=str(world.manager.id)))
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert applications_count() == 1
    # Another person cannot reach that case with its key: they make their own.
    auth.login(world.outsider)
    other = client.post(NEW, data=form_data(form_key=key, manager_id=str(world.manager.id)))
    assert other.headers.get("Location") != first.headers["Location"]
    # A new form is a new key: a second trip is a second case.
    auth.login(world.employee)
    fresh = one(client.get(NEW), "input[name=form_key]")["value"]
    assert fresh != key
    client.post(NEW, data=form_data(form_key=fresh, manager_id=str(world.manager.id)))
    assert applications_count() == 2


@pytest.mark.parametrize("locale", ["da", "en"])
def test_an_unreadable_budget_line_does_not_lower_the_limit_shown(world, client, auth, locale):
    # "6.500" is refused as ambiguous beside the transport line; the amount applied is not
    # then held to a total without that line ("at most 1.000,00 kr." for 8.000 kr. asked),
    # nor the other funding called larger than the budget.
    auth.login(world.employee)
    world.employee.locale = locale
    db.session.commit()
    auth.login(world.employee)
    data = form_data(
        manager_id=str(world.manager.id),
        transport="6.500",
        accommodation="1000",
        fees="",
        meals="",
        other_funding="1500",
        amount_applied="5000",
    )
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    assert "6.500" in (field_error(response, "transport") or "")
    assert field_error(response, "amount_applied") is None
    assert field_error(response, "other_funding") is None
    assert applications_count() == 0
    # The only line refused: the budget is not called empty beside another line.
    data.update(transport="", accommodation="6.500", other_funding="")
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    assert "6.500" in (field_error(response, "accommodation") or "")
    assert field_error(response, "transport") is None
    assert applications_count() == 0


def test_a_crafted_preview_on_the_study_trip_form_saves_nothing(world, client, auth):
    """The study-trip form offers no preview: intent=preview is refused, no draft made."""
    auth.login(world.employee)
    data = form_data(manager_id=str(world.manager.id), intent="preview")
    response = client.post(NEW, data=data)
    assert response.status_code == 400
    assert applications_count() == 0
    application = make_application(world.employee, world.fund, title="Min kladde")
    db.session.commit()
    response = client.post(f"/ansoegninger/{application.id}/rediger", data=data)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Application, application.id).title == "Min kladde"
