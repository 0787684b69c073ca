"""Who gets an applicant's message and who reads the thread's files (need-to-know).

The applicant side's message goes to the caseworkers handling the case (the one who acted,
and whoever took it over); while none has, to the people responsible for the fund's cases,
never to anyone of the applicant side; the case shows who it went to. A message's files are
read by the applicant side, the secretariat and those deciding the case now: a manager who
endorsed the trip, a board member not deciding it, finance, never. Internal notes never reach
anyone of the applicant side, a caseworker applying herself included."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from grants.extensions import db
from grants.messages.models import CaseMessage
from grants.notifications.sender import send_pending
from grants.people.models import Role
from tests.dbstate import SIGNING_IN, table_fingerprint
from tests.factories import make_application, make_organisation, make_user
from tests.html import field_error, page_text, texts
from tests.messages.helpers import post_message

PDF = b"%PDF-1.4\n% the programme\n%%EOF\n"


def mailed_to(inbox) -> set[str]:
    send_pending()
    return {m["To"] for m in inbox.take()}


def latest_message() -> CaseMessage:
    db.session.expire_all()
    return db.session.scalars(select(CaseMessage).order_by(CaseMessage.id.desc())).first()


def test_the_first_message_goes_to_the_funds_caseworkers_then_to_hers(world, client, auth, inbox):
    second = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Tove Thy", email="tove@ballerup.dk")
    gone = make_user(Role.CASEWORKER, name="Gert Gammel", email="gert@ballerup.dk")
    gone.active = False
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()

    # Nobody has acted: the caseworkers of the fund (the secretariat), not the manager, the
    # board, finance or an inactive account; the case says who it went to.
    auth.login(world.employee)
    assert post_message(client, application, body="Hvornår hører vi noget?").status_code == 302
    assert mailed_to(inbox) == {"sagsbehandler@ballerup.dk", "tove@ballerup.dk"}
    assert [p["name"] for p in latest_message().sent_to] == ["Sara Skov", "Tove Thy"]
    page = client.get(f"/ansoegninger/{application.id}")
    assert texts(page, "#beskeder .message-sent-to") == ["Sendt til: Sara Skov, Tove Thy"]

    # Sara answers: from now on only she is told.
    auth.login(world.caseworker)
    assert post_message(client, application, body="I næste uge.").status_code == 302
    assert mailed_to(inbox) == {"medarbejder@ballerup.dk"}
    auth.login(world.employee)
    assert post_message(client, application, body="Tak.").status_code == 302
    assert mailed_to(inbox) == {"sagsbehandler@ballerup.dk"}
    assert [p["name"] for p in latest_message().sent_to] == ["Sara Skov"]

    # Tove takes over (she writes on the case): both are told; Sara leaves: Tove alone.
    auth.login(second)
    assert post_message(client, application, body="Jeg har overtaget sagen.").status_code == 302
    inbox.take()
    auth.login(world.employee)
    assert post_message(client, application, body="Velkommen.").status_code == 302
    assert mailed_to(inbox) == {"sagsbehandler@ballerup.dk", "tove@ballerup.dk"}
    world.caseworker.active = False
    db.session.commit()
    assert post_message(client, application, body="Er du der?").status_code == 302
    assert mailed_to(inbox) == {"tove@ballerup.dk"}


def test_a_caseworker_on_the_applicant_side_is_never_the_staff_side(world, client, auth, inbox):
    # A caseworker who is a member of the applying association: her own steps on the case
    # (she wrote the application) do not make her its caseworker.
    member = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Karen Klub", email="karen@ballerup.dk")
    organisation = make_organisation(world.employee, member, name="Forening A")
    application = make_application(member, world.fund, state="screening", organisation=organisation)
    db.session.commit()
    auth.login(world.employee)
    assert post_message(client, application, body="Hvor langt er sagen?").status_code == 302
    assert mailed_to(inbox) == {"sagsbehandler@ballerup.dk"}


def case_with_a_file(world, client, auth, state="awaiting_decision", amount=8000):
    application = make_application(
        world.employee, world.fund, manager=world.manager, state=state, amount=amount
    )
    db.session.commit()
    auth.login(world.employee)
    response = post_message(
        client, application, body="Programmet.", files=(io.BytesIO(PDF), "program-privat.pdf")
    )
    assert response.status_code == 302
    [attachment] = latest_message().attachments
    return application, attachment


def test_a_messages_files_are_read_on_a_need_to_know_basis(world, client, auth, inbox):
    application, attachment = case_with_a_file(world, client, auth)
    url = f"/ansoegninger/{application.id}/bilag/{attachment.id}"
    for person in (world.employee, world.caseworker, world.admin):
        auth.login(person)
        page = client.get(f"/ansoegninger/{application.id}")
        assert "program-privat.pdf" in page_text(page), person
        response = client.get(url)
        assert response.status_code == 200 and response.data == PDF, person

    # The manager endorsed the trip, the board does not decide it (within the caseworker's
    # limit), finance pays: they see the case, never the thread's files.
    own = make_application(world.outsider, world.fund, state="screening")
    db.session.commit()
    fingerprint = table_fingerprint(skip=SIGNING_IN)
    for person in (world.manager, world.board_member, world.finance):
        auth.login(person)
        page = client.get(f"/ansoegninger/{application.id}")
        assert page.status_code == 200, person
        assert "program-privat.pdf" not in page.get_data(as_text=True), person
        assert 'id="beskeder"' not in page.get_data(as_text=True), person
        assert "Programmet." not in page_text(page), person  # nor in the journal
        assert client.get(url).status_code == 403, person
    # Nor anyone outside the case, nor through another case's id.
    auth.login(world.outsider)
    assert client.get(url).status_code in (403, 404)
    assert client.get(f"/ansoegninger/{own.id}/bilag/{attachment.id}").status_code == 404
    assert table_fingerprint(skip=SIGNING_IN) == fingerprint


def test_the_board_reads_the_files_of_a_case_it_decides_now(world, client, auth, inbox):
    # Above the caseworker's limit the fund's board decides: while it does, its members read
    # the thread's files.
    application, attachment = case_with_a_file(world, client, auth, amount=20000)
    auth.login(world.caseworker)
    response = client.post(
        f"/ansoegninger/{application.id}/interne-notater", data={"note": "Sekretariatets notat."}
    )
    assert response.status_code == 302
    auth.login(world.board_member)
    page = client.get(f"/ansoegninger/{application.id}")
    assert "program-privat.pdf" in page_text(page)
    assert "Sekretariatets notat." not in page.get_data(as_text=True)  # the secretariat's own
    assert client.get(f"/ansoegninger/{application.id}/bilag/{attachment.id}").status_code == 200


def test_internal_notes_never_reach_a_caseworker_applying_herself(world, client, auth, inbox):
    # A caseworker applies for her own study trip: she is the applicant side of it.
    application = make_application(world.caseworker, world.fund, state="screening")
    db.session.commit()
    second = make_user(Role.CASEWORKER, name="Tove Thy", email="tove@ballerup.dk")
    db.session.commit()
    auth.login(second)
    response = client.post(
        f"/ansoegninger/{application.id}/interne-notater", data={"note": "Hemmelig vurdering."}
    )
    assert response.status_code == 302
    send_pending()
    inbox.take()

    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{application.id}")
    assert page.status_code == 200
    assert "Hemmelig vurdering." not in page.get_data(as_text=True)
    assert 'id="notater"' not in page.get_data(as_text=True)
    fingerprint = table_fingerprint(skip=SIGNING_IN)
    # Not through the case file archive (it holds the notes), nor by writing one herself.
    assert client.get(f"/ansoegninger/{application.id}/sagsmappe.zip").status_code == 403
    response = client.post(
        f"/ansoegninger/{application.id}/interne-notater", data={"note": "Mit eget."}
    )
    assert response.status_code == 403
    assert table_fingerprint(skip=SIGNING_IN) == fingerprint
    # Nor in her own data export.
    export = client.get("/konto/mine-data.zip")
    data = json.loads(zipfile.ZipFile(io.BytesIO(export.data)).read("mine-data.json"))
    assert "Hemmelig vurdering." not in json.dumps(data, ensure_ascii=False)
    # Tove's archive of the case holds it, marked § 23.
    auth.login(second)
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/ansoegninger/{application.id}/sagsmappe.zip").data)
    )
    assert any(n.startswith("interne-notater/") for n in archive.namelist())


def test_a_funds_shared_mailbox_gets_the_message_until_a_caseworker_acts(
    world, client, auth, inbox
):
    """The fund's caseworkers' shared mailbox (funktionspostkasse), set by the administrator:
    a bad address is refused next to the field and changes nothing."""
    from flask import url_for

    from tests.administration.test_admin_pages import fund_data

    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.admin)
    with client.application.test_request_context():
        url = url_for("admin.fund", fund_id=world.fund.id)
    fingerprint = table_fingerprint(skip=SIGNING_IN)
    for bad in ("tilskud", "a@b", "<b>x</b>@kommune.dk", "a@kommune.dk, b@kommune.dk"):
        response = client.post(url, data=fund_data(world.fund, caseworker_email=bad))
        assert response.status_code == 422, bad
        assert "Skriv en gyldig e-mailadresse." in (field_error(response, "caseworker_email") or "")
        assert table_fingerprint(skip=SIGNING_IN) == fingerprint
    good = client.post(url, data=fund_data(world.fund, caseworker_email=" Tilskud@Ballerup.dk "))
    assert good.status_code == 302
    db.session.expire_all()
    assert world.fund.caseworker_email == "tilskud@ballerup.dk"

    auth.login(world.employee)
    assert post_message(client, application, body="Er ansøgningen modtaget?").status_code == 302
    assert mailed_to(inbox) == {"tilskud@ballerup.dk"}
    page = client.get(f"/ansoegninger/{application.id}")
    assert texts(page, "#beskeder .message-sent-to") == ["Sendt til: tilskud@ballerup.dk"]
    # A caseworker takes the case: from then on she is told, not the mailbox.
    auth.login(world.caseworker)
    assert post_message(client, application, body="Ja, den er modtaget.").status_code == 302
    inbox.take()
    auth.login(world.employee)
    assert post_message(client, application, body="Tak!").status_code == 302
    assert mailed_to(inbox) == {"sagsbehandler@ballerup.dk"}
