"""The one error protocol for views (``grants.core.refusals``): a ``DomainError`` in a POST
changes nothing, and its message stands next to the field it names, or in a flash when the
form has no such field; as text, never as markup (issue 16)."""

from __future__ import annotations

import pytest
from flask import render_template_string, request
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms import StringField

from grants.core.errors import DomainError, NotAllowed
from grants.core.forms import Form
from grants.core.refusals import refused_by_domain
from grants.extensions import db
from grants.organisations.models import Invitation
from grants.people.models import User
from tests.factories import make_organisation, make_user
from tests.html import field_error, field_errors, flashes

PAGE = """{% extends "base.html" %}{% block content %}
{% from "macros/forms.html" import field %}
<form method="post">{{ field(form.name) }}</form>{% endblock %}"""

MARKUP = '<b id="bold">fed</b><script>alert(1)</script>'


class NameForm(Form):
    class Meta:
        csrf = False

    name = StringField("Navn")


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def refusing(app, world):
    """A route that writes a person, then meets the error the request asks for."""

    def view():
        form = NameForm()
        with refused_by_domain(form) as refusal:
            make_user(email="skrevet@example.dk")
            kind = NotAllowed if request.form.get("kind") == "forbidden" else DomainError
            message = request.form.get("message", "Navnet er optaget.")
            if request.form.get("markup"):
                message = Markup(MARKUP)
            raise kind(message, request.form.get("field") or None)
        return render_template_string(PAGE, form=form), refusal.status if refusal else 200

    app.add_url_rule("/test/refusal", "test_refusal", view, methods=["POST"])
    db.session.commit()
    return users()


def test_an_error_about_a_field_stands_next_to_it_and_nothing_is_written(client, refusing):
    response = client.post("/test/refusal", data={"name": "Ib", "field": "name"})
    assert response.status_code == 422
    assert field_error(response, "name") == "Navnet er optaget."
    assert flashes(response, "error") == []  # not flashed as well
    assert users() == refusing
    assert db.session.scalar(select(User).where(User.email == "skrevet@example.dk")) is None


def test_an_error_without_a_field_on_the_form_is_flashed(client, refusing):
    response = client.post("/test/refusal", data={"field": "cvr", "message": "Ikke nu."})
    assert response.status_code == 422
    assert flashes(response, "error") == ["Ikke nu."]
    assert field_errors(response) == {}
    assert users() == refusing


def test_not_allowed_answers_403_and_says_why(client, refusing):
    response = client.post("/test/refusal", data={"kind": "forbidden"})
    assert response.status_code == 403
    assert flashes(response, "error")
    assert users() == refusing
    # a refusal about what was typed (a step's missing reason) stands next to the field
    response = client.post("/test/refusal", data={"kind": "forbidden", "field": "name"})
    assert response.status_code == 403
    assert field_error(response, "name")
    assert users() == refusing


@pytest.mark.parametrize("field", ["name", ""])
@pytest.mark.parametrize("markup", ["typed", "markup"])
def test_a_message_is_text_never_markup(client, refusing, field, markup):
    """Beside the field or flashed, typed by a person or a ``Markup`` that slipped in:
    escaped."""
    data = {"field": field, "message": MARKUP}
    if markup == "markup":
        data["markup"] = "1"
    page = client.post("/test/refusal", data=data).get_data(as_text=True)
    assert '<b id="bold">' not in page and "<script>alert(1)" not in page
    assert "&lt;b id=" in page
    assert users() == refusing


def test_a_refused_invitation_changes_nothing_and_says_why_beside_the_address(world, client, auth):
    """A real view: inviting someone who already acts for the organisation."""
    organisation = make_organisation(world.employee)
    db.session.commit()
    auth.login(world.employee)
    before = db.session.scalar(select(func.count()).select_from(Invitation))
    response = client.post(
        f"/organisationer/{organisation.id}/invitationer", data={"email": world.employee.email}
    )
    assert response.status_code == 422
    assert "handler allerede for organisationen" in (field_error(response, "email") or "")
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == before
