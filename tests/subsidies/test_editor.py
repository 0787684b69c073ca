"""The form-based rule editor: its fields come from the rule file's key tables, saving goes
through the same parser as the import, errors stand beside their fields, and only
administrators reach it."""

from __future__ import annotations

import io
import re

import pytest

from grants.subsidies import editor, rulefile
from grants.subsidies.models import versions_of
from tests.html import field_label, field_value, links, page_text
from tests.html import page as html_page
from tests.subsidies.helpers import ballerup_rules, ballerup_source, count_rule_sets

EDIT = "/tilskud/regler/ungdomsrejser/rediger"
CHECK = "/tilskud/regler/ungdomsrejser/proev"
IMPORT = "/tilskud/regler/ungdomsrejser/toml"


def form_of(rules: dict) -> dict:
    """What the editor's form sends for these rules untouched (as a browser would)."""
    draft = editor.from_rules(rules)
    data: dict[str, list[str]] = {"format": [str(draft.format)]}
    for part in draft.parts:
        for group in part.groups:
            if group.index is not None:
                data.setdefault("entries", []).append(f"{group.name}-{group.index}")
            for control in group.controls:
                if control.kind == "bool":
                    if control.value:
                        data[control.id] = ["1"]
                elif control.kind == "choices":
                    data[control.id] = list(control.value)
                else:
                    data[control.id] = [control.value]
    return data


def error_beside(page: str, field_id: str) -> str:
    """The error message shown beside the field, which points to it (aria-describedby)."""
    control = re.search(rf'<[^>]* id="{re.escape(field_id)}"[^>]*>', page)
    assert control, f"no field {field_id}"
    assert 'aria-invalid="true"' in control.group(0), control.group(0)
    assert f"{field_id}-error" in control.group(0), control.group(0)
    message = re.search(rf'id="{re.escape(field_id)}-error">(.*?)</span>\s*<', page, re.S)
    assert message
    return page_text(message.group(1))


def test_every_key_and_section_has_its_words():
    for key in rulefile.TOP:
        assert key.name in rulefile.KEY_TEXTS, key.name
    for section in rulefile.SECTIONS:
        assert section.name in rulefile.SECTION_TEXTS, section.name
        for key in section.keys:
            assert f"{section.name}.{key.name}" in rulefile.KEY_TEXTS, (section.name, key.name)


def test_the_editor_is_made_from_the_key_tables(youth, client, auth):
    auth.login(youth.admin)

    response = client.get(EDIT)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    draft = editor.from_rules(ballerup_rules("ungdomsrejser"))
    for control in draft.controls:  # every key of the tables, labelled
        assert html_page(page).find(id=control.id) is not None, control.id
        assert field_label(page, control.id) or control.kind == "choices", control.id
    text = page_text(page)
    assert "Aldersgrænse" in text
    assert "Deltagere under denne alder tæller med." in text  # the key's help text
    assert re.search(r'id="rate-amount"[^>]*value="100"|value="100"[^>]*id="rate-amount"', page)
    assert 'aria-hidden="true">kr.</div>' in page  # the unit
    assert 'style="' not in page.split("<main")[1]  # the CSP allows no inline style


def test_saving_the_form_adds_a_version_read_as_an_import_would(youth, client, auth):
    auth.login(youth.admin)
    data = form_of(ballerup_rules("ungdomsrejser"))
    # (without the worked examples, which expect 100 kr.)
    data = {name: value for name, value in data.items() if not name.startswith("examples-")}
    data.pop("entries")
    data["rate-amount"] = ["110,50"]
    data["caps-per_event"] = ["11000"]
    data["name"] = ["Ungdomsrejser <b>2027</b>"]

    response = client.post(EDIT, data=data)

    assert response.status_code == 302, page_text(response.get_data(as_text=True))[:2000]
    newest, first = versions_of(youth.youth_fund)
    assert newest.version == 2
    assert newest.rules["rate"]["amount"] == "110.50"
    assert newest.rules["caps"]["per_event"] == "11000.00"
    assert newest.rules["name"] == "Ungdomsrejser <b>2027</b>"
    assert "examples" not in newest.rules
    assert newest.created_by == youth.admin
    assert rulefile.parse(newest.source) == newest.rules  # the file it is saved as
    assert first.rules == ballerup_rules("ungdomsrejser")
    shown = client.get("/tilskud/regler/ungdomsrejser/2").get_data(as_text=True)
    assert "<b>2027" not in shown and "&lt;b&gt;2027" in shown


def test_bad_input_stands_beside_its_field_and_nothing_is_saved(youth, client, auth):
    auth.login(youth.admin)
    data = form_of(ballerup_rules("ungdomsrejser"))
    data["caps-per_event"] = ["11.000"]  # a thousands separator, or 11 kr.?
    data["persons-age_limit"] = ["mange"]
    data["valid_from"] = ["1. juni"]

    response = client.post(EDIT, data=data)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "11000" in error_beside(page, "caps-per_event")
    assert error_beside(page, "persons-age_limit") == "Fejl: skal være et helt tal"
    assert "skal være en dato" in error_beside(page, "valid_from")
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert summary.index('href="#valid_from"') < summary.index('href="#persons-age_limit"')
    assert field_value(page, "persons-age_limit") == "mange"  # what was typed is kept
    assert count_rule_sets() == 3


def test_an_error_of_the_rules_as_a_whole_is_in_the_summary(youth, client, auth):
    auth.login(youth.admin)
    data = form_of(ballerup_rules("ungdomsrejser"))
    data["persons-leaders_per"] = [""]  # leaders = "ratio" needs it

    response = client.post(EDIT, data=data)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "når leaders" in error_beside(page, "persons-leaders_per")
    assert count_rule_sets() == 3


def test_trying_the_rules_saves_nothing(youth, client, auth):
    auth.login(youth.admin)
    data = form_of(ballerup_rules("ungdomsrejser"))
    data["intent"] = ["try"]

    response = client.post(EDIT, data=data)

    assert response.status_code == 200
    assert "Reglerne kan gemmes." in page_text(response.get_data(as_text=True))
    assert count_rule_sets() == 3


def test_the_live_check_answers_with_the_fields_in_error(youth, client, auth):
    auth.login(youth.admin)
    data = form_of(ballerup_rules("ungdomsrejser"))

    good = client.post(CHECK, data=data).get_json()
    data["rate-amount"] = ["300,001"]
    bad = client.post(CHECK, data=data).get_json()

    assert good["valid"] is True and good["problems"] == []
    assert {
        "title": "12 unge og 2 ledere, 5 nætter i Prag 10",
        "result": "7.000,00 kr.",
    } in good["examples"]
    assert bad["valid"] is False
    assert [p["field"] for p in bad["problems"]] == ["rate-amount"]
    assert count_rule_sets() == 3


def test_a_change_that_breaks_a_worked_example_is_refused_beside_the_example(youth, client, auth):
    auth.login(youth.admin)
    data = form_of(ballerup_rules("ungdomsrejser"))
    data["rate-amount"] = ["110"]

    response = client.post(EDIT, data=data)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    beside = page_text(page.split('id="entry-examples-0-error"')[1].split("</p>")[0])
    assert "forventet 7.000,00 kr., men reglerne giver 7.700,00 kr." in beside
    assert "#entry-examples-0" in links(page)
    assert count_rule_sets() == 3


def test_control_characters_are_refused_by_the_field(youth, client, auth):
    auth.login(youth.admin)
    data = form_of(ballerup_rules("ungdomsrejser"))
    data["name"] = ["Regler\x07"]

    response = client.post(EDIT, data=data)

    assert response.status_code == 422
    assert "styretegn" in error_beside(response.get_data(as_text=True), "name")
    assert count_rule_sets() == 3


def test_an_entry_of_a_repeating_section_is_added_and_removed_without_javascript(
    youth, client, auth
):
    repeating = [
        s for s in editor.sections(rulefile.FORMAT) if editor.is_repeating(s, rulefile.FORMAT)
    ]
    if not repeating:
        pytest.skip("the rule file format has no repeating section yet")
    section = repeating[0]
    auth.login(youth.admin)
    data = form_of({"format": rulefile.FORMAT, "name": "Nye regler"})
    data["add"] = [section.name]

    added = client.post(EDIT, data=data)

    assert added.status_code == 200
    page = added.get_data(as_text=True)
    assert html_page(page).find(id=f"entry-{section.name}-0") is not None
    data.pop("add")
    data["entries"] = [f"{section.name}-0"]
    data["remove"] = [f"{section.name}-0"]
    removed = client.post(EDIT, data=data).get_data(as_text=True)
    assert html_page(removed).find(id=f"entry-{section.name}-0") is None
    assert count_rule_sets() == 3


def test_the_toml_file_can_still_be_uploaded(youth, client, auth):
    auth.login(youth.admin)
    without_examples = ballerup_source("ungdomsrejser").partition("\n# Eksempler")[0]
    changed = without_examples.replace("amount = 100 ", "amount = 120 ")

    response = client.post(
        IMPORT,
        data={"source": "", "upload": (io.BytesIO(changed.encode()), "regler.toml")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    assert versions_of(youth.youth_fund)[0].rules["rate"]["amount"] == "120.00"


def test_a_bad_upload_is_refused_beside_the_field(youth, client, auth):
    auth.login(youth.admin)

    response = client.post(
        IMPORT,
        data={"source": "", "upload": (io.BytesIO(b"\xff\xfe amount"), "regler.toml")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "UTF-8" in page_text(response.get_data(as_text=True))
    assert count_rule_sets() == 3


@pytest.mark.parametrize("who", ["caseworker", "applicant", "outsider"])
def test_others_are_refused_and_nothing_changes(youth, client, auth, who):
    auth.login(getattr(youth, who))
    data = form_of(ballerup_rules("ungdomsrejser"))

    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, data=data).status_code == 403
    assert client.post(CHECK, data=data).status_code == 403
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, data={"source": ballerup_source("ungdomsrejser")}).status_code == 403
    assert count_rule_sets() == 3


def test_anonymous_people_are_sent_to_log_in(youth, client):
    for response in (client.get(EDIT), client.post(CHECK, data={}), client.get(IMPORT)):
        assert response.status_code == 302
        assert "/log-ind" in response.headers["Location"]


def test_an_unknown_fund_is_not_found(youth, client, auth):
    auth.login(youth.admin)

    assert client.get("/tilskud/regler/findes-ikke/rediger").status_code == 404
    assert client.post("/tilskud/regler/findes-ikke/proev", data={}).status_code == 404


def test_forged_numbers_in_the_form_are_not_a_server_error(youth, client, auth):
    auth.login(youth.admin)
    data = form_of(ballerup_rules("ungdomsrejser"))
    data.update(
        {"format": ["²"], "entries": ["examples-٣", "examples-99999"], "rate-amount": ["٣"]}
    )
    data["examples-٣-title"] = ["x"]

    response = client.post(EDIT, data=data)
    checked = client.post(CHECK, data=data)

    assert response.status_code in (200, 422)
    assert checked.status_code == 200
    assert count_rule_sets() == 3
