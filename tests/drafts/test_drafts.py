"""Nothing typed is lost (issue 21, point 9): the forms' drafts as the person types, kept
server-side per person and form, restored with a notice and discarded on request; a refused
form keeps what was typed, and says a chosen file must be chosen again. And the live budget
total and the amount limits' messages (point 10)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from sqlalchemy import func, select

from grants.cases.models import Application
from grants.core import clock
from grants.drafts.models import FormDraft
from grants.extensions import db
from grants.notifications.models import OutboxMessage
from grants.workflow.models import JournalEntry
from tests.applications.helpers import form_data
from tests.applications.test_youth_journey import trip_form
from tests.factories import make_application, make_organisation, make_user
from tests.html import field_error, field_value, flashes, has_button, one, page_text, text
from tests.html import page as html_page

NEW = "/ansoegninger/ny/studierejsefonden"
DRAFT = NEW + "/kladde"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def autosave(client, url, fields, **headers):
    return client.post(
        url,
        data=json.dumps({"fields": fields}),
        content_type="application/json",
        headers=headers,
    )


def drafts_of(user) -> list[FormDraft]:
    db.session.expire_all()
    return list(db.session.scalars(select(FormDraft).where(FormDraft.user_id == user.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_typed_text_is_saved_restored_and_discarded(world, client, auth):
    auth.login(world.employee)
    response = autosave(
        client,
        DRAFT,
        {
            "title": "Studietur til Helsinki",
            "purpose": "At lære <b>inklusion</b>.",
            "transport": "6.500",  # ambiguous: kept as typed, refused only when sent
            "amount_applied": "otte tusind",
            # Not the form's own: never kept.
            "csrf_token": "x",
            "form_key": "0" * 32,
            "applicant_id": "1",
            "state": "granted",
            "intent": "submit",
            "title_2": {"nested": "object"},
        },
    )
    assert response.status_code == 200
    assert re.fullmatch(r"Kladde gemt kl\. \d\d\.\d\d", response.get_json()["message"])
    (draft,) = drafts_of(world.employee)
    assert set(draft.fields) == {"title", "purpose", "transport", "amount_applied"}
    assert count(Application) == 0

    # Coming back (another day, another device): the form is filled from the draft, with a
    # notice and a way to throw it away; nothing typed is read as an error yet.
    page = client.get(NEW)
    assert page.status_code == 200
    assert field_value(page, "title") == "Studietur til Helsinki"
    assert field_value(page, "purpose") == "At lære <b>inklusion</b>."
    assert field_value(page, "transport") == "6.500"
    assert field_value(page, "amount_applied") == "otte tusind"
    assert "Formularen er udfyldt fra din kladde" in text(one(page, "#draft-notice"))
    assert has_button(page, "Kassér kladden")
    assert "<b>inklusion" not in page.get_data(as_text=True)  # escaped, as every value
    assert field_error(page, "transport") is None

    # Sent from the draft: the form refuses what no amount is, and nothing is created.
    data = form_data(
        manager_id=str(world.manager.id), transport="6.500", amount_applied="otte tusind"
    )
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    assert "kan læses som" in field_error(response, "transport")
    assert "Skriv et beløb i kroner" in field_error(response, "amount_applied")
    assert count(Application) == 0
    # What the refused form held is the draft now (the person may leave and come back).
    (draft,) = drafts_of(world.employee)
    assert draft.fields["travellers"] == "Mette Madsen, pædagog"
    assert draft.fields["transport"] == "6.500"

    # Discarded: the form is empty again.
    response = client.post(DRAFT, data={"discard": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(NEW)
    assert drafts_of(world.employee) == []
    page = client.get(NEW)
    assert "Kladden er kasseret." in flashes(page)
    assert field_value(page, "title") == ""
    assert html_page(page).find(id="draft-notice") is None


def test_saving_or_sending_the_form_forgets_its_draft(world, client, auth):
    auth.login(world.employee)
    assert autosave(client, DRAFT, {"title": "Helsinki"}).status_code == 200
    response = client.post(NEW, data=form_data(manager_id=str(world.manager.id), intent="save"))
    assert response.status_code == 302
    assert drafts_of(world.employee) == []
    application = db.session.scalars(select(Application)).one()
    # Changes to the saved application have a draft of their own, forgotten when sent.
    url = f"/ansoegninger/{application.id}/rediger"
    assert autosave(client, url + "/kladde", {"title": "Helsinki og Tampere"}).status_code == 200
    assert field_value(client.get(url), "title") == "Helsinki og Tampere"
    response = client.post(url, data=form_data(manager_id=str(world.manager.id)))
    assert response.status_code == 302
    assert drafts_of(world.employee) == []


def test_a_draft_is_no_case_event_and_sends_no_mail(world, client, auth):
    application = make_application(world.employee, world.fund, title="Min kladde")
    db.session.commit()
    journal, mails = count(JournalEntry), count(OutboxMessage)
    auth.login(world.employee)
    url = f"/ansoegninger/{application.id}/rediger/kladde"
    for title in ("Ny titel", "Nyere titel"):
        assert autosave(client, url, {"title": title}).status_code == 200
    assert (count(JournalEntry), count(OutboxMessage)) == (journal, mails)
    db.session.expire_all()
    assert db.session.get(Application, application.id).title == "Min kladde"
    assert len(drafts_of(world.employee)) == 1


def test_other_peoples_drafts_are_invisible(world, client, auth):
    application = make_application(world.employee, world.fund, title="Min kladde")
    db.session.commit()
    auth.login(world.employee)
    autosave(client, DRAFT, {"title": "Hemmelig idé"})
    autosave(client, f"/ansoegninger/{application.id}/rediger/kladde", {"title": "Hemmelig ret"})
    # Another employee, to whom the same fund is open, sees an empty form of their own.
    auth.login(world.outsider)
    page = client.get(NEW)
    assert "Hemmelig" not in page.get_data(as_text=True)  # nowhere, not even in a field
    assert html_page(page).find(id="draft-notice") is None
    # The case's draft URL is the case's: refused like the case, nothing saved or shown.
    for person in (world.outsider, world.manager, world.caseworker):
        auth.login(person)
        url = f"/ansoegninger/{application.id}/rediger/kladde"
        assert autosave(client, url, {"title": "Overtaget"}).status_code in (403, 404)
        assert client.post(url, data={"discard": "1"}).status_code in (403, 404)
        assert client.get(f"/ansoegninger/{application.id}/rediger").status_code in (403, 404)
        assert drafts_of(person) == []
    # Their discarding throws away only their own: the employee's drafts are all there.
    assert len(drafts_of(world.employee)) == 2
    # A fund that is not open to the person (or does not exist): not found.
    assert autosave(client, "/ansoegninger/ny/findes-ikke/kladde", {}).status_code == 404
    auth.logout()
    response = autosave(client, DRAFT, {"title": "Anonym"})
    assert response.status_code in (302, 401)
    assert count(FormDraft) == 2


def test_a_draft_must_be_json_of_texts_and_not_too_large(app, world, client, auth):
    auth.login(world.employee)
    for body, content_type in (
        ("not json", "application/json"),
        ("[1, 2]", "application/json"),
        (json.dumps({"fields": "title"}), "application/json"),
        ("title=x", "application/x-www-form-urlencoded"),
    ):
        response = client.post(DRAFT, data=body, content_type=content_type)
        assert response.status_code == 400, body
    # A value that is not text is left out; the texts are kept.
    response = autosave(client, DRAFT, {"title": 7, "purpose": ["a", 1], "programme": "ok"})
    assert response.status_code == 200
    assert drafts_of(world.employee)[0].fields == {"programme": "ok"}
    limit = app.config["FORM_DRAFT_MAX_BYTES"]
    response = autosave(client, DRAFT, {"programme": "æ" * limit})
    assert response.status_code == 413
    assert drafts_of(world.employee)[0].fields == {"programme": "ok"}


def test_the_draft_endpoint_is_csrf_protected(app, world, client, auth):
    auth.login(world.employee)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        token = one(client.get(NEW), "form[data-draft-url] input[name=csrf_token]")["value"]
        assert autosave(client, DRAFT, {"title": "Uden nøgle"}).status_code == 400
        assert drafts_of(world.employee) == []
        response = autosave(client, DRAFT, {"title": "Med nøgle"}, **{"X-CSRFToken": token})
        assert response.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert drafts_of(world.employee)[0].fields == {"title": "Med nøgle"}


def test_a_form_refused_for_one_error_keeps_everything_typed(world, client, auth):
    """Every field as typed, also after leaving the page; the file must be chosen again,
    and the page says so beside its field."""
    auth.login(world.employee)
    data = form_data(
        manager_id=str(world.manager.id),
        return_date=(clock.today() + dt.timedelta(days=59)).isoformat(),  # before departure
    )
    sent = dict(data, programme_file=(io.BytesIO(PDF), "program.pdf"))
    response = client.post(NEW, data=sent, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Hjemkomst kan ikke være før afrejse." in field_error(response, "return_date")
    assert "Vælg filen igen (program.pdf)" in field_error(response, "programme_file")
    # Also without JavaScript the page says that what was typed is kept.
    assert re.fullmatch(r"Kladde gemt kl\. \d\d\.\d\d", text(one(response, "#draft-status")))
    for source in (response, client.get(NEW)):
        for name, value in data.items():
            if name != "intent":
                assert field_value(source, name) == value, name


def test_a_refused_new_file_in_an_edit_is_named_beside_its_field(world, client, auth):
    application = make_application(world.employee, world.fund, title="Min kladde")
    db.session.commit()
    auth.login(world.employee)
    url = f"/ansoegninger/{application.id}/rediger"
    data = form_data(manager_id=str(world.manager.id), amount_applied="nul")
    sent = dict(data, programme_file=(io.BytesIO(PDF), "dagsprogram.pdf"))
    response = client.post(url, data=sent, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "dagsprogram.pdf" in field_error(response, "programme_file")
    assert field_value(client.get(url), "amount_applied") == "nul"


@pytest.mark.parametrize(
    "locale, expected",
    [
        (
            "da",
            "Du kan højst søge om 9.000,00 kr.: budgettets samlede udgifter minus anden "
            "finansiering.",
        ),
        ("en", "You can apply for at most 9,000.00 kr.: "),
    ],
)
def test_an_amount_above_the_limit_says_the_limit(world, client, auth, locale, expected):
    auth.login(world.employee)
    client.post("/sprog", data={"locale": locale})
    # Costs 10.000,00 kr., other funding 1.000,00 kr.: at most 9.000,00 kr.
    data = form_data(manager_id=str(world.manager.id), amount_applied="9.000,01")
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    assert expected in field_error(response, "amount_applied")
    response = client.post(NEW, data=dict(data, amount_applied="9000"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "locale, expected",
    [
        ("da", "Beløbet er for stort: det kan højst være 10.000.000,00 kr."),
        ("en", "The amount is too large: at most 10,000,000.00 kr."),
    ],
)
def test_an_amount_above_the_largest_says_the_largest(world, client, auth, locale, expected):
    auth.login(world.employee)
    client.post("/sprog", data={"locale": locale})
    data = form_data(manager_id=str(world.manager.id), transport="10.000.000,01")
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    assert expected in field_error(response, "transport")


def test_the_budget_total_is_shown_beside_the_lines(world, client, auth):
    auth.login(world.employee)
    data = form_data(manager_id=str(world.manager.id), fees="otte", amount_applied="1")
    response = client.post(NEW, data=data)
    total = one(response, "[data-budget-total]")
    # 3000 + 4000 + 1000 (the fee is no amount, and is not counted: the page says so).
    assert text(total.find("output")) == "8.000,00 kr."
    assert not total.find(attrs={"data-budget-unreadable": True}).has_attr("hidden")
    assert total["data-lines"] == "transport accommodation fees meals per_diem other"
    assert "Udgifter i alt:" in page_text(client.get(NEW))


def test_old_drafts_go_with_the_privacy_purge(app, world, client, auth):
    from grants.privacy.operations import purge

    auth.login(world.employee)
    autosave(client, DRAFT, {"title": "Gammel"})
    other = make_user(name="Ny Kladde")
    db.session.add(FormDraft(user_id=other.id, form_key="application-new:1", fields={}))
    db.session.commit()
    days = app.config["FORM_DRAFT_KEEP_DAYS"]
    old = drafts_of(world.employee)[0]
    old.saved_at = clock.now() - dt.timedelta(days=days, minutes=1)
    db.session.commit()
    assert purge(6, dry_run=True).drafts == 0
    assert count(FormDraft) == 2
    plan = purge(6)
    db.session.commit()
    assert plan.drafts == 1
    assert drafts_of(world.employee) == [] and len(drafts_of(other)) == 1


# -- the report and accounts ---------------------------------------------------------------


def test_the_report_form_has_a_draft_of_its_own(world, client, auth):
    from grants.reports.views import bp  # noqa: F401  - registered by the app
    from tests.reports.helpers import granted_case, report_data

    application = granted_case(world)
    url = f"/ansoegninger/{application.id}/rapport"
    auth.login(world.employee)
    response = autosave(
        client,
        url + "/kladde",
        {"what_was_done": "Besøgte tre skoler.", "transport": "2.500,5", "receipts": "x"},
    )
    assert response.status_code == 200
    assert drafts_of(world.employee)[0].fields == {
        "what_was_done": "Besøgte tre skoler.",
        "transport": "2.500,5",
    }
    page = client.get(url)
    assert field_value(page, "what_was_done") == "Besøgte tre skoler."
    assert "Formularen er udfyldt fra din kladde" in page_text(page)
    # Refused (no receipt for the costs... and an error): the chosen receipt is named.
    data = report_data(application, transport="abc")
    data["receipts"] = (io.BytesIO(PDF), "kvittering.pdf")
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "kvittering.pdf" in field_error(response, "receipts")
    assert drafts_of(world.employee)[0].fields["transport"] == "abc"
    # Others: refused, and nothing of the draft shown.
    for person in (world.outsider, world.caseworker):
        auth.login(person)
        assert autosave(client, url + "/kladde", {"what_was_done": "x"}).status_code in (
            403,
            404,
        )
        assert "Besøgte tre skoler" not in client.get(url).get_data(as_text=True)
    auth.login(world.employee)
    assert client.post(url + "/kladde", data={"discard": "1"}).status_code == 302
    assert drafts_of(world.employee) == []


# -- an association's youth trip ------------------------------------------------------------


def test_an_associations_form_keeps_what_each_member_typed(world, youth, client, auth):
    """Two members of an association: each one's typing is their own draft (the
    organisation shares the application once it is saved); a refused youth form keeps
    everything typed."""
    first, second = make_user(name="Frida Frost"), make_user(name="Søren Strand")
    organisation = make_organisation(first, second)
    db.session.commit()
    url = "/ansoegninger/ny/ungdomsrejser"
    auth.login(first)
    response = autosave(client, url + "/kladde", {"title": "Fridas orkestertur", "meals": "6,5"})
    assert response.status_code == 200
    assert field_value(client.get(url), "title") == "Fridas orkestertur"
    auth.login(second)
    assert "Fridas orkestertur" not in client.get(url).get_data(as_text=True)
    assert drafts_of(second) == []

    data = trip_form(organisation.id, youth["prague"].id, birth_years="2008, 20O9")
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "“20O9” er ikke et årstal" in field_error(response, "birth_years")
    for source in (response, client.get(url)):
        for name, value in data.items():
            if name not in ("intent", "host_group_size"):  # asked only when hosting
                assert field_value(source, name) == value, name
    assert count(Application) == 0
    auth.login(first)
    assert field_value(client.get(url), "title") == "Fridas orkestertur"
