"""Conflict of interest: a member ruled disqualified (or waiting for the ruling) and an
applicant can record no decision on the case by any route: the case page, a form post to
the step, the meeting page, or the issue job. Everything about it is in the journal."""

from __future__ import annotations

from sqlalchemy import func, select

from grants.budgets.models import BudgetEntry
from grants.committees.models import Decision, InterestSource, IssueStatus
from grants.extensions import db
from grants.letters.models import Letter
from grants.workflow import engine
from grants.workflow.models import CaseRole, JournalEntry
from tests.committees.conftest import make_case, on_agenda, record_decision, rule_on
from tests.confirming import confirm
from tests.html import form_actions, links


def _count(model, application):
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.application_id == application.id)
    )


def _declare_and_rule(client, auth, cw, item, who, disqualified: bool | None):
    auth.login(who)
    response = client.post(
        f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/inhabilitet",
        data={"reason": "Min søster er formand for foreningen."},
    )
    assert response.status_code == 302
    declaration = item.declarations[-1]
    if disqualified is not None:
        ruler = cw.chair if who != cw.chair else cw.secretary
        auth.login(ruler)
        response = rule_on(client, item, declaration, disqualified)
        assert response.status_code == 302
    db.session.expire_all()
    return declaration


def _decide_on_the_case_page(client, application):
    """The case page's decision form, posted directly."""
    return confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {"action": "grant", "amount": "", "reasons": ""},
    )


def test_a_disqualified_secretary_is_refused_on_every_route(client, auth, cw):
    application = make_case(cw)
    item = on_agenda(cw, application)
    _declare_and_rule(client, auth, cw, item, cw.secretary, disqualified=True)
    assert engine.case_roles(application, cw.secretary) == set()
    assert CaseRole.COMMITTEE in engine.case_roles(application, cw.chair)

    auth.login(cw.secretary)
    # The meeting page: no decision form for the case, and a forged post is refused.
    page = client.get(f"/udvalg/moeder/{cw.meeting.id}")
    steps = form_actions(page) + links(page)
    assert not any(f"/punkter/{item.id}/beslutning" in step for step in steps)
    assert record_decision(client, item).status_code == 403
    # The case page's decision form, posted directly.
    assert _decide_on_the_case_page(client, application).status_code == 403
    # A direct post to a step of the route.
    response = client.post(
        f"/ansoegninger/{application.id}/trin/postpone", data={"comment": "Udsættes."}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert application.state == "on_agenda"
    assert item.decision is None

    # The batch: the chair records, the disqualified secretary starts the issue: refused
    # for that case, with the reason, and nothing made.
    auth.login(cw.chair)
    assert record_decision(client, item).status_code == 302
    auth.login(cw.secretary)
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    db.session.expire_all()
    assert item.issue_status == IssueStatus.FAILED
    assert "kan ikke udføre" in item.failure_reason
    assert application.state == "on_agenda"
    assert _count(Letter, application) == 0
    assert _count(BudgetEntry, application) == 0

    # The chair, who is not disqualified, issues it.
    auth.login(cw.chair)
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    db.session.expire_all()
    assert item.issue_status == IssueStatus.ISSUED
    assert application.state == "granted"
    assert application.decided_by_id == cw.chair.id
    assert _count(Letter, application) == 1

    actions = [e.action for e in application.journal]
    assert "interest_declared" in actions
    assert "interest_ruled" in actions
    ruled = next(e for e in application.journal if e.action == "interest_ruled")
    assert ruled.actor_id == cw.chair.id and ruled.details["member"] == cw.secretary.name
    assert not ruled.visible_to_applicant


def test_a_declaration_not_yet_ruled_on_excludes_the_member(client, auth, cw):
    application = make_case(cw)
    item = on_agenda(cw, application)
    _declare_and_rule(client, auth, cw, item, cw.chair, disqualified=None)
    auth.login(cw.chair)
    assert record_decision(client, item).status_code == 403
    # Ruled not disqualified: the chair takes part again.
    auth.login(cw.secretary)
    declaration = item.declarations[0]
    response = rule_on(client, item, declaration, disqualified=False)
    assert response.status_code == 302
    auth.login(cw.chair)
    assert record_decision(client, item).status_code == 302
    db.session.expire_all()
    assert item.decision == Decision.GRANT


def test_nobody_rules_on_their_own_declaration(client, auth, cw):
    application = make_case(cw)
    item = on_agenda(cw, application)
    declaration = _declare_and_rule(client, auth, cw, item, cw.chair, disqualified=None)
    auth.login(cw.chair)
    response = rule_on(client, item, declaration, disqualified=False)
    assert response.status_code == 403
    db.session.expire_all()
    assert declaration.disqualified is None


def test_an_applicant_never_decides_their_own_case(client, auth, cw):
    # The secretary applies for the committee's trip; the system finds the interest.
    application = make_case(cw, cw.secretary)
    item = on_agenda(cw, application)
    found = [d for d in item.declarations if d.user_id == cw.secretary.id]
    assert found and found[0].source == InterestSource.SYSTEM and found[0].disqualified
    assert engine.case_roles(application, cw.secretary) == {CaseRole.APPLICANT}
    assert any(e.action == "interest_found" for e in application.journal)

    auth.login(cw.secretary)
    assert record_decision(client, item).status_code == 403
    assert _decide_on_the_case_page(client, application).status_code == 403
    # Nobody can rule the system's finding away.
    auth.login(cw.chair)
    response = rule_on(client, item, found[0], disqualified=False)
    assert response.status_code == 422
    db.session.expire_all()
    assert found[0].disqualified is True
    # The chair records; the applicant-secretary cannot issue it.
    assert record_decision(client, item).status_code == 302
    auth.login(cw.secretary)
    confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend")
    db.session.expire_all()
    assert item.issue_status == IssueStatus.FAILED
    assert application.outcome is None
    assert _count(Letter, application) == 0


def test_an_ordinary_member_records_nothing(client, auth, cw):
    application = make_case(cw)
    item = on_agenda(cw, application)
    auth.login(cw.member)
    assert client.get(f"/udvalg/moeder/{cw.meeting.id}").status_code == 200
    assert record_decision(client, item).status_code == 403
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 403
    assert _decide_on_the_case_page(client, application).status_code == 403
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.application_id == application.id, JournalEntry.action == "grant")
        )
        == 0
    )


def test_the_systems_finding_is_worded_for_each_reader(client, auth, cw):
    """What the system found ("the member is the applicant") was kept in the language of
    whoever put the case on the agenda: read English by a Danish member, and in English in
    the minutes, which are the committee's Danish record."""
    from flask_babel import refresh

    from grants.committees.minutes import minutes_html
    from tests.html import page_text
    from tests.journal_reading import in_english

    application = make_case(cw, cw.member)
    with in_english():
        item = on_agenda(cw, application)
    (found,) = [d for d in item.declarations if d.user_id == cw.member.id]
    assert found.source == InterestSource.SYSTEM and found.reason == "Medlemmet er selv ansøger."

    auth.login(cw.chair)
    danish = page_text(client.get(f"/udvalg/moeder/{cw.meeting.id}"))
    assert "Ulla Ulriksen: Medlemmet er selv ansøger. (Fundet af systemet)" in danish
    client.post("/sprog", data={"locale": "en"})
    refresh()  # the test's one app context keeps Flask-Babel's choice in `g`
    english = page_text(client.get(f"/udvalg/moeder/{cw.meeting.id}"))
    assert "Ulla Ulriksen: The member is the applicant. (Found by the system)" in english
    assert "Medlemmet" not in english
    client.post("/sprog", data={"locale": "da"})
    refresh()

    with in_english():
        minutes = page_text(minutes_html(cw.meeting))
    assert "Ulla Ulriksen: Medlemmet er selv ansøger. (Fundet af systemet)" in minutes
    assert "The member" not in minutes


def test_a_declarations_reason_is_shown_as_the_member_wrote_it(client, auth, cw):
    application = make_case(cw)
    item = on_agenda(cw, application)
    auth.login(cw.member)
    response = client.post(
        f"/udvalg/moeder/{cw.meeting.id}/punkter/{item.id}/inhabilitet",
        data={"reason": "My brother is on the trip."},
    )
    assert response.status_code == 302
    from flask_babel import refresh

    from tests.html import page_text

    for locale in ("da", "en"):
        client.post("/sprog", data={"locale": locale})
        refresh()
        assert "Ulla Ulriksen: My brother is on the trip." in page_text(
            client.get(f"/udvalg/moeder/{cw.meeting.id}")
        )
    client.post("/sprog", data={"locale": "da"})
    refresh()


def test_a_failed_items_reason_is_in_the_language_of_who_issued_it(
    app, client, auth, cw, monkeypatch
):
    """The issuing runs as a job, outside the request (a thread or an RQ worker), where the
    language was always Danish: a secretary reading English was told why an item could not
    be issued in Danish."""
    from flask_babel import refresh

    from grants.jobs import runner

    application = make_case(cw, cw.secretary)  # the secretary's own case cannot be issued
    item = on_agenda(cw, application)
    auth.login(cw.chair)
    assert record_decision(client, item).status_code == 302
    started = []
    monkeypatch.setattr(runner, "start", started.append)
    auth.login(cw.secretary)
    client.post("/sprog", data={"locale": "en"})
    refresh()  # the test's one app context keeps Flask-Babel's choice in `g`
    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302
    (job_id,) = started
    with app.app_context():  # as the worker runs it: no request, no session
        runner.run(job_id)
    db.session.expire_all()
    assert item.issue_status == IssueStatus.FAILED
    assert (
        item.failure_reason == "You cannot carry out the action “Grant in full” on this case now."
    )
