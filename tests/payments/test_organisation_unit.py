"""The municipality's organisation unit (PRISME_ORGANISATION_UNIT) in every Prisme line's
header: exactly 4 digits, checked when the app starts, in every configuration. Set but empty,
too short (once padded into another number), too long (once cut) or not digits: the app
refuses to start, naming the setting, instead of writing files the finance system books on
another unit or refuses."""

from __future__ import annotations

import pytest

from grants import create_app
from grants.payments import batches
from tests.payments.test_batches import urls


def started(unit) -> dict:
    return create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PRISME_ORGANISATION_UNIT": unit}
    ).config


@pytest.mark.parametrize("unit", ["", " ", "151", "01510", "01a1", " 0151", "0151\n", "٠١٥١", 151])
def test_the_app_does_not_start_with_a_malformed_organisation_unit(unit):
    with pytest.raises(RuntimeError, match=r"PRISME_ORGANISATION_UNIT .*exactly 4 digits"):
        started(unit)


def test_the_app_starts_with_four_digits():
    assert started("0151")["PRISME_ORGANISATION_UNIT"] == "0151"


def test_the_file_carries_the_unit_as_set_and_never_pads_or_cuts_it(app, client, finance_batch):
    batch = finance_batch.batch
    app.config["PRISME_ORGANISATION_UNIT"] = "0151"
    text = client.get(urls(app, batch_id=batch.id)["prisme"]).get_data(as_text=True)
    lines = [batches.parse_prisme_line(line) for line in text.split("\r\n") if line]
    assert lines and {line["organisationsenhed"] for line in lines} == {"0151"}
    for wrong in ("151", "01510"):
        with pytest.raises(ValueError, match="4 digits"):
            batches.prisme_lines(batch, wrong, batch.created_at.date())
