"""Mixins and the municipality's profile, shared by the domain packages."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import Callable, Iterator
from typing import Any

from flask import g
from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    DateTime,
    Enum,
    LargeBinary,
    Select,
    String,
    Text,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter
from sqlalchemy.sql.functions import FunctionElement

from grants.core import clock
from grants.core.auditing import Audited
from grants.extensions import Model, db


class Timestamp:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, onupdate=clock.now
    )


class Municipality(Model):
    """Who sends the letters: the letterhead and the contact details. One row."""

    __tablename__ = "municipality"
    __audit__ = Audited(setting_added=True, setting_changed=True)
    __table_args__ = (
        CheckConstraint("election_period_years BETWEEN 1 AND 10", name="election_period_years"),
    )
    # Danish municipal elections are in November every four years (2021, 2025): the periods
    # run 2022-2025, 2026-2029. Another municipality (or country) sets its own.
    ELECTION_FIRST_YEAR = 2022
    ELECTION_PERIOD_YEARS = 4
    # The profile's texts, as the administrator edits them and a profile file carries them.
    TEXT_FIELDS = (
        "name",
        "unit",
        "letterhead",
        "address",
        "cvr",
        "email",
        "phone",
        "website",
        "contact_note",
        "postcodes",
        "complaint_guidance",
        "complaint_guidance_en",
        "refund_reg_number",
        "refund_account_number",
        "refund_payment_method",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    cvr: Mapped[str] = mapped_column(String(8), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    # Where the published trips point the public, e.g. a department mailbox.
    contact_note: Mapped[str] = mapped_column(Text, default="")
    # The postcodes of the municipality: an organisation is based here when its postcode is
    # one of them. Space-separated, e.g. "2740 2750 2760".
    postcodes: Mapped[str] = mapped_column(String(200), default="")
    # A line under the name on every letter (e.g. "Center for Kultur og Fritid").
    letterhead: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The complaint guidance (klagevejledning) in the letters; empty: the standard text.
    complaint_guidance: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The same in English, for the letters to recipients who read English; empty: the
    # standard English text (never the Danish one: a letter is in one language).
    complaint_guidance_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Where a refund is paid, written in every letter that asks for money back: the account
    # (reg. number, 4 digits, and account number) and/or another way to pay.
    refund_reg_number: Mapped[str] = mapped_column(String(4), default="", server_default="")
    refund_account_number: Mapped[str] = mapped_column(String(10), default="", server_default="")
    refund_payment_method: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The languages the app offers the municipality's users, space-separated ("da en").
    languages: Mapped[str] = mapped_column(String(40), default="da en", server_default="da en")
    # The logo on the letters: PNG or JPEG, checked by its content when uploaded.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_content_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # The election periods (valgperioder), within which a committee's unspent money is carried
    # over: the first year of one period (any period: the others follow) and their length.
    election_first_year: Mapped[int] = mapped_column(
        default=ELECTION_FIRST_YEAR, server_default=str(ELECTION_FIRST_YEAR)
    )
    election_period_years: Mapped[int] = mapped_column(
        default=ELECTION_PERIOD_YEARS, server_default=str(ELECTION_PERIOD_YEARS)
    )

    @property
    def postcode_list(self) -> set[str]:
        return set(self.postcodes.replace(",", " ").split())

    def letter_facts(self) -> dict:
        """The sender as every letter's facts carry it (decision, settlement, preview)."""
        return {
            "name": self.name,
            "unit": self.unit,
            "address": self.address,
            "cvr": self.cvr,
            "email": self.email,
            "phone": self.phone,
            "website": self.website,
            "letterhead": self.letterhead,
            "complaint_guidance": self.complaint_guidance,
            "complaint_guidance_en": self.complaint_guidance_en,
            "logo": bool(self.logo_content_type),
            "refund_reg_number": self.refund_reg_number,
            "refund_account_number": self.refund_account_number,
            "refund_payment_method": self.refund_payment_method,
        }

    @property
    def takes_refunds(self) -> bool:
        """Whether a letter can say how to pay money back: an account or a payment method."""
        account = bool(self.refund_reg_number and self.refund_account_number)
        return account or bool((self.refund_payment_method or "").strip())

    def letter_images(self) -> dict[str, tuple[bytes, str]]:
        """The images a letter may show: the logo, if there is one."""
        if self.logo_content_type and self.logo:
            return {"logo": (self.logo, self.logo_content_type)}
        return {}

    @classmethod
    def election_rhythm(cls) -> tuple[int, int]:
        """(first year of a period, years in a period) of the municipality; the Danish
        rhythm before one is set up."""
        row = db.session.execute(
            db.select(cls.election_first_year, cls.election_period_years).order_by(cls.id).limit(1)
        ).first()
        if row is None:
            return cls.ELECTION_FIRST_YEAR, cls.ELECTION_PERIOD_YEARS
        return row[0], row[1]

    @classmethod
    def current(cls) -> Municipality:
        municipality = db.session.scalar(db.select(cls).order_by(cls.id).limit(1))
        if municipality is None:
            raise LookupError("No municipality profile: run `flask demo load` or `flask setup`.")
        return municipality


_UNSET = object()


# What the layout of every page asks besides the municipality's profile (the menu's task
# count, whether the person sits on a committee), read in the same statement as the profile:
# name -> a function giving a scalar SQL expression for the request's person, or None when
# it does not apply (no one signed in, a secretariat that sees the committees anyway). The
# desk and the committees register theirs (``layout_fact``); they read the answer back with
# ``read_layout_fact`` and ask the database themselves when it is not there.
_LAYOUT_FACTS: dict[str, Callable[[], ColumnElement[Any] | None]] = {}
# The combined statements, by the expressions they were made from (kept beside them, so an
# id used again by another expression is never mistaken for it): a statement used again
# keeps its SQLAlchemy cache key, which a count over the queue's condition otherwise costs
# anew on every request.
_LAYOUT_STATEMENTS: dict[tuple[int, ...], tuple[tuple[Any, ...], Select[Any]]] = {}
_LAYOUT_STATEMENTS_KEPT = 256
_NOT_READ = object()


LayoutFact = Callable[[], ColumnElement[Any] | None]


def layout_fact(name: str) -> Callable[[LayoutFact], LayoutFact]:
    """Registers a function for the layout's statement (see ``_LAYOUT_FACTS``)."""

    def register(function: LayoutFact) -> LayoutFact:
        _LAYOUT_FACTS[name] = function
        return function

    return register


def read_layout_fact(name: str) -> Any:
    """The fact as read with the municipality in this request, or ``NOT_READ``. Reads the
    municipality (and with it the facts) first on a page that is read; a form's answer is
    not made to read the municipality for it."""
    if _reads_layout_facts():
        current_municipality()
    return g.get("_layout_facts", {}).get(name, NOT_READ)


def _reads_layout_facts() -> bool:
    from flask import has_request_context, request

    return has_request_context() and request.method in ("GET", "HEAD")


NOT_READ = _NOT_READ


def _layout_statement() -> tuple[Select[Any], tuple[str, ...]]:
    facts: list[tuple[str, ColumnElement[Any]]] = []
    # Only a page that is read (GET): a form's answer may write after the layout's first
    # question, and the menu's count must then see the write.
    if _reads_layout_facts():
        for name, function in _LAYOUT_FACTS.items():
            expression = function()
            if expression is not None:
                facts.append((name, expression))
    expressions = tuple(expression for _name, expression in facts)
    key = tuple(id(expression) for expression in expressions)
    kept = _LAYOUT_STATEMENTS.get(key)
    if kept is None or any(a is not b for a, b in zip(kept[0], expressions, strict=True)):
        if len(_LAYOUT_STATEMENTS) >= _LAYOUT_STATEMENTS_KEPT:
            _LAYOUT_STATEMENTS.clear()
        statement = db.select(Municipality, *expressions).order_by(Municipality.id).limit(1)
        kept = _LAYOUT_STATEMENTS[key] = (expressions, _lists_as_parameters(statement))
    return kept[1], tuple(name for name, _expression in facts)


def one_of(column: Any, values: Any, type_: Any = None) -> ColumnElement[bool]:
    """``column IN (values)`` with one parameter per value, for a statement that is kept and
    run again and again (the layout's, the waiting rule's): SQLAlchemy's usual "expanding"
    parameter is written into the SQL text anew on every execution (a tenth of a list
    page's CPU). The values are fixed with the condition, so build it where it is kept. An
    empty list is SQLAlchemy's empty-set expression, as ``in_([])``."""
    values = list(values)
    if not values:
        return column.in_(values)
    kind = type_ if type_ is not None else column.type
    return column.in_([db.literal(value, kind) for value in values])


class greatest(FunctionElement[Any]):
    """The greatest of its arguments (SQL ``greatest``; SQLite's scalar ``max(a, b, ...)``).
    The two differ on NULL: PostgreSQL leaves a NULL argument out, SQLite answers NULL, so
    give it arguments that are never NULL where the result must not be."""

    name = "greatest"
    inherit_cache = True


@compiles(greatest)
def _greatest(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


def _lists_as_parameters(statement: Select[Any]) -> Select[Any]:
    """The statement with each ``IN`` list (``state IN (...)``: a score in the menu count's
    waiting condition) as one parameter per value instead of SQLAlchemy's "expanding"
    parameter, which is expanded into the SQL text anew on every execution (a tenth of a
    logged-in page's fixed cost). The same values, the same rows; the statement is kept,
    so the values are the ones it was made with either way. An empty list stays as it is
    (SQLAlchemy's empty-set expression)."""

    def replaced(element: Any) -> Any:
        if not (
            isinstance(element, BinaryExpression)
            and isinstance(element.right, BindParameter)
            and element.right.expanding
            and element.right.callable is None
            and element.right.value
        ):
            return None
        if element.operator is operators.in_op:
            return one_of(element.left, element.right.value, element.right.type)
        if element.operator is operators.not_in_op:
            return ~one_of(element.left, element.right.value, element.right.type)
        return None

    # (SQLAlchemy's overloads name its own element types, not a Select.)
    return visitors.replacement_traverse(statement, {}, replaced)  # type: ignore[call-overload]


def current_municipality() -> Municipality | None:
    """The municipality's profile, or None before one is loaded. Read once per request,
    with the layout's facts (``layout_fact``) on a page that is read."""
    cached = g.get("_municipality", _UNSET)
    if cached is not _UNSET:
        return cached
    facts: dict[str, Any] = {}
    try:
        statement, names = _layout_statement()
        row = db.session.execute(statement).first()
        municipality = row[0] if row is not None else None
        if row is not None:
            facts = dict(zip(names, row[1:], strict=True))
    except SQLAlchemyError:
        # e.g. the error page of a failed transaction, or no tables yet before `flask db
        # upgrade`: the layout falls back to text
        db.session.rollback()
        municipality = None
    g._municipality = municipality
    g._layout_facts = facts
    return municipality


def offered_languages() -> tuple[str, ...]:
    """The languages the municipality offers (its profile), among those the app speaks;
    Danish always. Read once per request."""
    from flask import current_app, has_request_context, request

    spoken = tuple(current_app.config.get("LANGUAGES", ("da", "en")))
    if has_request_context() and "grants.languages" in request.environ:
        return request.environ["grants.languages"]
    # The layout reads the municipality anyway: one query, kept for the request.
    municipality = current_municipality()
    row = municipality.languages if municipality is not None else None
    chosen = tuple(code for code in (row or " ".join(spoken)).split() if code in spoken)
    languages = ("da",) + tuple(code for code in chosen if code != "da")
    if has_request_context():
        request.environ["grants.languages"] = languages
    return languages


def enum_type(enum_class: type[enum.Enum]) -> Enum:
    """An enum column stored as its values (not names), checked by the database."""
    return Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        create_constraint=True,
        name=enum_class.__name__.lower(),
    )


def dialect_insert(
    bind: Connection | Engine, model: type[Model]
) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for the database in use (PostgreSQL or SQLite), which offers its ON
    CONFLICT clauses (``on_conflict_do_update``, ``on_conflict_do_nothing``)."""
    if bind.dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


@contextlib.contextmanager
def generic_plan() -> Iterator[None]:
    """The statements run inside on PostgreSQL's generic plan (``plan_cache_mode``, for this
    transaction only), not planned anew for each run's values: from the first run, as
    psycopg sends it (unprepared for five runs, a generic plan made and dropped each time;
    prepared from the sixth, the plan kept).

    For a statement whose planning costs more than its run whatever the values (the search:
    a union of three ways to find cases, each an OR of a dozen conditions; 3 ms of planning,
    1-2 ms of run at any size), where PostgreSQL's own choice keeps planning it because the
    generic plan's estimate looks dearer at 100,000 cases.

    The setting in force before is put back after the block (blocks nest). Do not commit
    inside: the setting ends with the transaction. An error inside leaves it on until the
    transaction ends (rolled back at the request's end): only speed is at stake."""
    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    before = db.session.execute(_GENERIC).scalar_one()
    yield
    db.session.execute(_PUT_BACK, {"mode": before})


# One round trip: the setting in force, then the generic plan asked for, for this
# transaction. The order is sure: the materialised CTE's row is read before the select list
# that takes it is worked out (a condition without a column would run first, as a
# one-time filter).
_GENERIC = text(
    "WITH before AS MATERIALIZED (SELECT current_setting('plan_cache_mode') AS mode) "
    "SELECT mode, set_config('plan_cache_mode', 'force_generic_plan', true) FROM before"
)
_PUT_BACK = text("SELECT set_config('plan_cache_mode', :mode, true)")
