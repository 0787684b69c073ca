"""A person chooses their language and keeps it: the choice is stored on them, so it holds in
a new browser the next time they log in, and their mail follows it."""

from grants.extensions import db
from grants.people.models import User
from tests.browser.journeys import CASEWORKER


def stored_locale(live_server, email: str) -> str:
    with live_server.app.app_context():
        locale = db.session.scalars(db.select(User.locale).filter_by(email=email)).one()
        db.session.remove()
    return locale


def test_the_chosen_language_is_kept_across_logins(person, live_server):
    first = person(CASEWORKER, both_languages=False)
    assert first.language == "da"
    first.switch_language("work in English")
    assert first.language == "en"
    assert stored_locale(live_server, CASEWORKER) == "en"
    first.logout()
    # Logged out, still in English: the choice was not the session's to throw away.
    assert first.language == "en"
    first.see("Du er logget ud.")
    first.close()

    # Another day, another browser: English from the first page after logging in.
    again = person(CASEWORKER, both_languages=False)
    assert again.language == "en"
    again.see("Mine opgaver")  # "My tasks": where a person lands
    again.switch_language("back to Danish")
    assert again.language == "da"
    assert stored_locale(live_server, CASEWORKER) == "da"


def test_error_pages_are_in_the_layout_and_the_language(person):
    visitor = person()
    visitor.visit("/findes-ikke", "page not found", status=404)
    visitor.see("Siden findes ikke")
    visitor.switch_language()
    visitor.visit("/findes-ikke", "page not found in English", status=404)
    visitor.see("Siden findes ikke")
    visitor.switch_language()
