"""Any municipality by configuration: each shipped profile sets up an empty database that
carries an application from submission to letter; export and import round-trip."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from grants.cases.models import Application
from grants.core.models import Municipality
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund
from grants.letters.models import Letter, LetterText
from grants.partners.models import PartnerCity
from grants.people.models import Role
from grants.profiles.operations import (
    ProfileError,
    export_profile,
    import_profile,
    read,
    shipped,
)
from grants.questions.models import FormVersion
from tests.applications.helpers import form_data
from tests.confirming import confirm
from tests.factories import make_user

SEED_CITIES = {
    "kolding": {
        "Delmenhorst",
        "Drammen",
        "Huéscar",
        "Kujalleq",
        "Lappeenranta",
        "Nikopol",
        "Örebro",
        "Panevézys",
        "Stykkishólmur",
        "Szombathely",
        "Anjo",
        "Wuqing",
    },
    "aarhus": {
        "Bergen",
        "Gothenburg",
        "Turku",
        "Harbin",
        "Rostock",
        "Kujalleq",
        "St Petersburg",
    },
    "duesseldorf": {
        "Reading",
        "Haifa",
        "Warsaw",
        "Moscow",
        "Chongqing",
        "Chemnitz",
        "Palma de Mallorca",
        "Toulouse",
        "Shenyang",
        "Guangzhou",
        "Chiba Prefecture",
        "Belo Horizonte",
        "Mbombela",
    },
}


def test_the_four_municipalities_ship():
    assert set(shipped()) == {"ballerup", "kolding", "aarhus", "duesseldorf"}


@pytest.mark.parametrize("name", ["ballerup", "kolding", "aarhus", "duesseldorf"])
def test_a_shipped_profile_loads_and_carries_an_application_to_its_letter(app, client, auth, name):
    municipality = import_profile(read(shipped()[name]))
    db.session.commit()
    cities = {c.name for c in db.session.scalars(select(PartnerCity))}
    if name in SEED_CITIES:
        assert cities == SEED_CITIES[name]
        assert all("eksempel" in f.name for f in db.session.scalars(select(Fund)))

    manager = make_user(Role.EMPLOYEE, Role.MANAGER, name="Lise Leder")
    employee = make_user(Role.EMPLOYEE, name="Emil Ansat", manager=manager)
    caseworker = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Sofie Sag")
    db.session.commit()
    fund = db.session.scalars(
        select(Fund).where(Fund.kind == kinds.STUDY_TRIP.code).order_by(Fund.id)
    ).first()

    auth.login(employee)
    response = client.post(
        f"/ansoegninger/ny/{fund.code}", data=form_data(manager_id=str(manager.id))
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    application = db.session.scalars(select(Application)).one()
    auth.login(manager)
    client.post(f"/ansoegninger/{application.id}/trin/endorse", data={"comment": "Ja."})
    auth.login(caseworker)
    client.post(f"/ansoegninger/{application.id}/trin/forward_for_decision", data={})
    response = confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {"action": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    db.session.expire_all()
    letter = db.session.scalars(select(Letter).filter_by(application_id=application.id)).one()
    assert letter.text_id is not None and letter.text.outcome == "granted"
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.pdf)).pages).split()
    )
    assert municipality.name in text
    assert f"{fund.name} støtter rejsen" in text  # the fund's letter text, filled in
    assert "8.000,00 kr." in text


def test_export_and_import_round_trip(app, runner, tmp_path):
    import_profile(read(shipped()["kolding"]))
    db.session.commit()
    for suffix in (".toml", ".json"):
        path = tmp_path / f"profil{suffix}"
        result = runner.invoke(args=["profile", "export", str(path)])
        assert result.exit_code == 0, result.output
        exported = export_profile()
        data = read(path)
        assert data["municipality"]["name"] == "Kolding Kommune"
        assert len(data["partner_cities"]) == 12
        assert data["funds"][0]["questions"][0]["kind"] == "choice"
        assert (
            data["funds"][0]["letter_texts"]["refused"]
            == exported["funds"][0]["letter_texts"]["refused"]
        )

    # Into an empty database: the same municipality again.
    from tests.conftest import _empty_tables

    db.session.remove()
    _empty_tables(app.config["DATABASE_OWNER_URL"])
    result = runner.invoke(args=["profile", "import", str(tmp_path / "profil.toml")])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert Municipality.current().name == "Kolding Kommune"
    assert db.session.scalar(select(func.count()).select_from(PartnerCity)) == 12
    assert db.session.scalar(select(func.count()).select_from(FormVersion)) == 1
    # Not into a database that has a municipality already: nothing changes.
    result = runner.invoke(args=["profile", "import", "aarhus"])
    assert result.exit_code != 0 and "already has a municipality" in result.output
    assert db.session.scalar(select(func.count()).select_from(PartnerCity)) == 12


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_the_funds_digital_post_and_esdh_settings_round_trip(app, runner, tmp_path, suffix):
    import_profile(read(shipped()["kolding"]))
    first = db.session.scalars(select(Fund).order_by(Fund.id)).first()
    first.digital_post = True
    first.kle_number = "05.10.00"
    first.handling_code = "G01"
    first.account_string = "2201-5101-40"
    db.session.commit()
    path = tmp_path / f"profil{suffix}"
    assert runner.invoke(args=["profile", "export", str(path)]).exit_code == 0
    exported = read(path)["funds"]
    assert {k: exported[0][k] for k in ("digital_post", "kle_number", "handling_code")} == {
        "digital_post": True,
        "kle_number": "05.10.00",
        "handling_code": "G01",
    }
    assert exported[1]["digital_post"] is False and exported[1]["kle_number"] == ""

    from tests.conftest import _empty_tables

    db.session.remove()
    _empty_tables(app.config["DATABASE_OWNER_URL"])
    result = runner.invoke(args=["profile", "import", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    funds = db.session.scalars(select(Fund).order_by(Fund.id)).all()
    settings = [(f.digital_post, f.kle_number, f.handling_code, f.account_string) for f in funds]
    assert settings[0] == (True, "05.10.00", "G01", "2201-5101-40")
    assert all(row == (False, "", "", "") for row in settings[1:])
    keys = ("code", "account_string", "digital_post", "kle_number", "handling_code")
    again = [{k: f[k] for k in keys} for f in export_profile()["funds"]]
    assert again == [{k: f[k] for k in keys} for f in exported]


def test_a_profile_with_a_letter_text_reaching_for_files_is_refused(app, runner, tmp_path):
    data = read(shipped()["aarhus"])
    data["funds"][0]["letter_texts"] = {"granted": "{% include '/etc/passwd' %}"}
    with pytest.raises(ProfileError, match="letter_texts.granted"):
        import_profile(data)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LetterText)) == 0


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["partner_cities"][0].update(country="Norge"), "two-letter"),
        (lambda d: d["partner_cities"][0].update(valid_from="i går"), "not a date"),
        (lambda d: d["funds"][0].update(route="nowhere"), "no route"),
        (lambda d: d["funds"][0].update(yearly_budget="mange"), "not an amount"),
        (lambda d: d["funds"][0].update(kind="party"), "party"),
        (lambda d: d.pop("municipality"), "missing"),
        (lambda d: d["funds"][0].update(kle_number="5.10"), "kle_number: '5.10' is not in"),
        (lambda d: d["funds"][0].update(handling_code="g1"), "handling_code: 'g1' is not in"),
        (lambda d: d["funds"][0].update(digital_post="ja"), "digital_post: 'ja' is not true"),
        (lambda d: d["funds"][0].update(account_string="x" * 61), "at most 60"),
        # A field or a line of its own in the finance system's file; a formula in a sheet.
        (
            lambda d: d["funds"][0].update(account_string="5.25;111=9"),
            r"funds\[\d+\] \(\w+\)\.account_string: '5.25;111=9' .*no ';'",
        ),
        (
            lambda d: d["funds"][0].update(account_string="5.25\r\n000G69"),
            r"account_string: '5.25\\r\\n000G69' .*line break",
        ),
        (lambda d: d["funds"][0].update(account_string="-5.25"), "start with a letter or a digit"),
        # A flag written as text ("false" is true to Python) is refused, not guessed.
        (lambda d: d["funds"][0].update(publish_trips="false"), "publish_trips: 'false' is"),
        (lambda d: d["funds"][0].update(active="nej"), "active: 'nej' is not true"),
        (lambda d: d["funds"][0].update(report_due_days="tres"), "report_due_days: 'tres'"),
        (lambda d: d["funds"][0].update(report_due_days=0), "from 1 to 365 days, not 0"),
        (lambda d: d["funds"][0].update(remind_days_before=61), "from 0 to 60 days"),
        (lambda d: d["funds"][0].update(refund_days=-3), "from 1 to 365 days, not -3"),
        (
            lambda d: d["funds"][0].update(publish_trips=False, publish_names=True),
            "published only with the trips",
        ),
    ],
)
def test_a_bad_profile_names_what_is_wrong(app, change, message):
    data = read(shipped()["aarhus"])
    change(data)
    with pytest.raises(ProfileError, match=message):
        import_profile(data)
    db.session.rollback()
    assert db.session.scalar(select(Municipality.id)) is None


def test_a_profile_never_publishes_the_names_of_young_people(app):
    """The names of children and young people are never published (DOMAIN.md): a profile
    that asks for it on a youth fund is refused as the fund's settings form refuses it."""
    data = read(shipped()["ballerup"])
    youth = next(f for f in data["funds"] if not kinds.get(f["kind"]).names_may_be_public)
    youth.update(publish_trips=True, publish_names=True)
    with pytest.raises(ProfileError, match=f"{youth['code']}.*never publishes names"):
        import_profile(data)
    db.session.rollback()
    assert db.session.scalar(select(Municipality.id)) is None


def test_a_profile_with_a_bad_mailbox_is_refused(app):
    """A municipality's profile names the fund's mailbox as one address, or none."""
    from grants.profiles.operations import ProfileError, _mailbox

    assert _mailbox(" Tilskud@Ballerup.dk ", "funds[0]") == "tilskud@ballerup.dk"
    assert _mailbox("", "funds[0]") == ""
    for bad in ("tilskud", "a@kommune.dk; b@kommune.dk", "<b>@kommune.dk", 7):
        with pytest.raises(ProfileError):
            _mailbox(bad, "funds[0]")


def test_a_profile_nested_deeper_than_the_reader_goes_is_refused(app, runner, tmp_path):
    """A JSON profile of "[[[[…" (RecursionError, no JSONDecodeError) is a ProfileError:
    the command says so and sets nothing up, never a traceback."""
    path = tmp_path / "profil.json"
    path.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(ProfileError, match="profil.json: nested too deeply"):
        read(path)
    result = runner.invoke(args=["profile", "import", str(path)])
    assert result.exit_code != 0
    assert "nested too deeply" in result.output
    assert db.session.scalar(select(Municipality.id)) is None
