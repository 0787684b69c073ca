"""Before a meeting's decisions go out, the secretary sees each as it will go out (outcome,
the amount in Danish form and in words, the reasons and the letter itself) and confirms
them once. Nothing goes out before; a confirmation that does not match what is recorded
now, or is not the secretary's own, issues nothing."""

from __future__ import annotations

from html import unescape

from sqlalchemy import func, select

from grants.committees.models import IssueStatus
from grants.extensions import db
from grants.jobs.models import Job
from grants.letters.models import Letter
from tests.committees.conftest import make_case, on_agenda
from tests.confirming import token_in
from tests.html import page_text


def _record(client, cw, item, decision, amount="", reasons=""):
    response = client.post(
        f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/beslutning",
        data={"decision": decision, "amount": amount, "reasons": reasons},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def _nothing_issued(*items):
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0
    for item in items:
        assert item.issue_status == IssueStatus.PENDING
        assert item.application.state == "on_agenda"


def _three_decisions(client, auth, cw):
    full = on_agenda(cw, make_case(cw, amount=8000, title="Koncert i Malmø"))
    part = on_agenda(cw, make_case(cw, amount=6000, title="Festival i Bergen"))
    later = on_agenda(cw, make_case(cw, amount=5000, title="Turné i Riga"))
    auth.login(cw.secretary)
    _record(client, cw, full, "grant")
    _record(client, cw, part, "grant_part", "3000", "Puljen dækker kun rejsen.")
    _record(client, cw, later, "postpone", reasons="Programmet mangler.")
    return full, part, later


def test_the_batch_is_shown_as_it_goes_out_and_issued_on_one_confirmation(client, auth, cw):
    full, part, later = _three_decisions(client, auth, cw)
    url = f"/udvalg/moeder/{cw.meeting.id}/udsend"
    shown = client.post(url)
    assert shown.status_code == 200
    page = unescape(shown.get_data(as_text=True))
    assert "Bekræft afgørelserne, før de sendes" in page
    # Each item: the outcome, the amount in figures and in words, the reasons, the letter.
    assert "Bevilling af det fulde beløb" in page and "8.000,00 kr." in page
    assert "Med bogstaver: otte tusind kroner" in page
    assert "Delvis bevilling" in page and "3.000,00 kr." in page
    assert "Med bogstaver: tre tusind kroner" in page
    assert "Puljen dækker kun rejsen." in page
    assert page.count('class="letter-preview"') == 2  # the postponement has no letter
    assert full.application.case_number in page and part.application.case_number in page
    assert "Programmet mangler." in page and "Der sendes intet afgørelsesbrev" in page
    _nothing_issued(full, part, later)

    # Back to the meeting: still nothing.
    response = client.post(url, data={"confirmation": token_in(shown), "intent": "edit"})
    assert response.status_code == 302
    _nothing_issued(full, part, later)

    # Confirmed once: all three go out together.
    response = client.post(url, data={"confirmation": token_in(shown)})
    assert response.status_code == 302
    db.session.expire_all()
    assert [i.issue_status for i in (full, part, later)] == [IssueStatus.ISSUED] * 3
    assert full.application.state == "granted" and part.application.state == "partly_granted"
    assert later.application.state == "screening"
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 2


def test_a_decision_changed_after_it_was_shown_is_shown_again(client, auth, cw):
    full, part, later = _three_decisions(client, auth, cw)
    url = f"/udvalg/moeder/{cw.meeting.id}/udsend"
    shown = client.post(url)
    _record(client, cw, part, "grant_part", "2000", "Puljen dækker kun rejsen.")
    response = client.post(url, data={"confirmation": token_in(shown)})
    assert response.status_code == 409
    page = unescape(response.get_data(as_text=True))
    assert "Intet er udsendt" in page and "2.000,00 kr." in page
    _nothing_issued(full, part, later)
    # The new page's token issues what it shows.
    assert client.post(url, data={"confirmation": token_in(response)}).status_code == 302
    db.session.expire_all()
    assert part.application.granted_amount == 2000


def test_a_forged_or_borrowed_confirmation_issues_nothing(client, auth, cw):
    full, part, later = _three_decisions(client, auth, cw)
    url = f"/udvalg/moeder/{cw.meeting.id}/udsend"
    response = client.post(url, data={"confirmation": "forged"})
    assert response.status_code == 409
    _nothing_issued(full, part, later)
    # The secretary's page, confirmed by the chair: not what the chair was shown.
    shown = client.post(url)
    auth.login(cw.chair)
    response = client.post(url, data={"confirmation": token_in(shown)})
    assert response.status_code == 409
    _nothing_issued(full, part, later)
    # Nobody else confirms at all.
    for person in (cw.member, cw.caseworker, cw.outsider):
        auth.login(person)
        assert client.post(url, data={"confirmation": token_in(shown)}).status_code == 403
    _nothing_issued(full, part, later)


def test_a_decision_that_would_be_refused_is_said_before_confirming(client, auth, cw):
    # More than the committee's fund has left (65.000 kr.): said on the page.
    item = on_agenda(cw, make_case(cw, amount=90000))
    auth.login(cw.secretary)
    _record(client, cw, item, "grant")
    shown = client.post(f"/udvalg/moeder/{cw.meeting.id}/udsend")
    assert shown.status_code == 200
    assert "Kan ikke udsendes" in page_text(shown)
    _nothing_issued(item)


def test_one_decision_to_confirm_is_said_in_the_singular(client, auth, cw):
    """Found walking the demo's meeting: "Sådan sendes de 1 afgørelser" ("the 1 decisions")."""
    only = on_agenda(cw, make_case(cw, amount=8000, title="Koncert i Malmø"))
    auth.login(cw.secretary)
    _record(client, cw, only, "grant")
    url = f"/udvalg/moeder/{cw.meeting.id}/udsend"

    danish = page_text(client.post(url))
    client.post("/sprog", data={"locale": "en", "next": "/"})
    english = page_text(client.post(url))

    assert "Sådan sendes afgørelsen." in danish and "1 afgørelser" not in danish
    assert "This is how the decision will be sent." in english
    assert "1 decisions" not in english
    _nothing_issued(only)
