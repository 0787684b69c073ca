"""The letters a committee's meeting issues together (a job, grants.committees.issuing) go
by Digital Post too: each item's letter starts its own sending once the item is issued."""

from __future__ import annotations

from xml.etree import ElementTree

from grants.delivery import memo
from grants.delivery.models import LetterDelivery, Status
from grants.extensions import db
from tests.committees.conftest import cw, make_case, on_agenda, record_grants  # noqa: F401
from tests.confirming import confirm
from tests.factories import make_organisation, make_user

NS = {"memo": memo.MEMO}


def test_a_meetings_letters_go_by_digital_post(client, auth, cw, platform):  # noqa: F811
    cw.fund.digital_post = True
    cvrs = ["29189846", "25313763"]
    items = []
    for i, cvr in enumerate(cvrs):
        applicant = make_user(name=f"Ansøger {i}")
        organisation = make_organisation(applicant, name=f"Forening {cvr}", cvr=cvr)
        items.append(on_agenda(cw, make_case(cw, applicant, organisation=organisation)))
    db.session.commit()
    record_grants(client, auth, cw, items)

    assert confirm(client, f"/udvalg/moeder/{cw.meeting.id}/udsend").status_code == 302

    db.session.expire_all()
    recipients = sorted(
        ElementTree.fromstring(r.body).findtext(
            "memo:Message/memo:MessageHeader/memo:Recipient/memo:recipientID", namespaces=NS
        )
        for r in platform.memos()
    )
    assert recipients == sorted(cvrs)
    deliveries = db.session.scalars(db.select(LetterDelivery)).all()
    assert [d.status for d in deliveries] == [Status.SENT, Status.SENT]
