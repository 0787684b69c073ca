"""For the journal language tests (issue 15, point 4): take a step as an English-speaking
actor, then read the case's journal as a Danish and as an English reader."""

from __future__ import annotations

from contextlib import contextmanager

from flask import current_app
from flask_babel import force_locale

from grants.extensions import db


@contextmanager
def in_english():
    """Whatever runs inside is done by someone using the service in English."""
    with current_app.test_request_context(), force_locale("en"):
        yield


def case_page(client, auth, user, application) -> str:
    auth.login(user)
    response = client.get(f"/ansoegninger/{application.id}")
    assert response.status_code == 200
    auth.logout()
    return response.get_data(as_text=True).replace("\u00a0", " ")


def read_in_both_languages(client, auth, reader, application) -> tuple[str, str]:
    """The case page as ``reader`` sees it in Danish, then in English."""
    reader.locale = "da"
    db.session.commit()
    danish = case_page(client, auth, reader, application)
    reader.locale = "en"
    db.session.commit()
    english = case_page(client, auth, reader, application)
    reader.locale = "da"
    db.session.commit()
    return danish, english
