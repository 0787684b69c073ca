"""Finding any case a person may see: by case number, applicant, organisation, CVR number,
title, destination and the application's text, in any state and year.

Who sees what is the rule ``case.view`` (grants.applications.permissions, widened by the
committees for the cases on their agendas), written here as one SQL condition
(``visible_to``); tests/desk compare the two for every kind of person.

On PostgreSQL the text is searched with the 'danish' full-text configuration and names and
partial words with trigram indexes (pg_trgm; the migration d4a6c8e0f2b4 makes the indexes):
each way of matching is a subquery of ids that its own index answers, so a search costs
the same at 1,000 and 100,000 cases. SQLite matches substrings (LIKE).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal_column, or_, select, union
from sqlalchemy.orm import joinedload, lazyload

from grants.applications.permissions import CASE_STAFF
from grants.cases.models import Application, YouthSubsidy
from grants.cases.states import State
from grants.committees.models import AgendaItem, Meeting
from grants.committees.operations import committees_of
from grants.core import clock
from grants.core.input import ascii_digits
from grants.extensions import db
from grants.funds.models import FundBoardMember
from grants.organisations.models import Membership, Organisation
from grants.people.models import User

# The application's text, as the migrations' index ix_application_search_text has it
# (b8e0f2a4c6d9), and the youth subsidy's description of the direct contact, as
# ix_youth_subsidy_direct_contact_text has it.
SEARCHED_TEXT = literal_column(
    "to_tsvector('danish'::regconfig, coalesce(application.title, '') || ' ' || "
    "coalesce(application.purpose, '') || ' ' || coalesce(application.destination_city, '') "
    "|| ' ' || coalesce(application.programme, '') || ' ' || "
    "coalesce(application.expected_benefit, ''))"
)
SEARCHED_YOUTH_TEXT = literal_column(
    "to_tsvector('danish'::regconfig, coalesce(youth_subsidy.direct_contact, ''))"
)
CASE_NUMBER = re.compile(r"^\d{4}-\d{3,}$")
CVR = re.compile(r"^\d{8}$")


@dataclass(frozen=True)
class Criteria:
    text: str = ""
    fund_id: int | None = None
    state: str = ""
    year: int | None = None
    amount_from: Decimal | None = None
    amount_to: Decimal | None = None


def visible_to(user) -> ColumnElement[bool]:
    """The cases ``user`` may see (``case.view``) as a condition on Application."""
    own_organisations = select(Membership.organisation_id).where(Membership.user_id == user.id)
    applicant_side = or_(
        Application.applicant_id == user.id,
        and_(
            Application.organisation_id.is_not(None),
            Application.organisation_id.in_(own_organisations),
        ),
    )
    if user.has_role(*CASE_STAFF):
        return or_(applicant_side, Application.state != State.DRAFT)
    handles = [
        Application.manager_id == user.id,
        Application.fund_id.in_(
            select(FundBoardMember.fund_id).where(FundBoardMember.user_id == user.id)
        ),
    ]
    committees = [committee.id for committee in committees_of(user)]
    if committees:
        handles.append(
            Application.id.in_(
                select(AgendaItem.application_id)
                .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .where(Meeting.committee_id.in_(committees))
            )
        )
    return or_(applicant_side, and_(Application.state != State.DRAFT, or_(*handles)))


def find_case_number(user, text: str) -> Application | None:
    """The case with exactly this case number, if the person may see it."""
    text = text.strip()
    if not CASE_NUMBER.match(text):
        return None
    return db.session.scalar(
        select(Application).where(Application.case_number == text, visible_to(user))
    )


def _matching_ids(text: str) -> Select | ColumnElement[bool]:
    """The ways a text matches a case: the ids of the cases it matches."""
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    digits = ascii_digits(text)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    names = [User.name.ilike(like, escape="\\")]
    by_organisation = [Organisation.name.ilike(like, escape="\\")]
    own = [
        Application.title.ilike(like, escape="\\"),
        Application.case_number.ilike(like, escape="\\"),
        Application.destination_city.ilike(like, escape="\\"),
    ]
    if postgres:
        # Words in their Danish forms ("konferencer" finds "konference"), and names a letter
        # off ("Larsn"): the trigram index's word similarity.
        words = func.websearch_to_tsquery("danish", text)
        own.append(SEARCHED_TEXT.op("@@")(words))
        youth = [SEARCHED_YOUTH_TEXT.op("@@")(words)]
        names.append(User.name.op("%>")(text))
        by_organisation.append(Organisation.name.op("%>")(text))
    else:
        own += [
            Application.purpose.ilike(like, escape="\\"),
            Application.programme.ilike(like, escape="\\"),
            Application.expected_benefit.ilike(like, escape="\\"),
        ]
        youth = [YouthSubsidy.direct_contact.ilike(like, escape="\\")]
    if CVR.match(digits):
        by_organisation.append(Organisation.cvr == digits)
    # One subquery per index (PostgreSQL cannot use an index for an OR across tables); the
    # people and organisations found first, their cases by the applicant's (organisation's)
    # index.
    parts = [select(Application.id).where(condition) for condition in own]
    parts += [select(YouthSubsidy.application_id).where(condition) for condition in youth]
    parts.append(
        select(Application.id).where(
            Application.applicant_id.in_(select(User.id).where(or_(*names)))
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
        .options(
            joinedload(Application.applicant).options(
                lazyload(User.role_grants), lazyload(User.identities)
            )
        )
        .order_by(*NEWEST_FIRST)
    )


def _conditions(user, criteria: Criteria) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [visible_to(user)]
    if criteria.text:
        conditions.append(Application.id.in_(_matching_ids(criteria.text)))
    if criteria.fund_id is not None:
        conditions.append(Application.fund_id == criteria.fund_id)
    if criteria.state:
        conditions.append(Application.state == criteria.state)
    if criteria.year is not None:
        start = dt.datetime(criteria.year, 1, 1, tzinfo=clock.LOCAL)
        end = dt.datetime(criteria.year + 1, 1, 1, tzinfo=clock.LOCAL)
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
        conditions.append(Application.amount_applied >= criteria.amount_from)
    if criteria.amount_to is not None:
        conditions.append(Application.amount_applied <= criteria.amount_to)
    if not conditions:
        conditions.append(false())
    return conditions


NEWEST_FIRST = (Application.submitted_at.desc().nulls_first(), Application.id.desc())


def search_rows(user, criteria: Criteria, columns: tuple[Any, ...]) -> Select:
    """The cases ``search`` finds, newest first, as plain rows of ``columns`` (of the case,
    its applicant ``User`` and its ``Fund``): what a list shows, with no case, applicant or
    fund made an object for it."""
    from grants.funds.models import Fund

    return (
        select(*columns)
        .join(Fund, Fund.id == Application.fund_id)
        .join(User, User.id == Application.applicant_id)
        .where(*_conditions(user, criteria))
        .order_by(*NEWEST_FIRST)
    )
