"""What the committee's steps write in a case's journal is worded for the reader, not for
whoever took the step (issue 15, point 4): put on the agenda, a conflict of interest found by
the system or ruled on by the committee, a substitute called in."""

from __future__ import annotations

from grants.committees import operations as ops
from grants.committees.models import WithoutQuorum
from grants.extensions import db
from grants.people.models import Role
from tests.committees.conftest import make_case, on_agenda
from tests.committees.test_quorum import committee_of
from tests.factories import make_user
from tests.journal_reading import in_english, read_in_both_languages


def test_agenda_and_a_conflict_found_are_worded_for_the_reader(client, auth, cw):
    application = make_case(cw, cw.chair)  # the chair applies himself
    db.session.commit()
    with in_english():
        ops.add_to_agenda(cw.meeting, application, "Indstilling.", cw.caseworker)
    db.session.commit()

    danish, english = read_in_both_languages(client, auth, cw.caseworker, application)
    assert "Sat på dagsordenen for Kultur- og Fritidsudvalget, møde" in danish
    assert "Frederik Friis: Medlemmet er selv ansøger." in danish
    assert "Put on the agenda" not in danish and "The member is" not in danish
    assert "Put on the agenda of Kultur- og Fritidsudvalget, meeting" in english
    assert "Frederik Friis: The member is the applicant." in english
    assert "Sat på dagsordenen" not in english and "Medlemmet er" not in english


def test_a_ruling_is_worded_for_the_reader(client, auth, cw):
    application = make_case(cw)
    db.session.commit()
    item = on_agenda(cw, application)
    declaration = ops.declare_interest(item, cw.member, "Min nabo")
    db.session.commit()
    with in_english():
        ops.rule_on(declaration, True, cw.chair)
    db.session.commit()

    danish, english = read_in_both_languages(client, auth, cw.caseworker, application)
    assert "Ulla Ulriksen: inhabil" in danish and "disqualified" not in danish
    assert "Ulla Ulriksen: disqualified" in english and ": inhabil" not in english


def test_a_substitute_called_is_worded_for_the_reader(client, auth, cw):
    _committee, (_chair, _first, absent), item = committee_of(
        cw, 3, present=2, without=WithoutQuorum.SUBSTITUTE
    )
    stand_in = make_user(Role.EMPLOYEE, name="Sven <b>Stedfortræder</b>")
    db.session.commit()
    with in_english():
        ops.call_substitute(item, stand_in, absent, cw.secretary)
    db.session.commit()

    danish, english = read_in_both_languages(client, auth, cw.caseworker, item.application)
    assert "er indkaldt som stedfortræder for" in danish and "called in" not in danish
    assert "has been called in as a substitute for" in english
    assert "stedfortræder for" not in english
    for html in (danish, english):
        assert "Sven &lt;b&gt;Stedfortræder&lt;/b&gt;" in html and "<b>Stedfortræder" not in html


def test_a_postponement_without_quorum_is_worded_for_the_reader(client, auth, cw):
    _committee, _members, item = committee_of(cw, 3, present=1)
    with in_english():
        ops.postpone_without_quorum(item, cw.secretary)
    db.session.commit()

    danish, english = read_in_both_languages(client, auth, cw.caseworker, item.application)
    assert "Udvalget var ikke beslutningsdygtigt: 1 af udvalgets 3 medlemmer" in danish
    assert "The committee had no quorum" not in danish
    assert "The committee had no quorum: 1 of its 3 members" in english
    assert "Udvalget var ikke beslutningsdygtigt" not in english
