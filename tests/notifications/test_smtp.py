"""Each step sends its e-mails over real SMTP: to the next person to act and the applicant."""

from __future__ import annotations

import email
from email import policy

from grants.extensions import db
from tests.applications.helpers import form_data
from tests.confirming import confirm
from tests.factories import make_application


def recipients(messages) -> set[str]:
    return {m["To"] for m in messages}


def test_every_step_mails_the_next_person_and_the_applicant(world, client, auth, inbox):
    auth.login(world.employee)
    client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(world.manager.id))
    )
    from grants.cases.models import Application

    application = db.session.query(Application).one()
    mails = inbox.take()
    assert recipients(mails) == {world.manager.email, world.employee.email}
    receipt = next(m for m in mails if m["To"] == world.employee.email)
    assert application.case_number in receipt["Subject"]
    assert "Tak for din ansøgning" in receipt.get_content()
    assert f"/ansoegninger/{application.id}" in receipt.get_content()

    auth.login(world.manager)
    client.post(f"/ansoegninger/{application.id}/trin/endorse", data={"comment": ""})
    assert recipients(inbox.take()) == {world.caseworker.email, world.employee.email}

    auth.login(world.caseworker)
    client.post(
        f"/ansoegninger/{application.id}/trin/request_information",
        data={"comment": "Hvilken konference?"},
    )
    mails = inbox.take()
    assert recipients(mails) == {world.employee.email}
    assert "Hvilken konference?" in mails[0].get_content()

    auth.login(world.employee)
    client.post(
        f"/ansoegninger/{application.id}/rediger",
        data=form_data(manager_id=str(world.manager.id), reply="Konferencen om inklusion."),
    )
    assert recipients(inbox.take()) == {world.caseworker.email, world.employee.email}

    auth.login(world.caseworker)
    client.post(f"/ansoegninger/{application.id}/trin/forward_for_decision", data={})
    # Within the delegated limit the caseworker decides; the applicant is not told of this
    # internal step, nor the caseworker, who just took it, that the case waits for them.
    assert recipients(inbox.take()) == set()

    confirm(client, f"/ansoegninger/{application.id}/afgoerelse", {"action": "grant"})
    mails = inbox.take()
    # The applicant, and the manager who endorsed it hears of the decision.
    assert recipients(mails) == {world.employee.email, world.manager.email}
    assert "afgørelse" in next(m for m in mails if m["To"] == world.employee.email).get_content()


def test_above_the_limit_the_board_is_told(world, client, auth, inbox):
    application = make_application(
        world.employee, world.fund, amount=20000, state="screening", budget={"transport": 25000}
    )
    db.session.commit()
    auth.login(world.caseworker)
    client.post(f"/ansoegninger/{application.id}/trin/forward_for_decision", data={})
    assert recipients(inbox.take()) == {world.board_member.email}


def test_mail_goes_out_in_the_recipients_language(world, client, auth, inbox):
    world.manager.locale = "en"
    application = make_application(world.employee, world.fund, state="draft", manager=world.manager)
    db.session.commit()
    auth.login(world.employee)
    client.post(
        f"/ansoegninger/{application.id}/rediger", data=form_data(manager_id=str(world.manager.id))
    )
    mails = inbox.take()
    to_manager = next(m for m in mails if m["To"] == world.manager.email)
    to_employee = next(m for m in mails if m["To"] == world.employee.email)
    # The manager chose English; the employee, who did the work, reads Danish.
    assert (
        to_manager["Subject"]
        .strip()
        .startswith(f"Case {application.case_number} is waiting for you")
    )
    assert to_manager.get_content().startswith(f"Dear {world.manager.name}")
    assert "Kære" not in to_manager.get_content()
    assert to_employee["Subject"].strip().startswith("Din ansøgning")
    assert to_employee.get_content().startswith(f"Kære {world.employee.name}")


def test_the_applicant_hears_of_the_decision_in_her_language(world, client, auth, inbox):
    world.employee.locale = "en"
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    auth.login(world.caseworker)  # Danish
    confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {"action": "grant", "amount": "", "reasons": ""},
    )
    to_applicant = next(m for m in inbox.take() if m["To"] == world.employee.email)
    assert to_applicant["Subject"].strip().startswith(f"Your application {application.case_number}")
    assert "A decision has been made in your case" in to_applicant.get_content()
    letter = application.letters[0]
    assert letter.language == "en"


def test_a_failed_step_sends_nothing(world, client, auth, inbox):
    application = make_application(
        world.employee, world.fund, state="awaiting_endorsement", manager=world.manager
    )
    db.session.commit()
    auth.login(world.manager)
    response = client.post(
        f"/ansoegninger/{application.id}/trin/not_endorse", data={"comment": ""}
    )  # a reason is required
    assert response.status_code == 422
    assert inbox.take() == []


def test_without_a_mail_server_messages_are_written_to_a_folder(world, client, auth, app, tmp_path):
    folder = tmp_path / "outbox"
    app.config.update(MAIL_SERVER="", MAIL_FOLDER=str(folder))
    auth.login(world.employee)
    client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(world.manager.id))
    )
    written = sorted(folder.glob("*.eml"))
    assert len(written) == 2
    parsed = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in written]
    assert recipients(parsed) == {world.manager.email, world.employee.email}


def test_mail_left_in_the_outbox_is_sent_later(world, client, auth, app, inbox, runner):
    from grants.notifications.models import OutboxMessage

    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    auth.login(world.employee)
    client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(world.manager.id))
    )
    pending = db.session.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).count()
    assert pending == 2 and inbox.take() == []
    app.config["MAIL_PORT"] = port
    result = runner.invoke(args=["mail", "send"])
    assert "Sent 2" in result.output
    assert recipients(inbox.take()) == {world.manager.email, world.employee.email}
    assert runner.invoke(args=["mail", "send"]).output.startswith("Sent 0")
