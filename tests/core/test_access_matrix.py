"""Every route of the app, visited by every kind of person: anonymous, each role, a member of
another organisation. Each rule of ``app.url_map`` must have an entry in ``EXPECTATIONS``
below, so a route added later without one fails here and says where to declare it.

An entry says who is *allowed*; everyone else is refused: anonymous people are sent to the
login page (or get 403/404), signed-in people get 403 or 404. Allowed means anything but a
refusal or a server error. POSTs by the allowed send incomplete data on purpose, so the
check never changes the world the next visit sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from grants.applications.models import Attachment
from grants.core import access, clock
from grants.extensions import db
from grants.funds.models import FundKind
from grants.letters.models import Letter
from grants.people.models import Role
from tests import factories
from tests.factories import make_application, make_organisation, make_user

ANONYMOUS = "anonymous"
OWNER = "owner"  # the applicant, who acts for organisation A
COLLEAGUE = "colleague"  # another member of organisation A
MANAGER = "manager"
CASEWORKER = "caseworker"
BOARD = "board_member"
FINANCE = "finance"
ADMIN = "admin"
OUTSIDER = "outsider"  # an employee with no part in the case
OTHER_ORG = "other_org"  # a member of organisation B

PERSONAS = (
    ANONYMOUS,
    OWNER,
    COLLEAGUE,
    MANAGER,
    CASEWORKER,
    BOARD,
    FINANCE,
    ADMIN,
    OUTSIDER,
    OTHER_ORG,
)
EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
NOBODY: frozenset[str] = frozenset()
APPLICANT_SIDE = frozenset({OWNER, COLLEAGUE})
CASE_VIEWERS = APPLICANT_SIDE | {MANAGER, CASEWORKER, BOARD, FINANCE, ADMIN}
EMPLOYEES = SIGNED_IN - {ADMIN}  # the administrator in the world holds no employee role


@dataclass(frozen=True)
class Expect:
    """Who may; the URL's values (names of ``Cases`` attributes in braces are filled in);
    the method to try (the rule's own by default) and the form data for allowed POSTs."""

    allowed: frozenset[str]
    values: dict = field(default_factory=dict)
    method: str | None = None
    data: dict = field(default_factory=dict)


# -- Declare every route here ----------------------------------------------------------------
# endpoint -> Expect. Default URL values: application_id = the granted case, attachment_id,
# letter_id, organisation_id (A), fund_code, version, year (see ``url_values``).
EXPECTATIONS: dict[str, Expect] = {
    "static": Expect(EVERYONE, {"filename": "app.css"}),
    "core.index": Expect(EVERYONE),
    "core.healthz": Expect(EVERYONE),
    "core.accessibility": Expect(EVERYONE),
    "core.set_language": Expect(EVERYONE, data={"language": "xx"}),
    "people.login": Expect(EVERYONE, method="GET"),
    "people.signup": Expect(EVERYONE, method="GET"),
    "people.logout": Expect(SIGNED_IN),
    "people.change_password": Expect(SIGNED_IN, method="GET"),
    "privacy.my_data": Expect(SIGNED_IN),
    "applications.mine": Expect(SIGNED_IN),
    "applications.choose_fund": Expect(SIGNED_IN),
    "applications.new": Expect(EMPLOYEES, method="GET"),
    "applications.show": Expect(CASE_VIEWERS),
    "applications.attachment": Expect(CASE_VIEWERS),
    "applications.case_file": Expect(frozenset({CASEWORKER, ADMIN})),
    # A draft is the applicant side's alone, and only they edit it.
    "applications.edit": Expect(APPLICANT_SIDE, {"application_id": "{draft}"}, method="GET"),
    "letters.download": Expect(CASE_VIEWERS),
    # A step that needs a comment, posted without one: the manager gets the form back (422).
    "workflow.step": Expect(
        frozenset({MANAGER}), {"application_id": "{endorsement}", "action": "not_endorse"}
    ),
    "workflow.decide": Expect(frozenset({CASEWORKER}), {"application_id": "{pending}"}),
    "workflow.queue": Expect(SIGNED_IN),
    "reports.edit": Expect(APPLICANT_SIDE, method="GET"),
    "reports.review": Expect(
        frozenset({CASEWORKER}), {"application_id": "{reported}", "action": "return_report"}
    ),
    "budgets.index": Expect(frozenset({CASEWORKER, BOARD, FINANCE, ADMIN})),
    "budgets.fund_year": Expect(frozenset({CASEWORKER, BOARD, FINANCE, ADMIN})),
    "budgets.close_year_page": Expect(frozenset({FINANCE, ADMIN}), method="GET"),
    "budgets.export": Expect(frozenset({FINANCE, ADMIN})),
    "budgets.export_file": Expect(frozenset({FINANCE, ADMIN}), {"dataset": "grants", "fmt": "csv"}),
    "payments.index": Expect(frozenset({FINANCE, ADMIN})),
    "payments.export": Expect(frozenset({FINANCE, ADMIN}), {"dataset": "payments"}),
    "payments.record_payment": Expect(frozenset({FINANCE}), method="GET"),
    "payments.record_refund": Expect(frozenset({FINANCE}), method="GET"),
    "organisations.mine": Expect(SIGNED_IN),
    "organisations.new": Expect(SIGNED_IN, method="GET"),
    "organisations.show": Expect(APPLICANT_SIDE | {CASEWORKER, ADMIN}),
    "organisations.invite": Expect(APPLICANT_SIDE, data={"email": ""}),
    # An unknown invitation is not found for anyone.
    "organisations.accept": Expect(NOBODY, {"token": "guessed-token"}, method="GET"),
    "subsidies.index": Expect(frozenset({ADMIN})),
    "subsidies.show": Expect(frozenset({ADMIN}), {"fund_code": "{youth_fund}"}),
    "subsidies.export": Expect(frozenset({ADMIN}), {"fund_code": "{youth_fund}"}),
    "subsidies.edit": Expect(frozenset({ADMIN}), method="GET"),
    # The live calculation: for organisation B's figures only B's members and the secretariat.
    "subsidies.calculate": Expect(
        frozenset({OTHER_ORG, CASEWORKER, ADMIN}),
        {"fund_code": "{youth_fund}"},
        data={"organisation_id": "{organisation_b}"},
    ),
    "partners.index": Expect(EVERYONE),
    "publication.index": Expect(EVERYONE),
    "publication.trips_csv": Expect(EVERYONE),
    "publication.trips_json": Expect(EVERYONE),
    # The trip is not published: nobody finds it, and a case's private letter is never
    # served as a public report.
    "publication.trip": Expect(NOBODY, {"trip_id": "{granted}"}),
    "publication.report": Expect(NOBODY),
}

WHERE = "tests/core/test_access_matrix.py: EXPECTATIONS"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """These tests sign people in without their password: a cheap hash makes the world fast."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    from grants.people import models

    monkeypatch.setattr(
        models, "generate_password_hash", partial(generate_password_hash, method="pbkdf2:sha256:1")
    )


@dataclass
class Cases:
    granted: int
    draft: int
    endorsement: int
    pending: int
    reported: int
    attachment: int
    letter: int
    organisation_a: int
    organisation_b: int
    fund: str
    youth_fund: str
    version: int


def build_world():
    w = factories.study_trip_world()
    other_org = make_user(Role.EMPLOYEE, name="Bo Bech")
    colleague = make_user(Role.EMPLOYEE, name="Kim Kolle")
    org_a = make_organisation(w.employee, colleague, name="Forening A")
    org_b = make_organisation(other_org, name="Forening B")
    people = {
        OWNER: w.employee,
        COLLEAGUE: colleague,
        MANAGER: w.manager,
        CASEWORKER: w.caseworker,
        BOARD: w.board_member,
        FINANCE: w.finance,
        ADMIN: w.admin,
        OUTSIDER: w.outsider,
        OTHER_ORG: other_org,
    }

    def case(state):
        return make_application(w.employee, w.fund, state=state, organisation=org_a)

    granted = case("granted")
    draft = case("draft")
    endorsement = case("awaiting_endorsement")
    pending = case("awaiting_decision")
    reported = case("report_submitted")
    attachment = Attachment(
        application=granted,
        filename="program.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        data=b"%PDF-1.7",
    )
    letter = Letter(
        application=granted,
        kind="decision",
        language="da",
        template="letters/decision.html",
        parameters={},
        filename="afgoerelse.pdf",
        pdf=b"%PDF-1.7 letter",
        sha256="1" * 64,
        size=15,
    )
    db.session.add_all([attachment, letter])
    youth_fund = factories.make_fund(
        code="ungdomsrejser", kind=FundKind.YOUTH_TRIP, route="screening_decision"
    )
    rule_set = _rule_set(youth_fund, w.admin)
    db.session.commit()
    cases = Cases(
        granted=granted.id,
        draft=draft.id,
        endorsement=endorsement.id,
        pending=pending.id,
        reported=reported.id,
        attachment=attachment.id,
        letter=letter.id,
        organisation_a=org_a.id,
        organisation_b=org_b.id,
        fund=w.fund.code,
        youth_fund=youth_fund.code,
        version=rule_set.version,
    )
    return people, cases


def _rule_set(fund, admin):
    from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set

    source = (STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text(encoding="utf-8")
    return add_rule_set(source, fund=fund, user=admin)


def url_values(rule, cases: Cases, expect: Expect) -> dict:
    defaults = {
        "application_id": cases.granted,
        "attachment_id": cases.attachment,
        "letter_id": cases.letter,
        "organisation_id": cases.organisation_a,
        "fund_code": cases.fund,
        "version": cases.version,
        "year": clock.today().year,
        "trip_id": cases.granted,
        "token": "x",
        "action": "x",
    }
    values = {name: defaults.get(name) for name in rule.arguments}
    values.update(expect.values)
    return {name: fill(value, cases) for name, value in values.items()}


def fill(value, cases: Cases):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return getattr(cases, value[1:-1])
    return value


def sign_in(client, user) -> None:
    """Sign in without the password round trip (the login itself is tested elsewhere)."""
    from flask import g

    g.pop("_login_user", None)
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = f"{user.id}.{user.session_token}"
            session["_fresh"] = True


def is_refusal(persona: str, response) -> bool:
    if response.status_code in (403, 404):
        return True
    if persona == ANONYMOUS and response.status_code in (302, 401):
        return "/login" in response.headers.get("Location", "")
    return False


def test_every_route_has_a_declared_expectation(app):
    missing = sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint not in EXPECTATIONS
    )
    assert not missing, (
        f"Routes without a declared access expectation: {missing}. Declare who may use each "
        f"in {WHERE} (and ask grants.core.access in the view)."
    )
    stale = sorted(set(EXPECTATIONS) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert not stale, f"Expectations for routes that no longer exist: {stale} ({WHERE})"


def test_every_route_as_every_person(app, routes, client):
    people, cases = build_world()
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        expect = EXPECTATIONS.get(rule.endpoint)
        if expect is None:
            continue  # reported by the test above
        methods = rule.methods - {"HEAD", "OPTIONS"}
        method = expect.method or ("GET" if "GET" in methods else "POST")
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **url_values(rule, cases, expect))
        data = {key: fill(value, cases) for key, value in expect.data.items()}
        # The refused first, then the allowed: an allowed visit may leave a trace (a journal
        # entry for a case file export), never a change of state the others would see.
        order = sorted(PERSONAS, key=lambda p: p in expect.allowed)
        for persona in order:
            sign_in(client, people.get(persona))
            response = client.open(url, method=method, data=data)
            if response.status_code >= 500:
                failures.append(f"{persona} {method} {url}: server error")
            elif persona in expect.allowed and is_refusal(persona, response):
                failures.append(f"{persona} {method} {url}: refused ({response.status_code})")
            elif persona not in expect.allowed and not is_refusal(persona, response):
                failures.append(f"{persona} {method} {url}: allowed ({response.status_code})")
    assert not failures, "\n".join(failures)


GUESSES = (
    "/applications/{other_case}",
    "/applications/{other_case}/attachments/{other_attachment}",
    "/applications/{own_case}/attachments/{other_attachment}",
    "/applications/{other_case}/case-file.zip",
    "/applications/{other_case}/report",
    "/applications/{other_case}/edit",
    "/letters/{other_letter}/download",
    "/udlandsrejser/rapporter/{other_letter}.pdf",
    "/applications/999999",
    "/applications/{own_case}/attachments/999999",
    "/letters/999999/download",
)


def test_guessed_ids_of_other_peoples_things_are_refused(app, routes, client):
    """A person with a case of their own tries the ids next to theirs: cases, attachments,
    letters and reports of others are refused, and no file's bytes come back."""
    people, cases = build_world()
    stranger = people[OTHER_ORG]
    own = make_application(stranger, factories.make_fund(), state="granted")
    db.session.commit()
    sign_in(client, stranger)
    for path in GUESSES:
        url = path.format(
            other_case=cases.granted,
            other_attachment=cases.attachment,
            own_case=own.id,
            other_letter=cases.letter,
        )
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"%PDF" not in response.data, url


def test_files_are_served_with_safe_headers(app, routes, client):
    people, cases = build_world()
    attachment = db.session.get(Attachment, cases.attachment)
    attachment.filename = '../../etc/"passwd"\r\nX-Evil: 1.html'
    attachment.content_type = "text/html"
    db.session.commit()
    sign_in(client, people[OWNER])
    for url in (
        f"/applications/{cases.granted}/attachments/{cases.attachment}",
        f"/letters/{cases.letter}/download",
    ):
        response = client.get(url)
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "\r" not in disposition and "\n" not in disposition
        assert "X-Evil" not in response.headers
        assert "/" not in disposition.split("filename", 1)[1]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
    # An HTML "attachment" is never rendered in the app's origin.
    response = client.get(f"/applications/{cases.granted}/attachments/{cases.attachment}")
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_every_rule_of_the_permission_layer_is_named_and_refuses_the_anonymous(app):
    assert set(access.RULES) >= {
        "case.view",
        "case.edit",
        "case.step",
        "case.decide",
        "attachment.download",
        "letter.download",
        "budgets.read",
        "payments.record",
    }
    with pytest.raises(KeyError, match="grants/core/access.py"):
        access.may(None, "no.such.rule")
    for name in access.RULES:
        assert access.may(None, name, object()) is False
