import datetime as dt

from grants.extensions import db
from grants.partners.models import PartnerCity, Relation


def test_the_register_shows_current_and_former_partners(app, client):
    db.session.add_all(
        [
            PartnerCity(
                name="Prag 10",
                country="CZ",
                relation=Relation.TWIN_CITY,
                valid_from=dt.date(2014, 8, 25),
            ),
            PartnerCity(
                name="Gammel By",
                country="DE",
                relation=Relation.PARTNERSHIP,
                valid_from=dt.date(2010, 1, 1),
                valid_to=dt.date(2015, 12, 31),
            ),
        ]
    )
    db.session.commit()
    page = client.get("/partnerbyer").get_data(as_text=True)  # public: no login
    current, former = page.split("Tidligere partnerbyer")
    assert "Prag 10" in current and "Tjekkiet" in current and "25. aug. 2014" in current
    # Dates in a table are short (grants.core.formatting), in both languages.
    assert "Gammel By" in former and "31. dec. 2015" in former
    assert '<th scope="row">Prag 10</th>' in current
