"""The administrator's changes. Like every operation they flush; the request commits. The
audit trail records each change with who, when, before and after (grants/audit)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grants.administration.models import GroupRole, GroupRoleMapping
from grants.audit.models import write_event
from grants.budgets.balances import balance
from grants.budgets.ledger import in_ledger_language
from grants.budgets.lock import BudgetBusy, lock_fund
from grants.budgets.models import YearClosing
from grants.budgets.opening import allocate, open_year
from grants.cases.models import Application
from grants.cases.states import State
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.formatting import money
from grants.core.money import kroner
from grants.extensions import db
from grants.funds.models import Fund, FundBoardMember
from grants.partners.models import PartnerCity
from grants.people.models import Role, User, UserRole
from grants.questions.models import FormVersion, Question, current_form, next_version
from grants.workflow import rerouting
from grants.workflow.models import Route


def refuse_a_second_listing(city: PartnerCity | None, values: dict) -> None:
    """A city is listed once at a time: another listing of the same city (its name, in any
    case and spacing, and its country) for days that overlap is refused, so a form posted
    twice adds the city once. A city listed again after its end date is a new listing."""
    name = " ".join(values["name"].split()).casefold()
    start, end = values["valid_from"], values["valid_to"] or dt.date.max
    query = select(PartnerCity).where(PartnerCity.country == values["country"])
    if city is not None:
        query = query.where(PartnerCity.id != city.id)
    for other in db.session.scalars(query):
        if " ".join(other.name.split()).casefold() != name:
            continue
        if other.valid_from <= end and start <= (other.valid_to or dt.date.max):
            raise DomainError(
                _("%(name)s står allerede på listen for de dage.", name=other.name),
                field="name",
            )


def offered_routes() -> list[Route]:
    """Every route in the transition table, newest version of each code first: a route
    added to ``grants/workflow/routes`` (and loaded) is offered at once."""
    routes = db.session.scalars(select(Route).order_by(Route.code, Route.version.desc()))
    newest: dict[str, Route] = {}
    for route in routes:
        newest.setdefault(route.code, route)
    return list(newest.values())


def lock_for_settings(fund: Fund) -> None:
    """Take the fund's lock before its settings are written, as every movement of money
    does (``budgets.lock.lock_fund``): with its wait (BUDGET_LOCK_TIMEOUT), so a save behind
    a long payment run or a closing is refused with "try again" and changes nothing, instead
    of waiting without end on PostgreSQL (the fund's row write has no lock timeout of its
    own) or failing with a server error on SQLite. Taken first, before anything is written:
    the order of every money path, the fund's before its cases' (docs/budgets.md)."""
    try:
        lock_fund(fund)
    except BudgetBusy as busy:
        raise DomainError(
            _(
                "Puljen er optaget af en udbetaling eller en afgørelse lige nu, så "
                "indstillingerne er ikke gemt. Prøv igen om lidt."
            )
        ) from busy


def change_yearly_budget(fund: Fund, new_budget: Decimal, actor) -> None:
    """A new yearly budget: the default of every year opened from now on, and the
    difference booked on the ledger for this year and next where they are open (opened now
    if they are not yet); a closed year is left as it is. The ledger is never overwritten."""
    new_budget = kroner(new_budget)
    difference = new_budget - kroner(fund.yearly_budget or 0)
    if difference == 0:
        return
    this_year = clock.today().year
    lock_fund(fund)
    for year in (this_year, this_year + 1):
        closed = db.session.scalar(
            select(YearClosing.id).where(YearClosing.fund_id == fund.id, YearClosing.year == year)
        )
        if closed is not None:
            continue
        if open_year(fund, year, actor, amount=new_budget):
            continue  # opened now, with the new budget
        if difference < 0 and balance(fund.id, year).available < -difference:
            raise DomainError(
                _(
                    "Budgettet for %(year)s kan ikke sættes ned med %(amount)s: så meget er "
                    "der ikke til rådighed. Intet er ændret.",
                    year=year,
                    amount=money(-difference),
                ),
                field="yearly_budget",
            )
        note = in_ledger_language(_l("Årligt budget ændret af administrator"))
        allocate(fund, year, difference, actor, note=note)
    fund.yearly_budget = new_budget


def first_budget(fund: Fund, actor=None) -> None:
    """A new fund's budget for this year and next, on the ledger: both years opened."""
    this_year = clock.today().year
    for year in (this_year, this_year + 1):
        open_year(fund, year, actor)


def set_board(fund: Fund, user_ids: set[int]) -> None:
    """The fund's board: who decides above the delegated limit."""
    for member in list(fund.board):
        if member.user_id not in user_ids:
            fund.board.remove(member)
            db.session.delete(member)  # listed as deleted, so the audit trail sees it
    present = {member.user_id for member in fund.board}
    for user_id in sorted(user_ids - present):
        fund.board.append(FundBoardMember(user_id=user_id))
    db.session.flush()


def key_for(label: str, taken: set[str]) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
    base = re.sub(r"[^a-z0-9]+", "_", label.lower().translate(table))[:30].strip("_") or "q"
    if not base[0].isalpha():
        base = "q_" + base
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def new_form_version(
    fund: Fund, questions: list[dict], actor=None, field: str | None = None
) -> FormVersion:
    """Save the fund's questions as its next form version; older versions stay as they were,
    with the cases filled in with them. Another save of the same fund's questions at the same
    moment takes the same version number: the unique index refuses the second (``field``
    says where the message goes), instead of a server error."""
    version = FormVersion(
        fund_id=fund.id, version=next_version(fund.id), created_by_id=actor.id if actor else None
    )
    for position, question in enumerate(questions):
        version.questions.append(
            Question(
                position=position,
                key=question["key"],
                kind=question["kind"],
                label=question["label"],
                help_text=question.get("help_text", ""),
                required=bool(question.get("required", False)),
                choices=list(question.get("choices") or []),
            )
        )
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError as error:
        raise DomainError(
            _("Puljens spørgsmål blev ændret af en anden lige nu. Prøv igen."), field=field
        ) from error
    return version


def kind_questions(fund: Fund, actor=None) -> FormVersion | None:
    """A new fund of a kind with fields of its own (``Kind.questions``) asks them from the
    start: its first form version, unless it has one."""
    if not fund.spec.questions or current_form(fund.id) is not None:
        return None
    return new_form_version(fund, [dict(q) for q in fund.spec.questions], actor)


def current_questions(fund: Fund) -> list[dict]:
    version = current_form(fund.id)
    return [q.as_dict() for q in version.questions] if version else []


def add_question(fund: Fund, question: dict, actor=None) -> FormVersion:
    """The question added to the fund's form, as its next version. Refused when the form
    already asks it (the same words): a form posted twice asks it once."""
    questions = current_questions(fund)
    label = " ".join(question["label"].split()).casefold()
    if any(" ".join(q["label"].split()).casefold() == label for q in questions):
        raise DomainError(_("Puljen stiller allerede det spørgsmål."), field="label")
    question = dict(question, key=key_for(question["label"], {q["key"] for q in questions}))
    return new_form_version(fund, questions + [question], actor, field="label")


def remove_question(fund: Fund, key: str, actor=None) -> FormVersion:
    questions = current_questions(fund)
    if key not in {q["key"] for q in questions}:
        raise DomainError(_("Spørgsmålet findes ikke i den nuværende version."))
    return new_form_version(fund, [q for q in questions if q["key"] != key], actor)


def set_roles(user: User, roles: set[Role], active: bool, actor: User) -> None:
    """Grant and revoke roles (each one audited). An administrator cannot take away their
    own administrator role or lock themselves out."""
    if user.id == actor.id and (Role.ADMIN not in roles or not active):
        raise DomainError(
            _("Du kan ikke fjerne din egen administratorrolle eller lukke dig selv ude."),
            field="roles",
        )
    for grant in list(user.role_grants):
        if grant.role not in roles:
            user.role_grants.remove(grant)
            db.session.delete(grant)
    for role in roles:
        if role not in user.roles:
            user.role_grants.append(UserRole(role=role))
    if user.active != active:
        user.active = active
    db.session.flush()


def set_own_manager(person: User, manager: User | None, actor: User) -> bool:
    """``person``'s own manager, chosen on their page (``people.operations.set_manager``:
    the cases waiting for the manager's step go to the new one). No manager is refused,
    nothing changed, while a case of theirs waits for the endorsement of the manager it
    names: nobody could give it; the administrator chooses who takes over instead. Their
    drafts lose the manager, and the applicant chooses one when sending. Whether it
    changed."""
    from grants.people.operations import set_manager

    if manager is None and person.manager is not None:
        waiting = rerouting.waiting_for_own_manager(person)
        if waiting:
            raise DomainError(
                ngettext(
                    "En ansøgning fra %(name)s venter på anbefaling fra %(manager)s. Vælg den "
                    "nye leder, der skal anbefale den: uden en leder kan ingen anbefale den.",
                    "%(num)d ansøgninger fra %(name)s venter på anbefaling fra %(manager)s. "
                    "Vælg den nye leder, der skal anbefale dem: uden en leder kan ingen "
                    "anbefale dem.",
                    len(waiting),
                    name=person.name,
                    manager=person.manager.name,
                ),
                field="manager_id",
            )
    return set_manager(person, manager, actor)


def employees_of(manager: User) -> list[User]:
    """The people who have ``manager`` as their own manager."""
    return list(
        db.session.scalars(
            select(User).where(User.manager_id == manager.id).order_by(User.name, User.id)
        )
    )


def manager_role_lost(person: User, group: str) -> list:
    """``person``'s manager's role went at their login (they left the identity provider's
    ``group``, grants.administration.group_roles) and nobody named who takes over: the cases
    that wait for their endorsement say so in their journal, and every administrator is
    e-mailed, in their own language, with the cases and the person's page, where the
    hand-over is chosen (``hand_over_as_manager``). The cases left waiting."""
    from flask import url_for

    from grants.notifications.operations import queue_mail

    waiting = rerouting.tell_the_cases_left_waiting(person)
    if not waiting:
        return []
    person_url = url_for("admin.user", user_id=person.id, _external=True)
    administrators = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == Role.ADMIN, User.active, User.id != person.id)
        .order_by(User.id)
    )
    for administrator in administrators:
        queue_mail(
            administrator,
            "mail/manager_lost_subject.txt",
            "mail/manager_lost.txt",
            person=person,
            group=group,
            cases=waiting,
            person_url=person_url,
        )
    return waiting


def named_as_manager(person: User) -> bool:
    """Whether anyone has ``person`` as their manager, or a case names them as its manager
    (one waiting for the manager's step, or a draft)."""
    return bool(employees_of(person) or rerouting.cases_naming(person))


def hand_over_as_manager(person: User, successor: User | None, actor: User) -> bool:
    """When ``person`` is no longer a manager (the role taken away, the account closed):
    ``successor`` becomes the manager of their employees, and the cases that name them and
    wait for the manager's step (or will: drafts) go to ``successor``
    (``rerouting.hand_over``), in the journal and by e-mail. Refused, nothing changed, when
    cases would be left waiting for nobody and no successor is named, when a successor is
    named for a person who stays a manager, and when the successor is one of the
    employees or applied in a case that names the person (nobody endorses their own
    application). Whether anything was handed over."""
    from grants.people.operations import set_manager

    still_manager = person.active and person.has_role(Role.MANAGER)
    if successor is None:
        waiting = rerouting.left_waiting(person) if not still_manager else []
        if waiting:
            raise DomainError(
                ngettext(
                    "En sag venter på anbefaling fra %(name)s. Vælg, hvem der overtager som "
                    "leder; ellers kan ingen anbefale den.",
                    "%(num)d sager venter på anbefaling fra %(name)s. Vælg, hvem der overtager "
                    "som leder; ellers kan ingen anbefale dem.",
                    len(waiting),
                    name=person.name,
                ),
                field="successor_id",
            )
        return False
    if still_manager:
        raise DomainError(
            _(
                "%(name)s er stadig leder. Vælg kun en ny leder for medarbejderne, når rollen "
                "som leder fjernes, eller kontoen lukkes.",
                name=person.name,
            ),
            field="successor_id",
        )
    if successor.id == person.id or not successor.active or not successor.has_role(Role.MANAGER):
        raise DomainError(_("Vælg en leder fra listen."), field="successor_id")
    employees = employees_of(person)
    cases = rerouting.cases_naming(person)
    if successor in employees or successor.id in {a.applicant_id for a in cases}:
        raise DomainError(
            _(
                "%(successor)s har selv %(name)s som leder og kan ikke anbefale sine egne "
                "ansøgninger. Vælg en anden, eller giv først %(successor)s en anden leder.",
                successor=successor.name,
                name=person.name,
            ),
            field="successor_id",
        )
    # The cases first, so that their journal says why (the manager stepped down); the
    # employees' cases then already name the successor.
    rerouting.hand_over(person, successor, actor)
    for employee in employees:
        set_manager(employee, successor, actor)
    return bool(employees or cases)


# -- the identity provider's groups mapped to roles (grants.administration.group_roles) -------
def _audit_mapping(action: str, mapping: GroupRoleMapping, actor: User, before, after) -> None:
    # The audit trail's listener sits below this package and does not know the mapping:
    # the change is written here, as the listener writes other settings.
    write_event(
        action,
        "group_role_mapping",
        mapping.id,
        actor=actor,
        details={"before": before, "after": after},
    )


def _mapping_values(mapping: GroupRoleMapping) -> dict:
    return {
        "group_name": mapping.group_name,
        "role": mapping.role.value,
        "fund_id": mapping.fund_id,
        "committee_id": mapping.committee_id,
    }


def add_group_role(
    group_name: str, role: GroupRole, fund_id: int | None, committee_id: int | None, actor: User
) -> GroupRoleMapping:
    """A line of the mapping; it takes effect at each person's next login."""
    duplicate = db.session.scalar(
        select(GroupRoleMapping.id).where(
            GroupRoleMapping.group_name == group_name,
            GroupRoleMapping.role == role,
            GroupRoleMapping.fund_id.is_(None)
            if fund_id is None
            else GroupRoleMapping.fund_id == fund_id,
            GroupRoleMapping.committee_id.is_(None)
            if committee_id is None
            else GroupRoleMapping.committee_id == committee_id,
        )
    )
    if duplicate is not None:
        raise DomainError(_("Gruppen giver allerede den rolle."), field="group_name")
    mapping = GroupRoleMapping(
        group_name=group_name, role=role, fund_id=fund_id, committee_id=committee_id
    )
    db.session.add(mapping)
    db.session.flush()
    _audit_mapping(
        "settings.group_role_mapping_added", mapping, actor, None, _mapping_values(mapping)
    )
    return mapping


def remove_group_role(mapping: GroupRoleMapping, actor: User) -> None:
    """Roles it gave stay until the person's next login, which takes them away."""
    _audit_mapping(
        "settings.group_role_mapping_removed", mapping, actor, _mapping_values(mapping), None
    )
    db.session.delete(mapping)
    db.session.flush()


# States where a case is done: its data no longer has to match the fund's kind.
FINISHED_STATES = (State.SETTLED, State.REFUSED, State.WITHDRAWN, State.CANCELLED)


def refuse_kind_change(fund: Fund, kind: str) -> None:
    """A fund's kind may change only while no case (draft or under way) depends on it: the
    cases' data (counts, answers, the subsidy worked out) is of the kind they started with."""
    if kind == fund.kind:
        return
    count = db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.fund_id == fund.id, Application.state.not_in(FINISHED_STATES))
    )
    if count:
        raise DomainError(
            ngettext(
                "Slags pulje kan ikke ændres, mens %(num)d sag (kladde eller i gang) er i puljen.",
                "Slags pulje kan ikke ændres, mens %(num)d sager (kladder eller i gang) er i "
                "puljen.",
                count,
            ),
            field="kind",
        )
