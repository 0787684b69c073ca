"""The agenda reaches the members by e-mail when it is published; the minutes list the
members present and absent and name the secretary (an official) apart; only the
municipality's own people can be registered as members."""

from __future__ import annotations

from sqlalchemy import func, select

from grants.committees.minutes import minutes_html
from grants.committees.models import CommitteeMembership
from grants.extensions import db
from grants.people.models import User
from tests.committees.conftest import make_case, make_meeting, on_agenda
from tests.confirming import confirm
from tests.factories import PASSWORD, make_organisation
from tests.html import flashes, page_text


def test_publishing_the_agenda_mails_every_member(client, auth, cw, inbox):
    meeting = make_meeting(cw.committee, days=9)
    db.session.commit()
    application = make_case(cw, title="Kulturmøde i Aarhus")
    on_agenda(cw, application, meeting=meeting)
    url = f"/udvalg/moeder/{meeting.id}/dagsorden/udsend"
    # Nobody outside the secretariat and the meeting's chair and secretary publishes it.
    for person in (cw.member, cw.outsider):
        auth.login(person)
        assert client.post(url).status_code == 403
    assert inbox.take() == []
    auth.login(cw.caseworker)
    page = client.get(f"/udvalg/moeder/{meeting.id}").get_data(as_text=True)
    assert "Send dagsordenen til udvalget" in page_text(page)
    response = client.post(url)
    assert response.status_code == 302
    mails = inbox.take()
    assert sorted(str(m["To"]) for m in mails) == sorted(
        [cw.chair.email, cw.secretary.email, cw.member.email]
    )
    # Who got it, by name, so nobody wonders who of the committee was left out.
    assert flashes(client.get(response.headers["Location"])) == [
        "Dagsordenen er sendt til Frederik Friis, Sine Sekretær og Ulla Ulriksen."
    ]
    mail = next(m for m in mails if str(m["To"]) == cw.member.email)
    body = mail.get_content()
    assert "Dagsorden: Kultur- og Fritidsudvalget" in str(mail["Subject"])
    assert "16:00" in str(mail["Subject"]) and "16:00" in body
    assert application.case_number in body and "Kulturmøde i Aarhus" in body
    assert f"/udvalg/moeder/{meeting.id}" in body
    db.session.expire_all()
    assert meeting.agenda_published_at is not None
    # Sent again: said to be a changed agenda.
    client.post(url)
    assert all("Ændret dagsorden" in str(m["Subject"]) for m in inbox.take())


def test_the_agenda_mail_speaks_the_members_language(client, auth, cw, inbox):
    cw.member.locale = "en"
    on_agenda(cw, make_case(cw))
    db.session.commit()
    meeting = make_meeting(cw.committee, days=3)
    db.session.commit()
    on_agenda(cw, make_case(cw, title="Anden sag"), meeting=meeting)
    cw.chair.locale = "en"
    db.session.commit()
    auth.login(cw.chair)
    sent = client.post(f"/udvalg/moeder/{meeting.id}/dagsorden/udsend")
    assert sent.status_code == 302
    assert flashes(client.get(sent.headers["Location"])) == [
        "The agenda has been sent to Sine Sekretær and Ulla Ulriksen."
    ]
    mails = {str(m["To"]): m for m in inbox.take()}
    assert cw.chair.email not in mails  # the one who sent it
    assert str(mails[cw.member.email]["Subject"]).startswith("Agenda: ")
    assert str(mails[cw.secretary.email]["Subject"]).startswith("Dagsorden: ")


def test_an_empty_or_held_agenda_is_not_sent(client, auth, cw, inbox):
    meeting = make_meeting(cw.committee, days=9)
    db.session.commit()
    auth.login(cw.caseworker)
    response = client.post(f"/udvalg/moeder/{meeting.id}/dagsorden/udsend")
    assert response.status_code == 422
    assert "Dagsordenen er tom" in page_text(response)
    on_agenda(cw, make_case(cw))  # on cw's meeting: its agenda sent, then held today
    sent_before = cw.meeting.agenda_published_at
    inbox.take()
    response = client.post(f"/udvalg/moeder/{cw.meeting.id}/dagsorden/udsend")
    assert response.status_code == 422
    assert inbox.take() == []
    db.session.expire_all()
    assert meeting.agenda_published_at is None
    assert cw.meeting.agenda_published_at == sent_before


def test_the_minutes_never_list_the_secretary_as_absent(client, auth, cw):
    item = on_agenda(cw, make_case(cw))
    auth.login(cw.secretary)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    client.post(f"{base}/fremmoedte", data={"present": [str(cw.chair.id)]})
    client.post(f"{base}/punkter/{item.id}/beslutning", data={"decision": "grant"})
    confirm(client, f"{base}/udsend")
    assert client.post(f"{base}/luk").status_code == 302
    html = minutes_html(cw.meeting)
    present, rest = html.split("Fraværende", 1)
    absent, secretary = rest.split("<h2>Sekretær</h2>", 1)
    assert "Frederik Friis" in present
    assert "Ulla Ulriksen" in absent and "Sine Sekretær" not in absent
    assert "Sine Sekretær" in secretary.split("</ul>")[0]
    # The meeting page does not count the secretary among those absent either.
    page = client.get(base)
    assert "Sine Sekretær (sekretær) – fraværende" not in page_text(page)
    assert "Ulla Ulriksen (medlem) – fraværende" in page_text(page)


def test_the_member_picker_offers_only_the_municipalitys_own_people(client, auth, cw):
    representative = User(email="kontakt@forening.dk", name="Karin Kontakt")
    representative.set_password(PASSWORD)
    db.session.add(representative)
    db.session.flush()
    make_organisation(representative)
    db.session.commit()
    auth.login(cw.caseworker)
    page = client.get(f"/udvalg/{cw.committee.id}")
    assert "Karin Kontakt" not in page_text(page)  # the picker's choices are in it
    assert f"{cw.outsider.name} ({cw.outsider.email})" in page_text(page)
    before = db.session.scalar(select(func.count()).select_from(CommitteeMembership))
    response = client.post(
        f"/udvalg/{cw.committee.id}/medlemmer",
        data={"user_id": str(representative.id), "role": "member", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 422
    assert "Vælg en af mulighederne." in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(CommitteeMembership)) == before
    # The operation refuses too, whatever the form offers.
    import datetime as dt

    import pytest

    from grants.committees import operations as ops
    from grants.committees.models import MemberRole
    from grants.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        ops.add_member(cw.committee, representative, MemberRole.MEMBER, dt.date(2026, 1, 1), None)
    assert refused.value.field == "user_id"
    db.session.rollback()
