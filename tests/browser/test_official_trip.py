"""An official trip of the international cooperation, end to end in the browser: the
secretariat (Sara) plans the mayor's delegation and applies, the fund's board (Ulla, the
demo's member of every board but the study fund's) approves it and the letter goes out;
after the trip Sara sends the report and the accounts, Ulla approves them, and the trip is
published on the trips-abroad page with the delegation's names and the accounts."""

from __future__ import annotations

import datetime as dt

from flask import url_for

from tests.browser.journeys import CASEWORKER, MEMBER, decide, in_days, open_case, pdf_facts

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DELEGATION = "Borgmester Bo Berg, kommunaldirektør Kim Krogh"


def _the_trip_took_place(live_server, title: str) -> None:
    """Time passes: the planned dates move to last week, as if the trip were over."""
    from grants.cases.models import Application
    from grants.extensions import db

    with live_server.app.app_context():
        case = db.session.scalars(db.select(Application).filter_by(title=title)).one()
        case.departure_date = dt.date.today() - dt.timedelta(days=9)
        case.return_date = dt.date.today() - dt.timedelta(days=6)
        db.session.commit()
        db.session.remove()


def test_an_official_trip_is_planned_approved_accounted_for_and_published(
    person, live_server, tmp_path
):
    title = "Delegation til Prag 10 (browser)"
    sara = person(CASEWORKER)
    sara.follow("Ny ansøgning", "the funds open to the secretariat")
    sara.follow("Rejser i det internationale samarbejde", "official trip form")
    sara.fill("#title", title)
    sara.fill("#purpose", "Årligt møde i venskabsbysamarbejdet.")
    sara.fill("#destination_city", "Prag")
    sara.select("#destination_country", "CZ")
    sara.fill("#departure_date", in_days(30))
    sara.fill("#return_date", in_days(33))
    sara.fill("#programme", "Møde på rådhuset i Prag 10 og besøg på to skoler.")
    sara.fill("#travellers", DELEGATION)
    sara.fill("#traveller_count", "2")
    sara.fill("#transport", "6000")
    sara.fill("#accommodation", "5000")
    sara.fill("#amount_applied", "11000")
    sara.fill("#expected_benefit", "Aftale om næste års udvekslinger.")
    sara.fill("#knowledge_sharing", "Referat til udvalget.")
    sara.select("#q-delegation", "Politikere og administrationen")
    sara.press("Indsend ansøgning", "official trip submitted")
    sara.see("Officiel rejse")

    ulla = person(MEMBER)
    ulla.follow("Arbejdskø", "the board's queue")
    open_case(ulla, title, "the official trip to approve")
    decide(ulla, "grant", "official trip approved")
    letter = pdf_facts(ulla.download("Afgørelse"))
    assert letter["tagged"] and letter["lang"] == "da"
    assert "Puljens ledelse godkender regnskabet" in " ".join(letter["text"].split())

    _the_trip_took_place(live_server, title)
    sara.visit(sara.page.url, "my granted official trip, travelled")
    sara.follow("Udfyld rapport og regnskab", "report form, published when approved")
    sara.see("Rapport og regnskab offentliggøres")
    sara.fill("#what_was_done", "Møde med Prag 10's borgmester og skolebesøg.")
    sara.fill("#what_was_learned", "Prag 10 vil udvide udvekslingen til klubberne.")
    sara.fill("#how_it_will_be_used", "En aftale om klubudveksling til udvalget.")
    sara.fill("#participant_names", DELEGATION)
    sara.fill("#participant_count", "2")
    sara.fill("#transport", "5400")
    sara.fill("#accommodation", "4600")
    receipt = tmp_path / "kvitteringer.pdf"
    receipt.write_bytes(PDF)
    sara.page.locator("#receipts").set_input_files(str(receipt))
    sara.press("Indsend rapport og regnskab", "accounts submitted")

    ulla.follow("Arbejdskø", "the board's queue with the accounts")
    open_case(ulla, title, "the accounts to approve")
    ulla.press("Godkend rapport og regnskab", "accounts approved", exact=True)
    ulla.see("Endeligt tilskud")

    public = person(None)
    with live_server.app.test_request_context():
        front = url_for("core.index")
    public.visit(front, "front page")
    public.follow("Udlandsrejser", "the published trips abroad")
    public.follow(title, "the official trip, published")
    public.see(DELEGATION)
    public.see("Politikere og administrationen")
    public.see("5.400,00")
    public.see("10.000,00")
