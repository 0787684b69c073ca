"""The case page's buttons come from the route and its actions (grants.workflow.actions): each
person sees the steps the route gives them in the case's state, labelled as the action says,
going where the action is taken; the step view takes what the registry knows and nothing
else, and nobody takes a step that is not theirs."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import url_for

from grants.cases.models import Application
from grants.cases.states import State
from grants.extensions import db
from grants.workflow import engine
from grants.workflow.actions import ACTIONS
from grants.workflow.models import JournalEntry
from tests.committees.conftest import cw  # noqa: F401 (a fixture)
from tests.factories import make_application
from tests.html import page_text
from tests.workflow.test_transition_table import person, trip_over


class ActionsSection(HTMLParser):
    """What the case page's section "Det skal du tage stilling til" offers: its forms (where
    each posts, whether it is confirmed first, its button) and its links drawn as buttons,
    and the decision form's choices."""

    def __init__(self, html: str):
        super().__init__()
        self.depth = 0  # inside the section: the depth of nested <section>s
        self.forms: list[dict] = []
        self.links: list[dict] = []
        self.choices: list[str] = []
        self._select: str | None = None
        self._text: list[str] | None = None
        self._into: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and (self.depth or attrs.get("aria-labelledby") == "actions-heading"):
            self.depth += 1
        if not self.depth:
            return
        if tag == "form":
            self.forms.append(
                {"action": attrs["action"], "confirm": "data-confirm" in attrs, "button": None}
            )
        elif tag == "button" and self.forms:
            self._into = self.forms[-1]["button"] = {"class": attrs.get("class", ""), "text": ""}
            self._text = []
        elif tag == "a" and "button" in attrs.get("class", "").split():
            self._into = {"href": attrs["href"], "class": attrs["class"], "text": ""}
            self.links.append(self._into)
            self._text = []
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select == "action":
            self.choices.append(attrs["value"])

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "section":
            self.depth -= 1
        elif tag in ("button", "a") and self._text is not None:
            self._into["text"] = " ".join("".join(self._text).split())
            self._text = self._into = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def link(endpoint: str, **values) -> str:
    """The path of ``endpoint``, as the pages write it (url_for is external outside a
    request)."""
    return url_for(endpoint, _external=False, **values)


def section(client, application) -> ActionsSection:
    response = client.get(link("applications.show", application_id=application.id))
    assert response.status_code == 200
    return ActionsSection(response.get_data(as_text=True))


def step_url(application, action: str) -> str:
    return link("workflow.step", application_id=application.id, action=action)


# (state, role) -> the buttons the case page draws: (action, where it goes, confirmed first,
# secondary); and the decision form's choices. Within the delegated limit, the trip over.
PAGE = {
    ("awaiting_endorsement", "manager"): (
        [("endorse", "step", False, False), ("not_endorse", "step", False, True)],
        [],
    ),
    ("awaiting_endorsement", "applicant"): ([("withdraw", "step", True, True)], []),
    ("screening", "caseworker"): (
        [
            ("request_information", "step", False, False),
            ("forward_for_decision", "step", False, False),
        ],
        ["grant", "grant_part", "refuse"],
    ),
    ("awaiting_decision", "caseworker"): ([], ["grant", "grant_part", "refuse"]),
    # Submitting the report is the report section's own link, not a step button.
    ("granted", "applicant"): ([("give_up_grant", "step", True, True)], []),
    ("granted", "caseworker"): ([("cancel_grant", "step", True, True)], []),
    ("report_submitted", "caseworker"): (
        [("return_report", "review", False, True), ("approve_report", "review", False, False)],
        [],
    ),
    ("awaiting_endorsement", "caseworker"): ([], []),
    ("settled", "applicant"): ([], []),
}


# Steps taken on a page of their own, drawn as links: (state, role) -> the actions.
LINKED = {
    # Asking for a decision to be reconsidered, with reasons and documents (issue 22).
    ("granted", "applicant"): ["request_reconsideration"],
}


def where(application, action: str, kind: str) -> str:
    if kind == "review":
        return link("reports.review", application_id=application.id, action=action)
    return step_url(application, action)


@pytest.mark.parametrize(("state", "role"), sorted(PAGE))
def test_each_person_sees_the_steps_the_route_gives_them(world, client, auth, state, role):
    application = make_application(world.employee, world.fund, state=state, **trip_over())
    db.session.commit()
    auth.login(person(world, role))
    page = section(client, application)
    steps, choices = PAGE[state, role]
    drawn = [
        (form["action"], form["confirm"], "button-secondary" in form["button"]["class"])
        for form in page.forms
        if form["action"] != link("workflow.decide", application_id=application.id)
    ]
    assert drawn == [
        (where(application, action, kind), confirm, secondary)
        for action, kind, confirm, secondary in steps
    ]
    assert [form["button"]["text"] for form in page.forms][: len(steps)] == [
        str(ACTIONS[action].label) for action, *_ in steps
    ]
    assert page.choices == choices
    linked = LINKED.get((state, role), [])
    assert [(found["href"], found["text"]) for found in page.links] == [
        (link(ACTIONS[action].page, application_id=application.id), str(ACTIONS[action].label))
        for action in linked
    ]
    # ... and they are the route's: what the engine allows, less what is taken elsewhere.
    allowed = {t.action for t in engine.available_transitions(application, person(world, role))}
    shown = {action for action, *_ in steps} | set(choices) | set(linked)
    assert shown == {a for a in allowed if ACTIONS[a].listed}


def test_the_buttons_and_journal_speak_the_readers_language(world, client, auth):
    application = make_application(world.employee, world.fund, state="awaiting_endorsement")
    db.session.commit()
    auth.login(world.manager)
    client.post(link("core.set_language"), data={"locale": "en"})
    texts = [form["button"]["text"] for form in section(client, application).forms]
    assert texts == ["Endorse", "Do not endorse"]
    client.post(step_url(application, "endorse"), data={"comment": ""})
    # The applicant's journal says what happened to them; staff see the step's name.
    auth.login(world.employee)
    client.post(link("core.set_language"), data={"locale": "da"})
    page = client.get(link("applications.show", application_id=application.id))
    assert "Anbefalet af din leder" in page_text(page)
    auth.login(world.caseworker)
    page = client.get(link("applications.show", application_id=application.id))
    assert "Anbefalet af din leder" not in page_text(page)


def test_a_committees_agenda_step_is_a_link_to_its_page(cw, client, auth):  # noqa: F811
    application = make_application(cw.member, cw.fund, state="screening")
    db.session.commit()
    auth.login(cw.caseworker)
    page = section(client, application)
    agenda = link("committees.agenda_for_case", application_id=application.id)
    assert [(link["href"], link["text"]) for link in page.links] == [
        (agenda, str(ACTIONS["put_on_agenda"].label))
    ]
    # An old form (or a bookmark) posting the step is sent to the page.
    response = client.post(step_url(application, "put_on_agenda"), data={"comment": ""})
    assert response.status_code == 303 and response.location.endswith(agenda)


def journal_of(application) -> list[tuple]:
    return [
        (e.action, e.from_state, e.to_state)
        for e in db.session.scalars(
            db.select(JournalEntry).where(JournalEntry.application_id == application.id)
        )
    ]


def state_of(application) -> str:
    db.session.expire_all()
    return db.session.get(Application, application.id).state


@pytest.mark.parametrize("action", ["fly_to_the_moon", "created", "letter_issued", "grant"])
def test_an_action_the_step_view_does_not_take_is_not_found(world, client, auth, action):
    """Not an action at all, a journal entry's name, or a choice of the decision form (taken
    only through it, shown and confirmed)."""
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.caseworker)
    response = client.post(step_url(application, action), data={"comment": "Nej."})
    assert response.status_code == 404
    assert state_of(application) == State.SCREENING
    assert journal_of(application) == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("caseworker", 403),  # sees the case, but endorsing is the manager's step
        ("applicant", 403),  # nobody endorses their own application
        ("board_member", 403),
        ("outsider", 403),  # does not even see the case
    ],
)
def test_a_step_that_is_not_the_persons_is_refused_and_changes_nothing(
    world, client, auth, role, status
):
    application = make_application(world.employee, world.fund, state="awaiting_endorsement")
    db.session.commit()
    auth.login(person(world, role))
    response = client.post(step_url(application, "endorse"), data={"comment": "Ja."})
    assert response.status_code == status
    assert state_of(application) == State.AWAITING_ENDORSEMENT
    assert journal_of(application) == []
    assert db.session.get(Application, application.id).endorsed is None


def test_a_step_of_another_state_is_refused_and_changes_nothing(world, client, auth):
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.manager)
    response = client.post(step_url(application, "endorse"), data={"comment": ""})
    assert response.status_code == 403
    assert state_of(application) == State.SCREENING
    assert journal_of(application) == []


def test_the_step_is_taken_with_its_effect(world, client, auth):
    application = make_application(world.employee, world.fund, state="awaiting_endorsement")
    db.session.commit()
    auth.login(world.manager)
    response = client.post(step_url(application, "not_endorse"), data={"comment": "For dyrt."})
    assert response.status_code == 302
    assert state_of(application) == State.SCREENING
    assert journal_of(application) == [("not_endorse", "awaiting_endorsement", "screening")]
    # The effect registered for the action keeps the manager's answer on the case.
    case = db.session.get(Application, application.id)
    assert case.endorsed is False and case.endorsement_comment == "For dyrt."


def test_a_step_taken_on_its_page_is_sent_there(world, client, auth):
    application = make_application(world.employee, world.fund, state="granted", **trip_over())
    db.session.commit()
    auth.login(world.employee)
    response = client.post(step_url(application, "submit_report"), data={})
    assert response.status_code == 303
    assert response.location.endswith(link("reports.edit", application_id=application.id))
    assert state_of(application) == State.GRANTED


def test_every_action_can_be_taken_where_the_case_page_sends_it(app):
    """Taken by the step view (a comment, then its effect), or on a page that exists; a step
    that is confirmed first says what it means; the case page lists all but the steps
    with a link of their own."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for name, action in ACTIONS.items():
        assert action.name == name
        assert action.page in endpoints if action.page else action.form is not None, name
        assert not (action.confirm and action.page), name
        assert bool(action.preview) <= bool(action.confirm), name
