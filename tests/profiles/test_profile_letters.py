"""A profile carries what the letters need in every language: the fund's English letter
texts, the English complaint guidance and the refund details, out and back in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.core.models import Municipality
from grants.extensions import db
from grants.letters import texts
from grants.letters.models import LetterText
from grants.profiles.operations import (
    ProfileError,
    export_profile,
    import_profile,
    read,
    shipped,
    to_toml,
)


def test_english_texts_guidance_and_refund_details_go_out_and_back_in(app, tmp_path):
    import_profile(read(shipped()["ballerup"]))
    municipality = Municipality.current()
    municipality.complaint_guidance_en = "Complain to us first."
    fund = db.session.scalars(select(LetterText.fund_id)).first()
    from grants.funds.models import Fund

    fund = db.session.get(Fund, fund)
    texts.add_text(fund, "granted", "We support {{ rejse }}.", language="en")
    db.session.commit()

    data = export_profile()
    assert data["municipality"]["complaint_guidance_en"] == "Complain to us first."
    assert data["municipality"]["refund_account_number"] == "4455667788"
    row = next(f for f in data["funds"] if f["code"] == fund.code)
    assert row["letter_texts_en"] == {"granted": "We support {{ rejse }}."}

    # Through the TOML file as `flask profile export` writes it.
    path = tmp_path / "profil.toml"
    path.write_text(to_toml(data))
    data = read(path)
    row = next(f for f in data["funds"] if f["code"] == fund.code)
    assert row["letter_texts_en"] == {"granted": "We support {{ rejse }}."}

    from tests.conftest import _empty_tables

    db.session.remove()
    _empty_tables(app.config["DATABASE_OWNER_URL"])
    import_profile(data)
    db.session.commit()
    municipality = Municipality.current()
    assert municipality.complaint_guidance_en == "Complain to us first."
    assert (municipality.refund_reg_number, municipality.refund_account_number) == (
        "2211",
        "4455667788",
    )
    imported = db.session.scalar(select(Fund).where(Fund.code == fund.code))
    text = texts.current_text(imported.id, "granted", "en")
    assert text is not None and text.body == "We support {{ rejse }}."


def test_a_bad_english_letter_text_in_a_profile_is_refused(app):
    data = read(shipped()["aarhus"])
    data["funds"][0]["letter_texts_en"] = {"granted": "{{ rejse.__class__ }}"}
    with pytest.raises(ProfileError, match="letter_texts_en.granted"):
        import_profile(data)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LetterText)) == 0
