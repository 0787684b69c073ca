"""A binding decision, withdrawing and giving up a grant are shown before they are taken,
and taken only from what was shown (grants.core.confirmation). Nothing is reserved,
stored, journalised or sent before the confirmation; a forged confirmation takes nothing."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import func, select

from grants.budgets.models import BudgetEntry
from grants.cases.models import Application
from grants.core import confirmation
from grants.extensions import db
from grants.letters.models import Letter
from grants.notifications.models import OutboxMessage
from grants.workflow.models import JournalEntry
from tests.confirming import token_in
from tests.factories import make_application
from tests.html import field_error, field_value, one, page_text


def counts(application_id: int) -> tuple[int, ...]:
    def n(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return (
        n(Letter, Letter.application_id == application_id),
        n(BudgetEntry, BudgetEntry.application_id == application_id),
        n(JournalEntry, JournalEntry.application_id == application_id),
        n(OutboxMessage),
    )


def pending(world, amount=7000, **overrides):
    application = make_application(
        world.employee, world.fund, amount=amount, state="awaiting_decision", **overrides
    )
    db.session.commit()
    return application


def state_of(application) -> str:
    """The case's state as the database has it now."""
    db.session.expire_all()
    return db.session.get(Application, application.id).state


def grant_previewed(world, client, auth) -> tuple[Application, str, str]:
    """A pending case whose grant the caseworker has been shown: the case, the decision
    form's address, and the confirmation."""
    application = pending(world)
    auth.login(world.caseworker)
    url = f"/ansoegninger/{application.id}/afgoerelse"
    return application, url, token_in(client.post(url, data={"action": "grant"}))


def test_a_partial_grant_is_shown_with_its_words_and_letter_and_nothing_happens(
    world, client, auth
):
    application = pending(world)
    before = counts(application.id)
    auth.login(world.caseworker)
    url = f"/ansoegninger/{application.id}/afgoerelse"
    shown = client.post(
        url, data={"action": "grant_part", "amount": "6500", "reasons": "Kun rejsen."}
    )
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert "Delvis bevilling" in page_text(page)
    assert "6.500,00 kr." in page_text(page)
    assert "seks tusind fem hundrede kroner" in page_text(page)
    assert "Kun rejsen." in page_text(page)
    # The letter itself, as the applicant will get it: the amount and the reasons.
    letter = page.split('srcdoc="', 1)[1].split('"></iframe>', 1)[0]
    assert "Afgørelse om tilskud" in letter and "6.500,00 kr." in letter
    assert "Kun rejsen." in letter
    db.session.expire_all()
    assert counts(application.id) == before
    assert db.session.get(Application, application.id).state == "awaiting_decision"

    confirmed = client.post(url, data={"confirmation": token_in(shown)})
    assert confirmed.status_code == 302
    db.session.expire_all()
    decided = db.session.get(Application, application.id)
    assert decided.state == "partly_granted"
    assert decided.granted_amount == Decimal("6500.00")
    assert [letter.kind for letter in decided.letters] == ["decision"]


def test_a_refusal_is_shown_without_an_amount_granted(world, client, auth):
    """A refusal grants nothing: its confirmation says "Afslag" and the reasons, with no
    "Bevilget beløb 0,00 kr., nul kroner" beside them (nor "zero kroner" in English)."""
    application = pending(world)
    auth.login(world.caseworker)
    url = f"/ansoegninger/{application.id}/afgoerelse"
    shown = client.post(url, data={"action": "refuse", "reasons": "Ikke et studieformål."})
    assert shown.status_code == 200
    facts = page_text(one(shown, ".confirmation-facts"))
    assert "Afslag" in facts and "Ikke et studieformål." in facts
    assert "Bevilget beløb" not in facts and "nul kroner" not in facts
    assert "Ansøgt beløb" in facts  # what was asked for is still said
    world.caseworker.locale = "en"
    db.session.commit()
    shown = client.post(url, data={"action": "refuse", "reasons": "Not a study trip."})
    assert "zero kroner" not in page_text(shown) and "Amount granted" not in page_text(shown)


def test_in_english_the_words_are_english_and_the_typed_6500_is_refused(world, client, auth):
    application = pending(world)
    world.caseworker.locale = "en"
    db.session.commit()
    auth.login(world.caseworker)
    url = f"/ansoegninger/{application.id}/afgoerelse"
    refused = client.post(
        url, data={"action": "grant_part", "amount": "6.500", "reasons": "Only the trip."}
    )
    assert refused.status_code == 422
    assert field_error(refused, "amount") == (
        "“6.500” can be read as 6,500.00 kr. or 6.50 kr. Write 6500 or 6.50."
    )
    shown = client.post(
        url, data={"action": "grant_part", "amount": "6500", "reasons": "Only the trip."}
    )
    assert "six thousand five hundred kroner" in page_text(shown)


def test_a_forged_confirmation_with_other_values_issues_nothing(world, client, auth):
    application = pending(world)
    auth.login(world.caseworker)
    url = f"/ansoegninger/{application.id}/afgoerelse"
    shown = client.post(
        url, data={"action": "grant_part", "amount": "6500", "reasons": "Kun rejsen."}
    )
    token = token_in(shown)
    before = counts(application.id)
    # Other values posted beside the token: refused, nothing changes.
    for forged in (
        {"confirmation": token, "amount": "65"},
        {"confirmation": token, "action": "grant"},
        {"confirmation": token, "reasons": "Andet."},
        {"confirmation": token[:-2] + "xx"},
        {"confirmation": "not a token"},
    ):
        response = client.post(url, data=forged)
        assert response.status_code == 409, forged
        assert "Intet er ændret" in page_text(response)
    # The token of one case does not decide another.
    other = pending(world)
    assert (
        client.post(f"/ansoegninger/{other.id}/afgoerelse", data={"confirmation": token})
    ).status_code == 409
    db.session.expire_all()
    assert counts(application.id) == before
    assert db.session.get(Application, other.id).state == "awaiting_decision"


def test_another_persons_confirmation_is_not_hers(world, client, auth):
    from grants.people.models import Role
    from tests.factories import make_user

    colleague = make_user(Role.EMPLOYEE, Role.CASEWORKER, email="kollega@ballerup.dk")
    application, url, token = grant_previewed(world, client, auth)
    auth.login(colleague)
    assert client.post(url, data={"confirmation": token}).status_code == 409
    assert state_of(application) == "awaiting_decision"


def test_a_case_changed_after_the_preview_is_shown_again_not_decided(world, client, auth):
    application, url, token = grant_previewed(world, client, auth)
    application.amount_applied = Decimal("6000")  # e.g. corrected meanwhile
    db.session.commit()
    response = client.post(url, data={"confirmation": token})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Se afgørelsen igen" in page_text(page) and "6.000,00 kr." in page_text(page)
    assert state_of(application) == "awaiting_decision"
    # The new confirmation decides what it now shows.
    assert client.post(url, data={"confirmation": token_in(response)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).granted_amount == Decimal("6000.00")


def test_an_expired_confirmation_decides_nothing(world, client, auth, monkeypatch):
    application, url, token = grant_previewed(world, client, auth)
    monkeypatch.setattr(confirmation, "MAX_AGE", -1)  # an hour has gone by
    assert client.post(url, data={"confirmation": token}).status_code == 409
    assert state_of(application) == "awaiting_decision"


def test_changing_the_decision_brings_the_form_back_filled_in(world, client, auth):
    application = pending(world)
    auth.login(world.caseworker)
    url = f"/ansoegninger/{application.id}/afgoerelse"
    token = token_in(
        client.post(url, data={"action": "grant_part", "amount": "6500", "reasons": "Delvist."})
    )
    back = client.post(url, data={"confirmation": token, "intent": "edit"})
    assert back.status_code == 200
    page = back.get_data(as_text=True)
    assert field_value(page, "amount") == "6.500,00" and field_value(page, "reasons") == "Delvist."
    assert state_of(application) == "awaiting_decision"


def test_the_script_gets_the_confirmation_alone_for_its_dialog(world, client, auth):
    application = pending(world)
    auth.login(world.caseworker)
    shown = client.post(
        f"/ansoegninger/{application.id}/afgoerelse",
        data={"action": "grant"},
        headers={"X-Requested-With": "fetch"},
    )
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert page.lstrip().startswith("<div") and "<html" not in page.split("srcdoc")[0]
    assert one(page, "#confirmation-heading")


def test_the_board_confirms_above_the_limit_too(world, client, auth):
    application = pending(world, amount=20000, budget={"transport": 20000})
    auth.login(world.board_member)
    url = f"/ansoegninger/{application.id}/afgoerelse"
    shown = client.post(url, data={"action": "grant"})
    assert shown.status_code == 200
    assert "tyve tusind kroner" in page_text(shown)
    assert state_of(application) == "awaiting_decision"
    assert client.post(url, data={"confirmation": token_in(shown)}).status_code == 302
    assert state_of(application) == "granted"


def test_a_person_who_may_not_decide_gets_no_confirmation(world, client, auth):
    application = pending(world)
    auth.login(world.employee)
    response = client.post(f"/ansoegninger/{application.id}/afgoerelse", data={"action": "grant"})
    assert response.status_code == 403
    assert field_value(response, "confirmation") is None


def test_withdrawing_is_shown_first_and_only_the_confirmation_withdraws(world, client, auth):
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    before = counts(application.id)
    auth.login(world.employee)
    url = f"/ansoegninger/{application.id}/trin/withdraw"
    shown = client.post(url, data={"comment": "Rejsen er aflyst."})
    assert shown.status_code == 200
    assert "kan ikke fortrydes" in page_text(shown)
    assert state_of(application) == "screening"
    assert counts(application.id) == before
    token = token_in(shown)
    # A forged comment beside the token, or another step with it: nothing happens.
    assert client.post(url, data={"confirmation": token, "comment": "Andet"}).status_code == 409
    # A step the case does not offer her now is refused as such, before any token is read.
    other_step = client.post(
        f"/ansoegninger/{application.id}/trin/give_up_grant", data={"confirmation": token}
    )
    assert other_step.status_code == 403
    assert "Du kan ikke udføre handlingen" in page_text(other_step)
    assert state_of(application) == "screening"
    assert client.post(url, data={"confirmation": token}).status_code == 302
    db.session.expire_all()
    withdrawn = db.session.get(Application, application.id)
    assert withdrawn.state == "withdrawn"
    assert withdrawn.journal[-1].comment == "Rejsen er aflyst."


def test_the_confirmation_is_in_the_readers_language(app, world, client, auth):
    application = make_application(world.employee, world.fund, state="screening")
    world.employee.locale = "en"
    db.session.commit()
    auth.login(world.employee)
    shown = client.post(f"/ansoegninger/{application.id}/trin/withdraw", data={})
    with force_locale("en"):
        assert "This cannot be undone" in page_text(shown)
