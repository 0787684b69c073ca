"""A study trip submitted through the form with a programme file, endorsed, and sent back by
the caseworker for more information: the start of every resubmission test."""

from __future__ import annotations

import io

from sqlalchemy import select

from grants.cases.models import Application
from grants.extensions import db
from tests.applications.helpers import form_data

PROGRAMME_V1 = b"%PDF-1.4\n% programme, first version\n%%EOF\n"
PROGRAMME_V2 = b"%PDF-1.4\n% programme, second version\n%%EOF\n"
QUESTION = "Ret venligst beløbet, og vedlæg det endelige program."
# A budget that allows the amounts (23.000 kr. of costs, 1.000 kr. other funding).
BUDGET = {"transport": "12000", "accommodation": "8.000,00", "fees": "2000", "meals": "1000"}


def data(world, **overrides) -> dict:
    return form_data(manager_id=str(world.manager.id), **BUDGET, **overrides)


def with_file(values: dict, content: bytes, name: str) -> dict:
    return {**values, "programme_file": (io.BytesIO(content), name)}


def post_form(client, url: str, values: dict):
    return client.post(url, data=values, content_type="multipart/form-data")


def waiting_for_information(world, client, auth, **overrides) -> Application:
    """Submitted with programme v1 (``program.pdf``) and 19.500,50 kr. applied for, endorsed,
    and back with the applicant: the caseworker asked ``QUESTION``."""
    auth.login(world.employee)
    values = with_file(
        data(world, amount_applied="19.500,50", **overrides), PROGRAMME_V1, "program.pdf"
    )
    response = post_form(client, "/ansoegninger/ny/studierejsefonden", values)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    application = db.session.scalars(select(Application)).one()
    auth.login(world.manager)
    client.post(f"/ansoegninger/{application.id}/trin/endorse", data={"comment": ""})
    auth.login(world.caseworker)
    response = client.post(
        f"/ansoegninger/{application.id}/trin/request_information", data={"comment": QUESTION}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert application.state == "awaiting_information"
    return application
