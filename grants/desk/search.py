"""Finding any case a person may see: by case number, applicant, organisation, CVR number,
title, destination and the application's text, in any state and year.

Who sees what is the rule ``case.view`` (grants.applications.permissions, widened by the
committees for the cases on their agendas), written here as one SQL condition
(``visible_to``); tests/desk compare the two for every kind of person.

On PostgreSQL the text is searched with the 'danish' full-text configuration and names and
partial words with trigram indexes (pg_trgm; the migration d4a6c8e0f2b4 makes the indexes).
A page reads the newest cases along an index and tries the text on each until the page is
full; a rare text, which would never fill it, is found by each way of matching's own index
(``_found``). Either way a page costs the same at 1,000 and 100,000 cases. SQLite matches
substrings (LIKE) and sorts every case found.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy.orm import joinedload, lazyload

from grants.applications.permissions import CASE_STAFF
from grants.cases.models import Application, YouthSubsidy
from grants.cases.states import State
from grants.committees.models import AgendaItem, Meeting
from grants.committees.operations import committees_of
from grants.core import clock
from grants.core.input import ascii_digits
from grants.core.pagination import Listing, listing
from grants.extensions import db
from grants.funds.models import FundBoardMember
from grants.organisations.models import Membership, Organisation
from grants.people.models import Role, User
from grants.workflow import engine, interest

# The application's text as PostgreSQL keeps it (the column searched_text, made of the title,
# purpose, destination, programme and expected benefit with the 'danish' configuration, and
# its index ix_application_search_text: a9c1e3f5b7d2), and the youth subsidy's description
# of the direct contact, as ix_youth_subsidy_direct_contact_text has it.
SEARCHED_TEXT = literal_column("application.searched_text")
SEARCHED_YOUTH_TEXT = literal_column(
    "to_tsvector('danish'::regconfig, coalesce(youth_subsidy.direct_contact, ''))"
)
CASE_NUMBER = re.compile(r"^\d{4}-\d{3,}$")
CVR = re.compile(r"^\d{8}$")

# A search's values as its statement's parameters (``_values`` gives them): the statement
# is kept across requests by its shape (``_kept``) and run with each request's values. None
# has a value of its own, so a value not given is an error, never another search's.
USER_ID = bindparam("user_id", type_=Integer)
TEXT = bindparam("text", type_=String)
LIKE = bindparam("like", type_=String)
DIGITS = bindparam("digits", type_=String)
FUND_ID = bindparam("fund_id")
STATE = bindparam("state")
YEAR_START = bindparam("year_start")
YEAR_END = bindparam("year_end")
AMOUNT_FROM = bindparam("amount_from")
AMOUNT_TO = bindparam("amount_to")
REACH = bindparam("reach", type_=Integer)
WINDOW = bindparam("window", type_=Integer)


@dataclass(frozen=True)
class Criteria:
    text: str = ""
    fund_id: int | None = None
    state: str = ""
    year: int | None = None
    amount_from: Decimal | None = None
    amount_to: Decimal | None = None


def _sides(user, user_id: Any = None) -> tuple[ColumnElement[bool], ColumnElement[bool] | None]:
    """Who sees a case, in two parts: the applicant's side (their own cases and their
    organisations', drafts too) and the cases the person handles once they are no longer
    drafts (None: every case that is no longer a draft, as for case staff). ``user_id``:
    the person's id as it stands in the statement (``USER_ID``), else their id itself."""
    user_id = user.id if user_id is None else user_id
    own_organisations = _acting_for(user, user_id)
    applicant_side = or_(
        Application.applicant_id == user_id,
        and_(
            Application.organisation_id.is_not(None),
            Application.organisation_id.in_(own_organisations),
        ),
    )
    # Nobody handles a case they were a party to (applied for an organisation's case and
    # left it: ``interest.was_a_party``); ``case.view`` refuses them like anyone else.
    never_a_party = ~interest.was_a_party_condition(user_id)
    if engine.acting_cvr_of(user) is not None:
        # Acting for another company, the person is still a member of their organisations:
        # they never handle those organisations' cases (``interest.is_a_party_now``).
        never_a_party = and_(
            never_a_party,
            or_(
                Application.organisation_id.is_(None),
                Application.organisation_id.not_in(
                    select(Membership.organisation_id).where(Membership.user_id == user_id)
                ),
            ),
        )
    if user.has_role(*CASE_STAFF):
        return applicant_side, never_a_party
    handles = [
        # The manager named on the case, while a manager (``engine.is_the_manager_now``).
        Application.manager_id == user_id if user.has_role(Role.MANAGER) else false(),
        Application.fund_id.in_(
            select(FundBoardMember.fund_id).where(FundBoardMember.user_id == user_id)
        ),
    ]
    committees = _committees(user)
    if committees:
        handles.append(
            Application.id.in_(
                select(AgendaItem.application_id)
                .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .where(Meeting.committee_id.in_(committees))
            )
        )
    return applicant_side, and_(or_(*handles), never_a_party)


def _acting_for(user, user_id: Any) -> Select:
    """The ids of the organisations the person acts for now: their memberships, or, when
    this login acts for one company (MitID Erhverv, ``organisation.act``), that company's
    alone."""
    organisations = select(Membership.organisation_id).where(Membership.user_id == user_id)
    cvr = engine.acting_cvr_of(user)
    if cvr is None:
        return organisations
    return organisations.join(Organisation, Organisation.id == Membership.organisation_id).where(
        Organisation.cvr == cvr
    )


def _committees(user) -> tuple[int, ...]:
    """The committees whose agendas widen what the person sees (not asked of case staff,
    who see every case that is no longer a draft)."""
    return tuple(committee.id for committee in committees_of(user))


def visible_to(user, user_id: Any = None) -> ColumnElement[bool]:
    """The cases ``user`` may see (``case.view``) as a condition on Application
    (``user_id``: as ``_sides``)."""
    applicant_side, handles = _sides(user, user_id)
    if handles is None:
        return or_(applicant_side, Application.state != State.DRAFT)
    return or_(applicant_side, and_(Application.state != State.DRAFT, handles))


def find_case_number(user, text: str) -> Application | None:
    """The case with exactly this case number, if the person may see it."""
    text = text.strip()
    if not CASE_NUMBER.match(text):
        return None
    return db.session.scalar(
        select(Application).where(Application.case_number == text, visible_to(user))
    )


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _matching_ids(text: str) -> Select | ColumnElement[bool]:
    """The ways a text matches a case: the ids of the cases it matches (the text as the
    parameters ``TEXT``, ``LIKE`` and ``DIGITS``)."""
    postgres = _postgres()
    names = [User.name.ilike(LIKE, escape="\\")]
    by_organisation = [Organisation.name.ilike(LIKE, escape="\\")]
    own = [
        Application.title.ilike(LIKE, escape="\\"),
        Application.case_number.ilike(LIKE, escape="\\"),
        Application.destination_city.ilike(LIKE, escape="\\"),
    ]
    if postgres:
        # Words in their Danish forms ("konferencer" finds "konference"), and names a letter
        # off ("Larsn"): the trigram index's word similarity.
        words = func.websearch_to_tsquery("danish", TEXT)
        own.append(SEARCHED_TEXT.op("@@")(words))
        youth = [SEARCHED_YOUTH_TEXT.op("@@")(words)]
        names.append(User.name.op("%>")(TEXT))
        by_organisation.append(Organisation.name.op("%>")(TEXT))
    else:
        own += [
            Application.purpose.ilike(LIKE, escape="\\"),
            Application.programme.ilike(LIKE, escape="\\"),
            Application.expected_benefit.ilike(LIKE, escape="\\"),
        ]
        youth = [YouthSubsidy.direct_contact.ilike(LIKE, escape="\\")]
    if CVR.match(ascii_digits(text)):
        by_organisation.append(Organisation.cvr == DIGITS)
    # One subquery per index (PostgreSQL cannot use an index for an OR across tables); the
    # people and organisations found first, their cases by the applicant's (organisation's)
    # index.
    parts = [select(Application.id).where(condition) for condition in own]
    parts += [select(YouthSubsidy.application_id).where(condition) for condition in youth]
    # The people by each way of matching on its own: one OR of the two is read row by row
    # (the word similarity of every name, 20 ms), each alone from the trigram index.
    parts.append(
        select(Application.id).where(
            Application.applicant_id.in_(union(*(select(User.id).where(name) for name in names)))
        )
    )
    parts.append(
        select(Application.id).where(
            Application.organisation_id.in_(select(Organisation.id).where(or_(*by_organisation)))
        )
    )
    return union(*parts)


def search(user, criteria: Criteria) -> Select:
    """The cases found, newest first."""
    return (
        select(Application)
        .where(*_conditions(user, criteria))
        .params(_values(user, criteria))
        .options(
            joinedload(Application.applicant).options(
                lazyload(User.role_grants), lazyload(User.identities)
            )
        )
        .order_by(*NEWEST_FIRST)
    )


def _conditions(user, criteria: Criteria) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [visible_to(user, USER_ID)]
    if criteria.text:
        conditions.append(Application.id.in_(_matching_ids(criteria.text)))
    return conditions + _filters(criteria)


def _filters(criteria: Criteria) -> list[ColumnElement[bool]]:
    """The search's conditions besides the text and who may see the case (their values as
    parameters: ``_values``)."""
    conditions: list[ColumnElement[bool]] = []
    if criteria.fund_id is not None:
        conditions.append(Application.fund_id == FUND_ID)
    if criteria.state:
        conditions.append(Application.state == STATE)
    if criteria.year is not None:
        start, end = YEAR_START, YEAR_END
        conditions.append(
            or_(
                and_(Application.submitted_at >= start, Application.submitted_at < end),
                and_(
                    Application.submitted_at.is_(None),
                    Application.created_at >= start,
                    Application.created_at < end,
                ),
            )
        )
    if criteria.amount_from is not None:
        conditions.append(Application.amount_applied >= AMOUNT_FROM)
    if criteria.amount_to is not None:
        conditions.append(Application.amount_applied <= AMOUNT_TO)
    return conditions


def _values(user, criteria: Criteria, reach: int | None = None) -> dict[str, Any]:
    """The parameters of a search's statement: the person's id, the text, the filters and
    the reach (the window read down the newest cases: ``WINDOW_PAGES`` of it)."""
    values: dict[str, Any] = {"user_id": user.id}
    if criteria.text:
        values.update(
            text=criteria.text, like=_like(criteria.text), digits=ascii_digits(criteria.text)
        )
    if criteria.fund_id is not None:
        values["fund_id"] = criteria.fund_id
    if criteria.state:
        values["state"] = criteria.state
    if criteria.year is not None:
        values["year_start"] = dt.datetime(criteria.year, 1, 1, tzinfo=clock.LOCAL)
        values["year_end"] = dt.datetime(criteria.year + 1, 1, 1, tzinfo=clock.LOCAL)
    if criteria.amount_from is not None:
        values["amount_from"] = criteria.amount_from
    if criteria.amount_to is not None:
        values["amount_to"] = criteria.amount_to
    if reach is not None:
        values.update(reach=reach, window=reach * WINDOW_PAGES)
    return values


NEWEST_FIRST = (Application.submitted_at.desc().nulls_first(), Application.id.desc())


def search_rows(
    user, criteria: Criteria, columns: tuple[Any, ...], reach: int | None = None
) -> tuple[Listing, dict[str, Any]]:
    """The cases ``search`` finds, newest first, as plain rows of ``columns`` (of the case,
    its applicant ``User`` and its ``Fund``): what a list shows, with no case, applicant or
    fund made an object for it, as a list's statements for ``pagination.paginate``; with
    the statement's parameters.

    ``reach``: the rows the page needs at most (those before it, its own and one more). On
    PostgreSQL the cases are then found by ``_found`` (the first ``reach`` of them), not
    every case that matches sorted; the rows are the same.

    The statement is kept across requests by its shape (``_kept``): making it anew cost a
    third of the search page's time. Its values are the parameters (``_values``)."""
    postgres = reach is not None and _postgres()
    shape = (
        columns,
        postgres,
        # Who sees what: case staff every case that is no longer a draft; others by the
        # committees they sit on, which the statement holds.
        None if user.has_role(*CASE_STAFF) else _committees(user),
        # and a manager the cases naming them (``_sides``), and a login for one company
        # that company's (``_acting_for``).
        user.has_role(Role.MANAGER),
        engine.acting_cvr_of(user),
        bool(criteria.text),
        bool(CVR.match(ascii_digits(criteria.text))),
        criteria.fund_id is not None,
        bool(criteria.state),
        criteria.year is not None,
        criteria.amount_from is not None,
        criteria.amount_to is not None,
    )
    statement = _KEPT.get(shape)
    if statement is None:
        if len(_KEPT) >= _KEPT_AT_MOST:
            _KEPT.clear()
        # Not counted: "more than 20" and the next page say enough, and a search by a
        # common name (a tenth of every case at 100,000) would do its work twice.
        statement = _KEPT[shape] = listing(
            _search_rows(user, criteria, columns, postgres), count=False
        )
    return statement, _values(user, criteria, reach if postgres else None)


# The statements kept, by their shape; a few dozen shapes are all the search has (the
# filters given or not, case staff or the committees one sits on).
_KEPT: dict[tuple, Listing] = {}
_KEPT_AT_MOST = 64


def _search_rows(user, criteria: Criteria, columns: tuple[Any, ...], postgres: bool) -> Select:
    from grants.funds.models import Fund

    rows = (
        select(*columns)
        .join(Fund, Fund.id == Application.fund_id)
        .join(User, User.id == Application.applicant_id)
    )
    if not postgres:
        return rows.where(*_conditions(user, criteria)).order_by(*NEWEST_FIRST)
    # The few cases found, joined to their rows and sorted by the moment they carry: an
    # order no index has, so PostgreSQL sorts them, and never reads the cases along the
    # index of the order looking for them (which its generic plan, ``generic_plan``, chose
    # for ``id IN (found)``: 15 ms at 100,000 cases for a search with filters).
    found = _found(user, criteria).subquery("found")
    return (
        select(*columns)
        .select_from(found)
        .join(Application, Application.id == found.c.id)
        .join(Fund, Fund.id == Application.fund_id)
        .join(User, User.id == Application.applicant_id)
        .order_by(found.c.submitted_at.desc().nulls_first(), found.c.id.desc())
    )


# Sent and not a draft: read newest first along ix_application_submitted_at_id from the
# last sent case (the drafts, never sent, would come first: 4,300 at 100,000 cases).
SENT = (Application.submitted_at.is_not(None), Application.state != State.DRAFT)
# Never sent, yet no longer a draft (a case made directly in its state): none in the
# ordinary course, found at once by the index (state, submitted_at, id).
NOT_DRAFTS = tuple(state for state in State if state != State.DRAFT)
UNSENT = (Application.submitted_at.is_(None), Application.state.in_(NOT_DRAFTS))
# How far the search reads down the newest cases, in multiples of the rows the page needs,
# before it gathers the cases the text matches from their indexes instead.
WINDOW_PAGES = 25


def _of_organisation(column: Any) -> Any:
    return select(column).where(Organisation.id == Application.organisation_id).scalar_subquery()


# What the text is tried on, case by case.
WINDOW_COLUMNS = (
    Application.id,
    Application.submitted_at,
    Application.applicant_id,
    Application.organisation_id,
    Application.case_number,
    Application.title,
    Application.destination_city,
    SEARCHED_TEXT.label("searched_text"),
    User.name.label("applicant_name"),
    # The organisation's, looked up case by case (its primary key) rather than joined: the
    # few cases tried are a page's reach or its window, and a join let the generic plan
    # (``generic_plan``) scan every organisation for each case tried (18 ms at 100,000).
    _of_organisation(Organisation.name).label("organisation_name"),
    _of_organisation(Organisation.cvr).label("organisation_cvr"),
)


def _found(user, criteria: Criteria) -> Select:
    """The first ``reach`` (``REACH``) cases found, newest first, and perhaps some more
    (PostgreSQL), as their ids and moments of submission (the order the list sorts them in):
    what costs the same at 1,000 and 100,000 cases.

    Parts, each the first ``reach`` of its own, so together they hold the first ``reach``
    of all (a case may be in more than one):

    - the applicant's side (``_sides``), drafts too: the person's own cases and their
      organisations'; and the cases never sent that are no longer drafts (``UNSENT``) that
      the person handles (case staff: all): a few, by the applicant's, the organisation's
      and the (state, submitted_at) index;
    - the sent cases that are no longer drafts (``SENT``), that the person handles,
      newest first, read along the index of the order with the filters, the text tried on
      each: a common word or name (a tenth of every case) fills the page after some
      hundred cases and the reading stops there;
    - when those first ``reach * WINDOW_PAGES`` cases hold fewer than ``reach`` that the
      text matches, the text is rare: the cases it matches are gathered from their
      indexes (``_matching_ids``; few, as it is rare) and sorted. PostgreSQL runs this part
      only then (its condition is known before it runs).
    """
    _applicant_side, handles = _sides(user, USER_ID)
    filters = _filters(criteria)
    handled = [] if handles is None else [handles]
    # The applicant's side, drafts too: one's own cases and one's organisations'; and the
    # cases never sent. Each by its index (the organisations as an array, which the
    # organisation's index takes; a subquery in an OR it would not), in one part.
    own_organisations = func.array(_acting_for(user, USER_ID).scalar_subquery())
    window = select(*WINDOW_COLUMNS).join(User, User.id == Application.applicant_id)
    few = or_(
        Application.applicant_id == USER_ID,
        Application.organisation_id == func.any(own_organisations),
        and_(*UNSENT, *handled),
    )
    parts = [_first(criteria.text, window.where(few, *filters).subquery())]
    window = window.where(*SENT, *handled, *filters).order_by(*NEWEST_FIRST)
    if not criteria.text:
        newest = window.limit(REACH).subquery()
        parts.append(select(newest.c.id, newest.c.submitted_at))
        return union(*parts)
    walked = _first(criteria.text, window.limit(WINDOW).subquery(), few=False).cte("walked")
    enough = select(func.count()).select_from(walked).scalar_subquery() >= REACH
    parts.append(select(walked.c.id, walked.c.submitted_at).where(enough))
    parts.append(
        select(Application.id, Application.submitted_at)
        .where(*SENT, *handled, *filters, Application.id.in_(_matching_ids(criteria.text)), ~enough)
        # NEWEST_FIRST, but not as the index has it: the few cases are sorted, not read
        # along the index until the page is full (which a rare text never fills).
        .order_by(
            Application.submitted_at.is_(None).desc(),
            Application.submitted_at.desc(),
            Application.id.desc(),
        )
        .limit(REACH)
    )
    return union(*parts)


def _first(text: str, cases: Any, few: bool = True) -> Select:
    """The ids and moments of submission of the first ``reach`` (``REACH``) of ``cases``
    (``WINDOW_COLUMNS``) that ``text``
    matches (all of them without a text), newest first. ``few``: the cases are few, found
    by their own index and sorted (NEWEST_FIRST, not as the index of the order has it: read
    along that index, PostgreSQL would step over every draft to find them); else read
    along the index of the order and stopped when the page is full."""
    found = select(cases.c.id, cases.c.submitted_at)
    if text:
        found = found.where(_row_matches(text, cases.c))
    if few:
        order = (cases.c.submitted_at.is_(None).desc(), cases.c.submitted_at.desc())
    else:
        order = (cases.c.submitted_at.desc().nulls_first(),)
    return found.order_by(*order, cases.c.id.desc()).limit(REACH)


def _row_matches(text: str, case: Any) -> ColumnElement[bool]:
    """The text matches this case (PostgreSQL), as ``_matching_ids`` finds it, tried on the
    row: ``case`` is the columns of ``WINDOW_COLUMNS`` (the text as ``_matching_ids``
    has it).

    Tried on up to a window of cases, so nothing in it is worked out again for each: the
    words once for all (a subquery PostgreSQL runs once, where the function of a parameter
    was parsed anew for every case in a generic plan, ``generic_plan``), and the pattern
    without ``ESCAPE`` (PostgreSQL's escape character is the backslash ``_like`` uses
    already; with it, every case converted the pattern)."""
    words = select(func.websearch_to_tsquery("danish", TEXT)).scalar_subquery()
    conditions = [
        case.title.ilike(LIKE),
        case.case_number.ilike(LIKE),
        case.destination_city.ilike(LIKE),
        case.searched_text.op("@@")(words),
        case.applicant_name.ilike(LIKE),
        case.applicant_name.op("%>")(TEXT),
        case.organisation_name.ilike(LIKE),
        case.organisation_name.op("%>")(TEXT),
        exists().where(YouthSubsidy.application_id == case.id, SEARCHED_YOUTH_TEXT.op("@@")(words)),
    ]
    if CVR.match(ascii_digits(text)):
        conditions.append(case.organisation_cvr == DIGITS)
    return or_(*conditions)
