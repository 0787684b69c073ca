"""The purge and a committee's records (issue 17 point 10): the minutes of a political body
are kept, with the personal data in them reduced; the agenda items keep the decision and
lose the texts; a declaration of interest keeps who and the ruling and loses its reason."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from pypdf import PdfReader
from sqlalchemy import select

from grants.audit.models import AuditEvent
from grants.committees.models import AgendaItem, Decision, InterestDeclaration, Meeting
from grants.core import clock
from grants.extensions import db
from grants.privacy import operations
from tests.committees.conftest import cw, make_case, on_agenda  # noqa: F401  (the fixture)
from tests.confirming import confirm
from tests.factories import make_user

APPLICANT = "Anne Ansøger"
REASON = "Anne Ansøger er min nabo."
DECIDED = "Anne Ansøgers rejse ligger uden for puljens formål."


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def closed_meeting(client, auth, cw):  # noqa: F811
    anne = make_user(name=APPLICANT, email="anne@example.dk")
    anne.role_grants.clear()
    case = make_case(cw, anne, title="Annes studietur til Lyon")
    item = on_agenda(cw, case)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    auth.login(cw.chair)
    client.post(f"{base}/punkter/{item.id}/inhabilitet", data={"reason": REASON})
    auth.login(cw.secretary)
    declaration = item.declarations[0]
    client.post(f"{base}/erklaeringer/{declaration.id}", data={"disqualified": "yes"})
    present = [str(cw.chair.id), str(cw.member.id)]  # a quorum
    assert client.post(f"{base}/fremmoedte", data={"present": present}).status_code == 302
    client.post(
        f"{base}/punkter/{item.id}/beslutning", data={"decision": "refuse", "reasons": DECIDED}
    )
    confirm(client, f"{base}/udsend")
    assert client.post(f"{base}/luk").status_code == 302
    auth.logout()
    db.session.expire_all()
    return case, item


def test_the_minutes_are_kept_with_the_personal_data_reduced(client, auth, cw, move_clock):  # noqa: F811
    case, item = closed_meeting(client, auth, cw)
    meeting = db.session.get(Meeting, cw.meeting.id)
    before = meeting.minutes_sha256
    text = pdf_text(meeting.minutes_pdf)
    assert APPLICANT in text and "Lyon" in text and "Anne Ansøger er min nabo" in text
    assert case.state == "refused"

    move_clock(clock.today() + dt.timedelta(days=365 * 7))
    operations.purge(6, actor=cw.admin)
    db.session.commit()
    db.session.expire_all()

    meeting = db.session.get(Meeting, cw.meeting.id)
    kept = pdf_text(meeting.minutes_pdf)
    for personal in (APPLICANT, "Anne", "Lyon", "nabo", "uden for puljens formål"):
        assert personal not in kept, personal
    # What the law keeps: the committee, the meeting, who was there, the case number, the
    # decision and who was disqualified, and the minutes say that the rest was deleted.
    assert "Kultur- og Fritidsudvalget" in kept and case.case_number in kept
    assert "Giv afslag" in kept and "inhabil, deltog ikke i behandlingen" in kept
    assert "Frederik Friis" in kept  # the member who declared: a politician, in office
    assert "Personoplysningerne i punktet er slettet den" in kept
    assert meeting.minutes_sha256 == hashlib.sha256(meeting.minutes_pdf).hexdigest() != before
    item = db.session.get(AgendaItem, item.id)
    assert (item.recommendation, item.reasons) == ("", "")
    assert item.decision == Decision.REFUSE and item.issued_at is not None
    declaration = db.session.scalars(select(InterestDeclaration)).one()
    assert declaration.reason == "" and declaration.disqualified is True
    assert declaration.user_id == cw.chair.id
    reduced = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.minutes_reduced")
    ).one()
    assert reduced.details == {"sha256_before": before, "sha256_after": meeting.minutes_sha256}
    assert reduced.actor_id == cw.admin.id
    # The minutes are still handed out, whole, to the secretariat (the members of 2026-2029
    # are members no more: their mandate ended with the election period).
    auth.login(cw.caseworker)
    response = client.get(f"/udvalg/moeder/{meeting.id}/beslutningsprotokol.pdf")
    assert response.status_code == 200 and response.data == meeting.minutes_pdf
    page = client.get(f"/udvalg/moeder/{meeting.id}").get_data(as_text=True)
    assert APPLICANT not in page and "nabo" not in page and "uden for puljens" not in page


def test_the_urgency_of_a_late_item_loses_its_reason_and_keeps_the_fact(
    app,
    client,
    auth,
    cw,  # noqa: F811
    move_clock,
):
    """The chair's reason why a late item could not wait may name the applicant: it goes
    with the other texts; that the item was urgent, who said so and when stay."""
    from grants.committees import operations as ops
    from tests.committees.conftest import hold

    anne = make_user(name=APPLICANT, email="anne@example.dk")
    anne.role_grants.clear()
    on_agenda(cw, make_case(cw), held=False)
    with app.test_request_context():
        ops.publish_agenda(cw.meeting, cw.secretary)
    db.session.commit()
    item = on_agenda(cw, make_case(cw, anne, title="Annes studietur til Lyon"), held=False)
    hold(cw)
    base = f"/udvalg/moeder/{cw.meeting.id}"
    auth.login(cw.member)
    assert client.post(f"{base}/punkter/{item.id}/indsigelse").status_code == 302
    auth.login(cw.chair)
    reason = "Anne Ansøger rejser før næste møde."
    assert (
        client.post(f"{base}/punkter/{item.id}/haster", data={"reason": reason}).status_code == 302
    )
    for each in db.session.get(Meeting, cw.meeting.id).items:
        client.post(
            f"{base}/punkter/{each.id}/beslutning", data={"decision": "refuse", "reasons": DECIDED}
        )
    confirm(client, f"{base}/udsend")
    assert client.post(f"{base}/luk").status_code == 302
    db.session.expire_all()
    assert "Anne Ansøger rejser" in pdf_text(db.session.get(Meeting, cw.meeting.id).minutes_pdf)

    move_clock(clock.today() + dt.timedelta(days=365 * 7))
    operations.purge(6, actor=cw.admin)
    db.session.commit()
    db.session.expire_all()
    item = db.session.get(AgendaItem, item.id)
    assert item.urgent_reason == "" and item.urgent_at is not None
    assert item.urgent_by_id == cw.chair.id
    kept = pdf_text(db.session.get(Meeting, cw.meeting.id).minutes_pdf)
    assert "Anne" not in kept and "Sagen haster" in kept
    assert "Ulla Ulriksen gjorde indsigelse mod behandlingen" in kept
