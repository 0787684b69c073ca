"""The confirmation before a meeting's decisions go out checks them against the budget
together, in the order the issue job takes them (grants.committees.issuing): a grant that
fits alone but not after the grants before it is shown as the job would refuse it, with the
job's words. Refusals move nothing, a reconsidered decision moves the difference, and each
fund and budget year is counted on its own. Nothing is written by the preview."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from grants.applications.operations import request_reconsideration
from grants.budgets.models import BudgetEntry
from grants.committees import operations as ops
from grants.committees.issue_order import rooms
from grants.committees.models import Decision, IssueStatus
from grants.extensions import db
from grants.letters.models import Letter
from tests.committees.conftest import make_case, make_meeting, on_agenda, record_decision
from tests.confirming import confirm
from tests.factories import make_user
from tests.html import page

CANNOT = "Kan ikke udsendes"


def _problems(response) -> dict[int, str]:
    """Each item's problem on the confirmation ("" if none), by item id."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    found = {}
    for section in page(response).select("section.issue-item"):
        item_id = int(section.h2["id"].removeprefix("issue-"))
        alert = section.select_one(".alert-error")
        found[item_id] = alert.get_text(" ", strip=True) if alert else ""
    return found


def _grant(cw, amount: int):
    return on_agenda(cw, make_case(cw, make_user(), amount=amount))


def _written() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(BudgetEntry)),
        db.session.scalar(select(func.count()).select_from(Letter)),
    )


def _the_scenario(client, auth, cw):
    """65.000 kr. available: grants of 24.000 and 5.000, a refusal, a grant of 45.000."""
    first, second = _grant(cw, 24000), _grant(cw, 5000)
    refused = _grant(cw, 30000)
    third = _grant(cw, 45000)
    auth.login(cw.secretary)
    for item in (first, second, third):
        assert record_decision(client, item).status_code == 302
    assert (
        record_decision(client, refused, "refuse", reasons="Ikke inden for formålet.").status_code
        == 302
    )
    return first, second, refused, third


def test_the_grant_that_does_not_fit_after_the_others_is_shown_as_refused(client, auth, cw):
    first, second, refused, third = _the_scenario(client, auth, cw)
    before = _written()
    url = f"/udvalg/moeder/{cw.meeting.id}/udsend"
    shown = client.post(url)
    problems = _problems(shown)
    assert page(shown).select_one("#issue-problems").get_text(" ", strip=True) == (
        "1 af de 4 afgørelser kan ikke udsendes: grunden står ved punktet."
    )
    assert problems[first.id] == "" and problems[second.id] == ""
    assert problems[refused.id] == ""  # a refusal moves nothing: 36.000 kr. are left
    # ... and is shown without an amount granted ("0,00 kr., nul kroner")
    refusal = page(shown).select_one(f"#issue-{refused.id}").find_parent("section")
    assert "Bevilget beløb" not in refusal.get_text(" ", strip=True)
    third_text = page(shown).select_one(f"#issue-{third.id}").find_parent("section")
    assert "Bevilget beløb" in third_text.get_text(" ", strip=True)
    assert problems[third.id] == (
        f"{CANNOT}: Der er kun 36.000,00 kr. til rådighed på Kultur- og Fritidsudvalget i "
        f"{third.application.budget_year}, så der kan ikke bevilges 45.000,00 kr., og intet "
        "er ændret."
    )
    assert _written() == before  # the preview writes nothing

    # What the job does when confirmed: the same item fails with the same words.
    confirm(client, url)
    db.session.expire_all()
    assert third.failure_reason == problems[third.id].removeprefix(f"{CANNOT}: ")
    assert [i.issue_status for i in (first, second, refused)] == [IssueStatus.ISSUED] * 3


def test_a_grant_after_one_that_fails_counts_only_what_went_out(client, auth, cw):
    # 40.000 fits; 30.000 does not after it (25.000 left); 20.000 does, as the job does it.
    items = [_grant(cw, amount) for amount in (40000, 30000, 20000)]
    auth.login(cw.secretary)
    for item in items:
        assert record_decision(client, item).status_code == 302
    problems = _problems(client.post(f"/udvalg/moeder/{cw.meeting.id}/udsend"))
    assert problems[items[0].id] == ""
    assert "Der er kun 25.000,00 kr. til rådighed" in problems[items[1].id]
    assert problems[items[2].id] == ""


def test_parallel_parts_show_every_grant_that_may_not_fit(app, client, auth, cw):
    """Two workers: the first takes the 1st and 3rd item, the second the 2nd and 4th, in an
    order no one knows. A grant is shown if it does not fit after what must or may go before
    it: its own part's items before it and every grant of the other part."""
    first, second, refused, third = _the_scenario(client, auth, cw)
    app.config.update(JOBS_MODE="rq", JOBS_PARALLEL=2)
    problems = _problems(client.post(f"/udvalg/moeder/{cw.meeting.id}/udsend"))
    # 24.000 after 5.000 and 45.000 of the other part: 15.000 left.
    assert "Der er kun 15.000,00 kr. til rådighed" in problems[first.id]
    # 5.000 fits whatever goes first: only 24.000 is in the other part.
    assert problems[second.id] == ""
    assert problems[refused.id] == ""
    # 45.000 after its own part's 5.000 and the other part's 24.000: 36.000 left.
    assert "Der er kun 36.000,00 kr. til rådighed" in problems[third.id]


def _asked(cw, application) -> None:
    request_reconsideration(
        application, application.applicant, "request_reconsideration", "Nyt program."
    )
    db.session.commit()


def _partly_granted(cw, *cases: tuple[int, int]):
    """Cases the committee granted part of at today's meeting: (applied for, granted) kr.
    each, all on its agenda before it was held."""
    items = on_agenda(cw, [make_case(cw, make_user(), amount=amount) for amount, _ in cases])
    with current_app.test_request_context():
        for item, (_amount, granted) in zip(items, cases, strict=True):
            ops.record_decision(
                item, cw.secretary, Decision.GRANT_PART, Decimal(granted), "Delvis."
            )
            ops.issue_item(item, cw.secretary)
    db.session.commit()
    return [item.application for item in items]


def test_reconsidered_decisions_move_only_the_difference(client, auth, cw):
    # Granted 5.000 of 8.000 and 10.000 of 20.000: 50.000 kr. are left.
    raised, lowered = _partly_granted(cw, (8000, 5000), (20000, 10000))
    _asked(cw, raised)
    _asked(cw, lowered)
    meeting = make_meeting(cw.committee, days=0)
    ops.set_attendance(meeting, {cw.chair.id, cw.member.id}, cw.secretary)
    db.session.commit()
    up = on_agenda(cw, raised, meeting)  # to 8.000: 3.000 more, 47.000 left
    down = on_agenda(cw, lowered, meeting)  # refused now: 10.000 back, 57.000 left
    fits = on_agenda(cw, make_case(cw, make_user(), amount=57000), meeting)
    over = on_agenda(cw, make_case(cw, make_user(), amount=1000), meeting)
    auth.login(cw.secretary)
    assert record_decision(client, up).status_code == 302
    assert record_decision(client, down, "refuse", reasons="Ikke længere.").status_code == 302
    assert record_decision(client, fits).status_code == 302
    assert record_decision(client, over).status_code == 302
    before = _written()
    problems = _problems(client.post(f"/udvalg/moeder/{meeting.id}/udsend"))
    assert problems[up.id] == "" and problems[down.id] == "" and problems[fits.id] == ""
    assert "Der er kun 0,00 kr. til rådighed" in problems[over.id]
    assert "bevilges 1.000,00 kr." in problems[over.id]
    assert _written() == before


# -- the order, alone -------------------------------------------------------------------------

A, B = (1, 2026), (2, 2026)  # two funds, the same year


def test_two_funds_do_not_mix():
    draws = [(A, Decimal(50)), (B, Decimal(50)), (A, Decimal(20)), (B, Decimal(10))]
    available = {A: Decimal(60), B: Decimal(60)}
    assert rooms(draws, available, parts=1) == [60, 60, 10, 10]


def test_a_year_is_counted_on_its_own():
    next_year = (1, 2027)
    draws = [(A, Decimal(50)), (next_year, Decimal(50)), (A, Decimal(20))]
    assert rooms(draws, {A: Decimal(60), next_year: Decimal(60)}, parts=1) == [60, 60, 10]


def test_nothing_moved_is_not_counted_and_a_release_is_counted_on_in_its_own_part():
    draws = [(A, Decimal(50)), None, (A, Decimal(-30)), (A, Decimal(40))]
    assert rooms(draws, {A: Decimal(60)}, parts=1) == [60, None, 10, 40]
    # Two parts: the release (part 0) may come after the 40 (part 1); the 50 may come before.
    assert rooms(draws, {A: Decimal(60)}, parts=2) == [20, None, -30, 10]
