"""The administrator's pages for the rules: only administrators, and the same validation as
the import."""

from __future__ import annotations

import pytest

from grants.subsidies.models import versions_of
from tests.html import field_error, links, page_text, summary_errors
from tests.subsidies.helpers import ballerup_source, count_rule_sets


def test_the_list_of_funds_and_their_versions(youth, client, auth):
    auth.login(youth.admin)

    page = client.get("/tilskud/regler").get_data(as_text=True)

    assert "Ungdomsrejser til venskabs- og partnerbyer" in page_text(page)
    assert "/tilskud/regler/ungdomsrejser/1" in links(page)
    assert "/tilskud/regler/vaertskab/rediger" in links(page)


def test_a_version_in_words_and_as_its_file(youth, client, auth):
    auth.login(youth.admin)

    page = client.get("/tilskud/regler/ungdomsrejser/1").get_data(as_text=True)

    assert "100,00 kr. pr. person pr. overnatning" in page_text(page)
    assert "1 leder pr. påbegyndte 7 deltagere tæller med" in page_text(page)
    assert "leaders_rounding = &#34;started&#34;" in page  # the TOML, escaped
    download = client.get("/tilskud/regler/ungdomsrejser/1/eksport")
    assert download.get_data(as_text=True) == ballerup_source("ungdomsrejser")
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"ungdomsrejser-v1.toml\"; filename*=UTF-8''ungdomsrejser-v1.toml"
    )
    assert client.get("/tilskud/regler/ungdomsrejser/7").status_code == 404


def test_saving_adds_a_new_version(youth, client, auth):
    auth.login(youth.admin)
    edit = client.get("/tilskud/regler/ungdomsrejser/toml").get_data(as_text=True)
    assert "Det, du gemmer, bliver version 2." in page_text(edit)
    assert "amount = 100" in page_text(edit)

    without_examples = ballerup_source("ungdomsrejser").partition("\n# Eksempler")[0]
    changed = without_examples.replace("amount = 100 ", "amount = 110 ")
    response = client.post(
        "/tilskud/regler/ungdomsrejser/toml", data={"source": changed.replace("\n", "\r\n")}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tilskud/regler/ungdomsrejser/2")
    newest, first = versions_of(youth.youth_fund)
    assert newest.rules["rate"]["amount"] == "110.00"
    assert newest.created_by == youth.admin
    assert newest.source == changed
    assert first.rules["rate"]["amount"] == "100.00"


def test_a_change_that_breaks_a_worked_example_is_refused_naming_it(youth, client, auth):
    auth.login(youth.admin)
    changed = ballerup_source("ungdomsrejser").replace("amount = 100 ", "amount = 110 ")

    response = client.post("/tilskud/regler/ungdomsrejser/toml", data={"source": changed})

    assert response.status_code == 422
    errors = field_error(response.get_data(as_text=True), "source")
    assert (
        "examples[1]: eksemplet »12 unge og 2 ledere, 5 nætter i Prag 10« holder ikke: "
        "forventet 7.000,00 kr., men reglerne giver 7.700,00 kr." in errors
    )
    assert "»8 unge og 3 ledere" in errors  # every failing example is listed
    assert "En forening uden for kommunen" not in errors  # the one that still holds is not
    assert count_rule_sets() == 3

    client.post("/sprog", data={"locale": "en"})
    english = client.post("/tilskud/regler/ungdomsrejser/toml", data={"source": changed})
    assert "expected 7,000.00 kr., but the rules give 7,700.00 kr." in field_error(
        english.get_data(as_text=True), "source"
    )


def test_bad_toml_is_shown_next_to_the_field_and_nothing_is_saved(youth, client, auth):
    auth.login(youth.admin)
    broken = ballerup_source("ungdomsrejser").replace("amount = 100 ", 'amount = "mange" ')
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if '"mange"' in text)

    response = client.post("/tilskud/regler/ungdomsrejser/toml", data={"source": broken})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = f"Linje {line}: rate.amount: skal være et beløb i kroner, fx 100 eller 1234.50"
    assert message in (field_error(page, "source") or "")  # next to the field
    assert message in summary_errors(page)  # and in the summary,
    assert "#source" in links(page, message)  # leading to the field
    assert "mange" in page_text(page)  # what was typed is kept
    assert count_rule_sets() == 3


def test_a_first_rule_set_starts_from_a_template(youth, client, auth):
    from tests import factories

    fund = factories.make_fund(code="ny-pulje", name="Ny pulje", route="screening_decision")
    auth.login(youth.admin)

    page = client.get("/tilskud/regler/ny-pulje/toml").get_data(as_text=True)

    assert "bliver version 1" in page_text(page)
    assert "fund = &#34;ny-pulje&#34;" in page
    assert versions_of(fund) == []


@pytest.mark.parametrize("who", ["caseworker", "applicant"])
def test_others_are_refused_and_nothing_changes(youth, client, auth, who):
    auth.login(getattr(youth, who))

    assert client.get("/tilskud/regler").status_code == 403
    assert client.get("/tilskud/regler/ungdomsrejser/1").status_code == 403
    assert client.get("/tilskud/regler/ungdomsrejser/1/eksport").status_code == 403
    assert client.get("/tilskud/regler/ungdomsrejser/rediger").status_code == 403
    response = client.post(
        "/tilskud/regler/ungdomsrejser/rediger", data={"source": ballerup_source("ungdomsrejser")}
    )
    assert response.status_code == 403
    assert count_rule_sets() == 3


def test_the_pages_need_a_login(youth, client):
    response = client.get("/tilskud/regler")

    assert response.status_code == 302
    assert "/log-ind" in response.headers["Location"]
