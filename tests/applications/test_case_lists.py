"""The lists' rows made in Python (grants/applications/case_lists.py): what a person typed
is escaped, a case without number or title says so, and the search's options are WTForms'
own HTML."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from markupsafe import Markup

from grants.applications.case_lists import case_rows, options, own_rows
from grants.desk.forms import OptionsSelect, SearchForm

TITLES = {
    name: Markup(name)
    for name in ("Sagsnr.", "Titel", "Ansøger", "Pulje", "Indsendt", "Afrejse", "Ansøgt", "Status")
}


def row(**values):
    case = {
        "id": 7,
        "case_number": "2026-001",
        "title": "<script>alert(1)</script>",
        "applicant_name": 'Bo "B" & Co',
        "fund_name": "Studierejsefonden",
        "submitted_at": dt.datetime(2026, 4, 24, 10, 30, tzinfo=dt.UTC),
        "departure_date": dt.date(2026, 5, 1),
        "amount_applied": Decimal("12345.50"),
        "state": "screening",
    }
    return SimpleNamespace(**(case | values))


def test_what_a_person_typed_is_escaped(app):
    with app.test_request_context():
        html = str(case_rows([row()], TITLES, "/ansoegninger/", "da"))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Bo &#34;B&#34; &amp; Co" in html
    assert '<a href="/ansoegninger/7">' in html
    assert "12.345,50 kr." in html


def test_a_case_without_number_title_or_sending_says_so(app):
    with app.test_request_context():
        queue = str(
            case_rows([row(case_number=None, title="", submitted_at=None)], TITLES, "/a/", "da")
        )
        mine = str(own_rows([row(case_number=None, title=None)] * 2, TITLES, "/a/", "da"))
    assert '<td class="case-number" data-title="Sagsnr.">–</td>' in queue
    assert ">Uden titel</a>" in queue
    assert '<td data-title="Indsendt">–</td>' in queue
    assert mine.count(">(kladde)</td>") == 2


def test_the_filter_options_escape_and_mark_the_chosen(app):
    html = str(options([("a&b", "<A>"), ("c", "C")], "c"))
    assert html == '<option value="a&amp;b">&lt;A&gt;</option><option value="c" selected>C</option>'


def test_the_search_options_are_wtforms_own_html(app):
    from wtforms.widgets import Select

    with app.test_request_context("/soeg?fund=b%26c&state=screening"):
        from flask import request

        form = SearchForm(request.args, funds=[("a", "A <1>"), ("b&c", 'B "2"')])
        for field in (form.fund, form.state):
            assert isinstance(field.widget, OptionsSelect)
            assert field() == Select()(field)
