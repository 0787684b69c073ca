"""The demo shows Digital Post and the ESDH: its youth fund sends letters by Digital Post
(not connected in the demo, so by the fallback, and the case says why) and journalises its
cases under a KLE number, here to a real SMTP server on loopback as in development to the
mail folder."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from grants.applications.operations import decide
from grants.cases.models import Application
from grants.delivery.models import Channel, LetterDelivery
from grants.delivery.operations import NOT_CONFIGURED
from grants.esdh.models import Journalisation, JournalisationStatus
from grants.extensions import db
from grants.funds.models import Fund
from grants.jobs.runner import start_pending
from grants.people.models import User

MAILBOX = "journalisering@esdh.ballerup.example"


def test_the_demo_youth_fund_goes_by_digital_post_and_into_the_esdh(app, runner, inbox):
    from config import DevelopmentConfig

    # What `make run` has (DevelopmentConfig), on the tests' SMTP server.
    app.config.update(
        ESDH_ADAPTER=DevelopmentConfig.ESDH_ADAPTER, ESDH_MAILBOX=DevelopmentConfig.ESDH_MAILBOX
    )
    assert (app.config["ESDH_ADAPTER"], app.config["ESDH_MAILBOX"]) == ("email", MAILBOX)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output

    youth = db.session.scalar(select(Fund).filter_by(code="ungdomsrejser"))
    assert (youth.digital_post, youth.kle_number, youth.handling_code) == (
        True,
        "00.07.00",
        "G01",
    )
    trip = db.session.scalar(select(Application).filter_by(title="Orkestertur til Prag 10"))
    (row,) = db.session.scalars(select(Journalisation).filter_by(application_id=trip.id))
    assert (row.document, row.status) == ("application", JournalisationStatus.SENT)
    subjects = [str(m["Subject"]) for m in inbox.take() if m["To"] == MAILBOX]
    assert subjects == [
        f"Journalisering: sag {trip.case_number} [KLE 00.07.00 G01] "
        "Ansøgning: Orkestertur til Prag 10"
    ]

    # The caseworker decides it: the letter goes by the fallback, since Digital Post is not
    # connected in the demo, and the case says so; the letter is journalised.
    caseworker = db.session.scalar(select(User).filter_by(email="sagsbehandler@ballerup.dk"))
    with current_app.test_request_context():
        decide(trip, caseworker, "grant", None, "")
        db.session.commit()
        start_pending()
    delivery = db.session.scalar(select(LetterDelivery).filter_by(application_id=trip.id))
    assert (delivery.channel, delivery.reason) == (Channel.EMAIL, NOT_CONFIGURED)
    subjects = [str(m["Subject"]) for m in inbox.take() if m["To"] == MAILBOX]
    assert len(subjects) == 1 and "Afgørelsesbrev" in subjects[0]
