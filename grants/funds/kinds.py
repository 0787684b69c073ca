"""The kinds of fund: one object per kind, in one registry.

A kind says everything the rest of the app asks about a fund because of what the fund pays
for: who applies, which form they fill in, whether a rule set computes the grant (and which
of the rule file's kinds it is), what the case page, the report and the decision letter add
for it, who decides, and when its trips are published. The packages above read these
attributes; none of them branches on a kind's code.

A new kind is one ``register(Kind(...))`` (here, or in the package that implements it: the
registry is read when a request or command runs, after ``create_app`` imported every
package), a route in ``grants/workflow/routes/``, its funds in a profile, and the templates
it names. ``Fund.kind`` holds the code; the database does not list the codes, so a new kind
needs no migration.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l


class Applicant(enum.StrEnum):
    """Who applies to (or plans a trip from) a fund of the kind."""

    EMPLOYEE = "employee"  # an employee, for a trip of their own (the role EMPLOYEE)
    ORGANISATION = "organisation"  # a person who acts for an association, school, institution
    COMMITTEE = "committee"  # a committee's members and secretary (opened by grants.committees)
    # The secretariat, for the administration's and the politicians' delegations.
    ADMINISTRATION = "administration"


class Published(enum.StrEnum):
    """When a settled trip of a fund that publishes its trips is shown to the public."""

    REPORT_APPROVED = "report_approved"  # once the report and accounts are approved
    COMMITTEE_APPROVED = "committee_approved"  # and the committee approved them in a meeting


class FrontGroup(enum.StrEnum):
    """Where the front page tells about the kind's funds."""

    STUDY = "study"
    SUBSIDY = "subsidy"
    COMMITTEE = "committee"
    OTHER = "other"


@dataclass(frozen=True)
class Kind:
    code: str
    # The name an administrator picks from (the fund's own name is the fund's).
    label: str
    applicant: Applicant
    # The rule file's kind ("trip", "hosting", "exchange") whose rule set computes the grant;
    # None: the grant is the amount applied for, decided case by case.
    rule_set_kind: str | None = None
    # The application form: "trip" (grants.applications.forms.ApplicationForm, a trip with
    # its budget lines) or "subsidy" (YouthApplicationForm, participants for the rule set).
    form: str = "trip"
    # Templates the kind adds: to the case page, the report form, the decision letter.
    case_part: str | None = None
    report_part: str | None = None
    letter_part: str | None = None
    # Decided, and its report approved, by a committee in a meeting (grants.committees).
    decided_in_meeting: bool = False
    published: Published = Published.REPORT_APPROVED
    # Whether the participants' names may be published where the fund publishes names
    # (never for children and young people).
    names_may_be_public: bool = True
    front_group: FrontGroup = FrontGroup.OTHER
    # A fund of this kind counts in the municipality's central international budget.
    central: bool = False
    # The kind's own fields: questions (as in a profile's ``[[funds.questions]]``) that a new
    # fund of the kind asks from the start; the answers are kept, typed by the question, in
    # the case's ``answers`` (a JSON column), not in columns of their own for every case.
    # A question with ``public = True`` is shown with the published trip.
    questions: tuple[dict, ...] = field(default=(), hash=False)

    @property
    def public_questions(self) -> list[dict]:
        return [q for q in self.questions if q.get("public")]

    @property
    def computes_subsidy(self) -> bool:
        return self.rule_set_kind is not None

    def __str__(self) -> str:
        return self.code


REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add ``kind`` to the registry (again with the same code: the same object only)."""
    known = REGISTRY.get(kind.code)
    if known is not None and known != kind:
        raise ValueError(f"Fund kind {kind.code!r} is registered twice")
    REGISTRY[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    """The kind with this code; ValueError if there is none."""
    try:
        return REGISTRY[str(code)]
    except KeyError:
        raise ValueError(f"Unknown fund kind {code!r}") from None


def all_kinds() -> list[Kind]:
    return list(REGISTRY.values())


def codes(**where) -> list[str]:
    """The codes of the kinds whose attributes equal ``where`` (all kinds without it)."""
    return [
        kind.code
        for kind in REGISTRY.values()
        if all(getattr(kind, name) == value for name, value in where.items())
    ]


def subsidy_codes() -> list[str]:
    """The kinds whose grants a rule set computes."""
    return [kind.code for kind in REGISTRY.values() if kind.computes_subsidy]


def rule_set_kinds() -> tuple[str, ...]:
    """The rule file's kinds: those the registered kinds compute with, each once."""
    return tuple(dict.fromkeys(k.rule_set_kind for k in REGISTRY.values() if k.rule_set_kind))


# -- the kinds ------------------------------------------------------------------------------

STUDY_TRIP = register(
    Kind(
        "study_trip",
        _l("Studierejser for medarbejdere"),
        Applicant.EMPLOYEE,
        front_group=FrontGroup.STUDY,
    )
)
YOUTH_TRIP = register(
    Kind(
        "youth_trip",
        _l("Ungdomsrejser til venskabsbyer"),
        Applicant.ORGANISATION,
        rule_set_kind="trip",
        form="subsidy",
        names_may_be_public=False,
        front_group=FrontGroup.SUBSIDY,
        central=True,
    )
)
HOSTING = register(
    Kind(
        "hosting",
        _l("Værtskab for grupper fra venskabsbyer"),
        Applicant.ORGANISATION,
        rule_set_kind="hosting",
        form="subsidy",
        names_may_be_public=False,
        front_group=FrontGroup.SUBSIDY,
    )
)
PUPIL_EXCHANGE = register(
    Kind(
        "pupil_exchange",
        _l("Elevudveksling"),
        Applicant.ORGANISATION,
        rule_set_kind="exchange",
        form="subsidy",
        names_may_be_public=False,
        front_group=FrontGroup.SUBSIDY,
        central=True,
    )
)
COMMITTEE = register(
    Kind(
        "committee",
        _l("Udvalgets egne rejser"),
        Applicant.COMMITTEE,
        letter_part="letters/kinds/committee.html",
        decided_in_meeting=True,
        published=Published.COMMITTEE_APPROVED,
        front_group=FrontGroup.COMMITTEE,
    )
)

# The international cooperation's own trips: the administration's and the politicians'
# delegations to the partner cities, planned by the secretariat, approved by the fund's
# board, published with their programme and accounts (Ballerup: 190,000 kr. a year).
OFFICIAL_TRIP = register(
    Kind(
        "official_trip",
        _l("Officielle rejser i det internationale samarbejde"),
        Applicant.ADMINISTRATION,
        case_part="applications/kinds/official_trip.html",
        report_part="reports/kinds/official_trip.html",
        letter_part="letters/kinds/official_trip.html",
        central=True,
        questions=(
            {
                "key": "delegation",
                "kind": "choice",
                "label": "Hvem rejser?",
                "help_text": "Offentliggøres med rejsen.",
                "required": True,
                "public": True,
                "choices": ["Politikere", "Administrationen", "Politikere og administrationen"],
            },
        ),
    )
)
# The words of the kinds' own questions, in the reader's language where the app shows them
# (the published trip). A fund keeps its questions as Danish data, as it keeps an
# administrator's; words that are not the kinds' own are shown as written.
WORDS = {
    "Hvem rejser?": _l("Hvem rejser?"),
    "Offentliggøres med rejsen.": _l("Offentliggøres med rejsen."),
    "Politikere": _l("Politikere"),
    "Administrationen": _l("Administrationen"),
    "Politikere og administrationen": _l("Politikere og administrationen"),
}


def in_reader_language(text: str) -> str:
    """``text`` translated if it is one of the kinds' own words, else as it is."""
    word = WORDS.get(text)
    return str(word) if word is not None else text


# A network's activities (Ballerup: the network for teachers and others in schools working
# internationally, 23,000 kr. a year): planned by the secretariat, approved by the board;
# what they cost is paid from the fund and stays in its ledger.
NETWORK = register(
    Kind(
        "network",
        _l("Netværk og aktiviteter"),
        Applicant.ADMINISTRATION,
        names_may_be_public=False,
        central=True,
    )
)
