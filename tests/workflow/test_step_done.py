"""After a step the person who took it is told what happened in a sentence, from the step's
data (``Action.done``), in their language: "Ansøgningen er anbefalet.", not "Udført:
Anbefal."."""

from __future__ import annotations

import pytest

from grants.cases.states import State
from grants.extensions import db
from grants.workflow.actions import ACTIONS
from grants.workflow.models import Route
from tests import html
from tests.factories import make_application


def test_every_step_taken_from_the_case_page_has_its_sentence(app, routes):
    """Each action a route names that ``workflow.step`` takes (no page of its own, not a
    decision) says what happened in a sentence of its own, in Danish and English."""
    from flask_babel import force_locale

    named = {t.action for route in db.session.scalars(db.select(Route)) for t in route.transitions}
    stepped = [
        ACTIONS[name]
        for name in sorted(named)
        if not ACTIONS[name].page and not ACTIONS[name].decides
    ]
    assert {a.name for a in stepped} >= {"endorse", "not_endorse", "withdraw"}
    for action in stepped:
        assert action.done is not None, action.name
        for locale in ("da", "en"):
            with app.test_request_context(), force_locale(locale):
                sentence = action.done_message()
            assert sentence.endswith(".") and sentence[0].isupper(), (action.name, sentence)
            assert str(action.label) not in sentence, (action.name, sentence)
        with app.test_request_context(), force_locale("en"):
            english = action.done_message()
        with app.test_request_context(), force_locale("da"):
            assert english != action.done_message(), action.name


@pytest.mark.parametrize(
    ("locale", "action", "comment", "said"),
    [
        ("da", "endorse", "", "Ansøgningen er anbefalet."),
        ("en", "endorse", "", "The application has been endorsed."),
        ("da", "not_endorse", "Nej.", "Ansøgningen er sendt videre uden din anbefaling."),
        (
            "en",
            "not_endorse",
            "No.",
            "The application has been passed on without your endorsement.",
        ),
    ],
)
def test_the_manager_is_told_in_a_sentence(world, client, auth, locale, action, comment, said):
    application = make_application(world.employee, world.fund, state=State.AWAITING_ENDORSEMENT)
    world.manager.locale = locale
    db.session.commit()
    auth.login(world.manager)
    response = client.post(
        f"/ansoegninger/{application.id}/trin/{action}", data={"comment": comment}
    )
    assert response.status_code == 302
    notices = html.flashes(client.get(response.headers["Location"]), "success")
    assert notices == [said]


def test_a_step_without_a_sentence_still_says_a_sentence(app):
    from flask_babel import lazy_gettext as _l

    from grants.workflow.actions import Action

    with app.test_request_context():
        assert Action("x", _l("Anbefal")).done_message() == "Trinnet er udført: Anbefal."
