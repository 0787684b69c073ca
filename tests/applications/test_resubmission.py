"""A resubmission after a request for information journalises what changed, field by field,
as facts worded for the reader, with the applicant's reply to the caseworker's question."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants.applications import changes
from grants.cases.models import Application
from grants.extensions import db
from grants.workflow.models import JournalEntry
from tests.applications.resubmission import (
    PROGRAMME_V2,
    QUESTION,
    data,
    post_form,
    waiting_for_information,
    with_file,
)
from tests.dbstate import table_fingerprint
from tests.factories import future
from tests.html import field_error, field_value, page_text

REPLY = "Beløbet er rettet, og det endelige program er vedhæftet."


def resubmit(world, client, application, **overrides):
    values = data(world, **overrides)
    if "programme_file" not in overrides:
        values = with_file(values, PROGRAMME_V2, "program-endelig.pdf")
    return post_form(client, f"/ansoegninger/{application.id}/rediger", values)


def entry(application, action: str) -> JournalEntry:
    db.session.expire_all()
    return [e for e in application.journal if e.action == action][-1]


def resubmit_the_issues_changes(world, client, auth):
    """The amount 19.500,50 → 18.100,50 kr., the departure a day later, a new programme."""
    application = waiting_for_information(world, client, auth)
    auth.login(world.employee)
    response = resubmit(
        world,
        client,
        application,
        amount_applied="18.100,50",
        departure_date=future(61).isoformat(),
        reply=REPLY,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return application


def test_the_journal_records_each_change_as_facts(world, client, auth):
    application = resubmit_the_issues_changes(world, client, auth)
    resubmitted = entry(application, "resubmit")
    assert resubmitted.comment == REPLY
    found = {c["field"]: c for c in resubmitted.details[changes.CHANGES]}
    assert set(found) == {"amount_applied", "departure_date", "document.programme"}
    assert found["amount_applied"] == {
        "field": "amount_applied",
        "kind": "money",
        "old": "19500.50",
        "new": "18100.50",
    }
    assert (found["departure_date"]["old"], found["departure_date"]["new"]) == (
        future(60).isoformat(),
        future(61).isoformat(),
    )
    programme = found["document.programme"]
    assert (programme["old"]["version"], programme["new"]["version"]) == (1, 2)
    assert programme["new"]["filename"] == "program-endelig.pdf"


def test_the_changes_and_the_reply_read_in_the_readers_language(world, client, auth):
    application = resubmit_the_issues_changes(world, client, auth)
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    # Shown to the caseworker at the top, with the question it answers, and in the journal.
    box = page[page.index('id="information-answer"') :][:3000]
    assert QUESTION in box and REPLY in box
    expected_da = [
        "Ansøgt beløb: 19.500,50 kr. → 18.100,50 kr.",
        f"Afrejse: {_long(future(60), 'da')} → {_long(future(61), 'da')}",
        "Program: version 1 (program.pdf) → version 2 (program-endelig.pdf)",
    ]
    journal = page[page.index('id="journal-heading"') :]
    for line in expected_da:
        assert line in box and line in journal, line
    client.post("/sprog", data={"locale": "en"})
    page = page_text(client.get(f"/ansoegninger/{application.id}"))
    for line in (
        "Amount applied for: 19,500.50 kr. → 18,100.50 kr.",
        f"Departure: {_long(future(60), 'en')} → {_long(future(61), 'en')}",
        "Programme: version 1 (program.pdf) → version 2 (program-endelig.pdf)",
        "Reply to the request for information",
    ):
        assert line in page, line
    assert REPLY in page  # the applicant's own words, as written


def _long(day: dt.date, locale: str) -> str:
    from grants.core.formatting import long_date

    return long_date(day, locale)


def test_a_resubmission_without_a_reply_is_refused_at_the_field_and_changes_nothing(
    world, client, auth
):
    application = waiting_for_information(world, client, auth)
    auth.login(world.employee)
    before = table_fingerprint()
    for reply in ("", "   \n "):
        response = resubmit(world, client, application, amount_applied="18.100,50", reply=reply)
        assert response.status_code == 422
        assert field_error(response, "reply") == "Skriv dit svar."
        assert table_fingerprint() == before
    # A reply longer than the field allows is refused the same way.
    response = resubmit(world, client, application, reply="x" * 5001)
    assert response.status_code == 422 and field_error(response, "reply")
    assert table_fingerprint() == before


def test_the_reply_field_appears_only_when_information_was_requested(world, client, auth):
    auth.login(world.employee)
    page = client.get("/ansoegninger/ny/studierejsefonden")
    assert field_value(page, "title") is not None  # the form is there, the reply field is not
    assert field_value(page, "reply") is None
    # A reply posted with a first submission is ignored, not kept.
    response = client.post("/ansoegninger/ny/studierejsefonden", data=data(world, reply="Hej"))
    assert response.status_code == 302
    submitted = db.session.scalars(db.select(JournalEntry).where(JournalEntry.action == "submit"))
    assert [e.comment for e in submitted] == [""]
    assert db.session.scalars(db.select(Application)).one().reply_draft == ""


def test_a_draft_keeps_the_reply_until_it_is_sent(world, client, auth):
    application = waiting_for_information(world, client, auth)
    auth.login(world.employee)
    response = resubmit(
        world, client, application, amount_applied="18.100,50", reply=REPLY, intent="save"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (application.state, application.reply_draft) == ("awaiting_information", REPLY)
    page = client.get(f"/ansoegninger/{application.id}/rediger").get_data(as_text=True)
    assert REPLY in page[page.index('id="reply"') :][:600]
    # Sent later with the reply as saved: the changes count from what the caseworker saw,
    # not from the draft saved in between.
    values = data(world, amount_applied="18.100,50", reply=REPLY)
    response = post_form(client, f"/ansoegninger/{application.id}/rediger", values)
    assert response.status_code == 302
    resubmitted = entry(application, "resubmit")
    assert resubmitted.comment == REPLY
    fields = {c["field"]: c for c in resubmitted.details[changes.CHANGES]}
    assert fields["amount_applied"]["old"] == "19500.50"
    assert fields["document.programme"]["old"]["version"] == 1  # the draft's new version
    assert db.session.get(type(application), application.id).reply_draft == ""


def test_an_unchanged_application_says_so(world, client, auth):
    application = waiting_for_information(world, client, auth)
    auth.login(world.employee)
    values = data(world, amount_applied="19.500,50", reply="Programmet er uændret.")
    assert post_form(client, f"/ansoegninger/{application.id}/rediger", values).status_code == 302
    assert entry(application, "resubmit").details[changes.CHANGES] == []
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "Ansøgningen er ikke ændret." in page_text(page)


def test_markup_in_the_reply_is_shown_as_text(world, client, auth):
    application = waiting_for_information(world, client, auth)
    auth.login(world.employee)
    reply = '<script>alert("x")</script><b>fed</b>'
    response = resubmit(world, client, application, reply=reply)
    assert response.status_code == 302
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<b>fed</b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;fed&lt;/b&gt;" in page


def test_nobody_else_resubmits(world, client, auth):
    application = waiting_for_information(world, client, auth)
    for person in (world.caseworker, world.manager, world.outsider):
        auth.login(person)
        before = table_fingerprint()
        response = resubmit(world, client, application, reply="Jeg svarer for ansøgeren.")
        assert response.status_code == 403, person.email
        assert table_fingerprint() == before


def test_a_case_submitted_before_snapshots_compares_with_the_case_as_it_was(world, client, auth):
    """Cases submitted before this change kept no snapshot: the resubmission compares with
    the application as it stood when the applicant opened it again."""
    application = waiting_for_information(world, client, auth)
    for item in application.journal:
        if item.action == "submit":
            db.session.execute(
                db.update(JournalEntry).where(JournalEntry.id == item.id).values(details=None)
            )
    db.session.commit()
    auth.login(world.employee)
    response = resubmit(world, client, application, amount_applied="18.100,50", reply=REPLY)
    assert response.status_code == 302
    fields = {c["field"] for c in entry(application, "resubmit").details[changes.CHANGES]}
    assert fields == {"amount_applied", "document.programme"}


MONEY = st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=MONEY, new=MONEY)
def test_an_amount_change_is_kept_exactly_and_read_back_in_both_languages(app, old, new):
    """For any two amounts: a change is recorded exactly when they differ, as the amounts in
    kroner, and worded as the reader's locale writes money."""
    from flask_babel import force_locale

    from grants.core.formatting import money

    before, after = (
        {"amount_applied": changes._fact("money", old)},
        {"amount_applied": changes._fact("money", new)},
    )
    found = changes.compare(_Application(), before, after)
    if old == new:
        assert found == []
        return
    (change,) = found
    assert (Decimal(change["old"]), Decimal(change["new"])) == (old, new)
    with app.test_request_context():
        for locale, label in (("da", "Ansøgt beløb"), ("en", "Amount applied for")):
            with force_locale(locale):
                assert changes.describe(change) == (
                    f"{label}: {money(old, locale)} → {money(new, locale)}"
                )


class _Application:
    """Stands in for a case without a form of its own questions."""

    form_version = None


def test_dates_that_change_a_moved_cases_budget_year_say_so_in_its_journal(
    app, world, client, auth, move_clock
):
    """A case waiting for information when finance closed its year of travel (2026) and
    moved it to 2027: the applicant puts the trip off to 2028, then brings it back to March
    2027. Each change of budget year is in the journal, in the reader's language; a change
    of dates that keeps the budget year writes nothing."""
    from flask_babel import force_locale

    from grants.budgets.closing import close_year
    from grants.workflow import journal_texts

    move_clock(dt.date(2026, 10, 1))
    application = waiting_for_information(
        world, client, auth, departure_date="2026-12-20", return_date="2026-12-23"
    )
    move_clock(dt.date(2027, 1, 20))
    close_year(2026, world.finance, waiting="move")
    db.session.commit()
    auth.login(world.employee)

    def save(departure: str, return_: str) -> list[JournalEntry]:
        response = resubmit(
            world,
            client,
            application,
            departure_date=departure,
            return_date=return_,
            intent="save",
            reply=REPLY,
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        db.session.expire_all()
        return [e for e in application.journal if e.action == "budget_year_changed"]

    assert save("2027-03-01", "2027-03-04") == []
    assert application.budget_year == 2027
    [later] = save("2028-02-10", "2028-02-12")
    assert application.budget_year == 2028
    [_later, back] = save("2027-03-08", "2027-03-11")
    assert application.budget_year == 2027
    assert (later.details["year"], later.details["to"]) == (2027, 2028)
    assert (back.details["year"], back.details["to"]) == (2028, 2027)
    assert (back.actor_id, back.visible_to_applicant) == (world.employee.id, False)
    with app.test_request_context():
        with force_locale("da"):
            assert journal_texts.describe(back.details) == [
                "Rejsens datoer er ændret. Sagen afgøres nu på budgettet for 2027, ikke for 2028."
            ]
        with force_locale("en"):
            assert journal_texts.describe(back.details) == [
                "The dates of the trip have changed. The case is now decided on the budget "
                "for 2027, not 2028."
            ]
