"""A new election period (2030-2033): the administrator sets up each committee again for it,
on the same fund (its budget goes on year by year; the carry-over stops at the period's
end), and registers the new council's members. The committee of 2026-2029 has no members
and no mandate in 2030; its cases and meetings stay readable by the secretariat, and what
is left of them (a report to approve) goes to the new committee's meetings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from grants.budgets.balances import balance
from grants.cases.states import State
from grants.committees import operations as ops
from grants.committees.models import Committee, MemberRole
from grants.extensions import db
from tests.committees.conftest import make_case, make_meeting, on_agenda
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.html import field_error, flashes, has_button, links, page_text

NEXT = "2030-2033"


def _committees(fund) -> list[Committee]:
    return list(
        db.session.scalars(
            select(Committee).where(Committee.fund_id == fund.id).order_by(Committee.period_first)
        )
    )


def _set_up_next(client, committee):
    return client.post(f"/udvalg/{committee.id}/naeste-valgperiode", data={"period": NEXT})


def test_the_administrator_sets_up_the_committee_for_the_next_period(client, auth, cw):
    auth.login(cw.admin)
    page = client.get(f"/udvalg/{cw.committee.id}")
    assert has_button(page, "Nedsæt udvalget for valgperioden 2030-2033")

    response = _set_up_next(client, cw.committee)

    assert response.status_code == 302
    old, new = _committees(cw.fund)
    assert old.id == cw.committee.id
    assert (new.period_first, new.period_last) == (2030, 2033)
    assert (new.name, new.kind, new.fund_id) == (old.name, old.kind, old.fund_id)
    assert (new.quorum_rule, new.without_quorum) == (old.quorum_rule, old.without_quorum)
    assert new.memberships == []  # the new council's members are registered anew
    assert response.headers["Location"].endswith(f"/udvalg/{new.id}")
    # Each page points to the other.
    assert f"/udvalg/{new.id}" in links(client.get(f"/udvalg/{old.id}"))
    assert f"/udvalg/{old.id}" in links(client.get(f"/udvalg/{new.id}"))
    assert not has_button(client.get(f"/udvalg/{old.id}"), "Nedsæt udvalget")
    # The new council's members, from the period's first day.
    added = client.post(
        f"/udvalg/{new.id}/medlemmer",
        data={"user_id": str(cw.member.id), "role": "chair", "valid_from": "2030-01-01"},
    )
    assert added.status_code == 302
    # Both periods on the list of committees.
    text = page_text(client.get("/udvalg"))
    assert "2026-2029" in text and NEXT in text


def test_a_period_set_up_twice_or_by_others_is_refused(client, auth, cw):
    auth.login(cw.caseworker)
    assert _set_up_next(client, cw.committee).status_code == 302
    before = table_fingerprint(skip=SIGNING_IN)
    again = _set_up_next(client, cw.committee)
    assert again.status_code == 422
    assert "allerede nedsat" in " ".join(flashes(again))
    # The period on the form must be the next one (a stale page, a forged post).
    wrong = client.post(f"/udvalg/{cw.committee.id}/naeste-valgperiode", data={"period": "2034"})
    assert wrong.status_code == 422
    for person in (cw.chair, cw.secretary, cw.member, cw.outsider):
        auth.login(person)
        assert _set_up_next(client, cw.committee).status_code == 403, person.name
    assert table_fingerprint(skip=SIGNING_IN) == before
    # The form for a new committee refuses the fund for a period that overlaps.
    auth.login(cw.admin)
    response = client.post(
        "/udvalg/ny",
        data={
            "name": "Nyt udvalg",
            "kind": "standing",
            "fund_id": str(cw.fund.id),
            "period_first": "2028",
            "period_last": "2031",
        },
    )
    assert response.status_code == 422
    assert "2026-2029" in (field_error(response, "fund_id") or "")
    assert table_fingerprint(skip=SIGNING_IN) == before


def test_in_the_new_period_the_new_committee_takes_over(client, auth, cw, move_clock):
    """In 2030 the old committee's members are members no more (their mandate ended); the
    new committee decides what is left, e.g. the report of a trip granted in 2029. The old
    period's cases and meetings are still read by the secretariat; the money of 2029 does
    not carry into 2030, and 2030 has its own allocation."""
    granted = make_case(cw, state=State.REPORT_SUBMITTED)
    old_meeting = cw.meeting
    auth.login(cw.caseworker)
    assert _set_up_next(client, cw.committee).status_code == 302
    _old, new = _committees(cw.fund)
    start = dt.date(2030, 1, 1)
    ops.add_member(new, cw.chair, MemberRole.CHAIR, start, None)
    ops.add_member(new, cw.caseworker, MemberRole.SECRETARY, start, None)
    db.session.commit()

    move_clock(dt.date(2030, 1, 6))
    # Only the re-elected chair is a member now; the plain member of 2026-2029 is not.
    assert [c.id for c in ops.committees_of(cw.chair)] == [new.id]
    assert ops.committees_of(cw.member) == []
    assert ops.committee_of_fund(cw.fund.id).id == new.id
    assert ops.records_for(granted, cw.caseworker)
    assert not ops.records_for(granted, cw.secretary)  # the old period's secretary
    auth.login(cw.member)
    assert client.get(f"/udvalg/{cw.committee.id}").status_code == 403
    # The report of the old period's trip goes on the new committee's agenda.
    meeting = make_meeting(new, days=7)
    db.session.commit()
    assert (granted, ops.AgendaKind.REPORT_APPROVAL) in ops.eligible_cases(meeting)
    on_agenda(cw, granted, meeting)
    assert granted.state == State.REPORT_ON_AGENDA
    # The secretariat reads the old period: its committee, meeting and case.
    auth.login(cw.caseworker)
    for url in (
        f"/udvalg/{cw.committee.id}",
        f"/udvalg/moeder/{old_meeting.id}",
        f"/ansoegninger/{granted.id}",
    ):
        assert client.get(url).status_code == 200, url
    # No new meetings for the old committee in 2030.
    response = client.post(
        f"/udvalg/{cw.committee.id}/moeder",
        data={"date": "2030-02-01", "time": "16:00", "place": "Rådhuset"},
    )
    assert response.status_code == 422
    # The money: 2030's allocation, nothing carried in from the old period.
    year = balance(cw.fund.id, 2030)
    assert (year.allocated, year.carried_in) == (Decimal(65000), Decimal(0))


def test_the_command_sets_up_every_committee_of_the_period_once(app, cw):
    other = ops.create_committee(
        "Økonomiudvalget", ops.CommitteeKind.FINANCE, make_fund_for_committee(), 2026, 2029
    )
    db.session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["committees", "new-period", "--year", "2030"])

    assert result.exit_code == 0, result.output
    assert "Kultur- og Fritidsudvalget" in result.output and "Økonomiudvalget" in result.output
    assert [(c.period_first, c.period_last) for c in _committees(cw.fund)] == [
        (2026, 2029),
        (2030, 2033),
    ]
    assert len(_committees(other.fund)) == 2
    count = db.session.scalar(select(func.count()).select_from(Committee))
    again = runner.invoke(args=["committees", "new-period", "--year", "2030"])
    assert again.exit_code == 0 and "0 " in again.output
    assert db.session.scalar(select(func.count()).select_from(Committee)) == count


def make_fund_for_committee():
    from grants.funds import kinds
    from tests.factories import make_fund

    return make_fund(
        code="okonomiudvalget",
        name="Økonomiudvalget",
        route="committee_decision",
        kind=kinds.COMMITTEE.code,
        budget=65000,
    )


def test_the_next_period_in_english(client, auth, cw):
    auth.login(cw.admin)
    client.post("/sprog", data={"locale": "en"})
    page = client.get(f"/udvalg/{cw.committee.id}")
    assert has_button(page, "Set up the committee for the election period 2030-2033")
    assert _set_up_next(client, cw.committee).status_code == 302
    again = _set_up_next(client, cw.committee)
    assert again.status_code == 422
    assert "has already been set up for the election period 2030-2033" in " ".join(flashes(again))
    text = page_text(client.get(f"/udvalg/{cw.committee.id}"))
    assert "The committee in the election period 2030-2033" in text
