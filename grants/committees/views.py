"""Committees (/udvalg): registration, meetings, agendas, conflict of interest, decisions,
the issue job's progress and the minutes. Every view asks the permission layer
(``grants.core.access``: ``committee.*``, ``meeting.*``, ``interest.declare``,
``minutes.download``, ``job.view``): 404 for what does not exist, 403 for what the person may
not see or do."""

from __future__ import annotations

import datetime as dt
import io

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from grants.applications.views import get_application
from grants.budgets.preview import decision_preview
from grants.cases.models import Application
from grants.committees import issuing  # noqa: F401  - registers the issue job's handler
from grants.committees import operations as ops
from grants.committees.forms import (
    ActionForm,
    AgendaForm,
    AttendanceForm,
    CancelMeetingForm,
    CommitteeForm,
    DeclarationForm,
    DepartureForm,
    MeetingForm,
    MemberForm,
    MoveMeetingForm,
    NextPeriodForm,
    RecordDecisionForm,
    RulesForm,
    RulingForm,
    SubstituteForm,
    UrgencyForm,
)
from grants.committees.labels import (
    AGENDA_KIND_LABELS,
    DECISION_LABELS,
    ISSUE_LABELS,
    KIND_LABELS,
    MEETING_STATE_LABELS,
    QUORUM_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    WITHOUT_QUORUM_LABELS,
    interest_reason,
)
from grants.committees.models import (
    AgendaItem,
    Committee,
    CommitteeKind,
    Decision,
    InterestDeclaration,
    IssueStatus,
    Meeting,
    MemberRole,
    QuorumRule,
    WithoutQuorum,
)
from grants.core import access, clock, confirmation
from grants.core.formatting import listed
from grants.core.refusals import Refused, refused_by_domain
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund
from grants.jobs.models import Job
from grants.people.models import User
from grants.workflow import engine
from grants.workflow.models import CaseRole

bp = Blueprint("committees", __name__, url_prefix="/udvalg")


def _committee(committee_id: int, permission: str) -> Committee:
    """The committee (404 if there is none) that the current user has ``permission`` on."""
    committee = db.session.get(Committee, committee_id)
    if committee is None:
        abort(404)
    access.require(current_user, permission, committee)
    return committee


def _meeting(meeting_id: int, permission: str | None = None) -> Meeting:
    """The meeting (404 if there is none) the current user may see and, if named, has
    ``permission`` on."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    access.require(current_user, "meeting.view", meeting)
    if permission is not None:
        access.require(current_user, permission, meeting)
    return meeting


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


# -- committees -------------------------------------------------------------------------------


@bp.get("")
@login_required
def index():
    access.require(current_user, "committee.list")
    registers = access.may(current_user, "committee.manage")
    if registers:
        committees = db.session.scalars(
            select(Committee).order_by(Committee.name, Committee.period_first.desc())
        ).all()
    else:
        committees = ops.committees_of(current_user)
    return render_template(
        "committees/index.html",
        committees=committees,
        can_register=registers,
        kind_labels=KIND_LABELS,
    )


def _free_funds() -> list[Fund]:
    """The committees' funds: a fund goes on from one election period to the next, with a
    committee set up for each; one whose period overlaps another's on the fund is refused
    by ``create_committee``, beside the fund."""
    return list(
        db.session.scalars(
            select(Fund)
            .where(
                Fund.kind.in_(kinds.codes(applicant=kinds.Applicant.COMMITTEE)),
                Fund.active,
            )
            .order_by(Fund.name)
        )
    )


@bp.route("/ny", methods=["GET", "POST"])
@login_required
def new():
    access.require(current_user, "committee.manage")
    form = CommitteeForm(funds=_free_funds())
    if form.validate_on_submit():
        fund = db.session.get(Fund, int(form.fund_id.data))
        with refused_by_domain(show=False) as refusal:
            committee = ops.create_committee(
                form.name.data,
                CommitteeKind(form.kind.data),
                fund,
                form.period_first.data,
                form.period_last.data,
                QuorumRule(form.quorum_rule.data),
                WithoutQuorum(form.without_quorum.data),
            )
        if refusal:  # the funds' choices read again after the rollback
            form = CommitteeForm(funds=_free_funds())
            form.validate()
            refusal.show(form, "period_last")
        else:
            flash(_("Udvalget er oprettet."), "success")
            return redirect(url_for("committees.show", committee_id=committee.id))
    status = 422 if form.errors else 200
    return render_template("committees/new.html", form=form), status


def _people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name, User.id)))


def _staff(exclude: set[int] = frozenset()) -> list[User]:
    """The municipality's own people (not associations' representatives)."""
    return [p for p in _people() if ops.is_staff(p) and p.id not in exclude]


@bp.get("/<int:committee_id>")
@login_required
def show(committee_id: int, member_form=None, meeting_form=None, rules_form=None, status=200):
    committee = _committee(committee_id, "committee.view")
    registers = access.may(current_user, "committee.manage", committee)
    return render_template(
        "committees/show.html",
        committee=committee,
        registers=registers,
        successor=ops.successor(committee),
        predecessor=ops.predecessor(committee),
        next_period=ops.next_period(committee),
        member_form=member_form or MemberForm(people=_staff()),
        meeting_form=meeting_form or MeetingForm(),
        rules_form=rules_form
        or RulesForm(
            data={
                "quorum_rule": committee.quorum_rule.value,
                "without_quorum": committee.without_quorum.value,
            }
        ),
        role_labels=ROLE_LABELS,
        kind_labels=KIND_LABELS,
        status_labels=MEETING_STATE_LABELS,
        quorum_labels=QUORUM_LABELS,
        without_labels=WITHOUT_QUORUM_LABELS,
    ), status


@bp.post("/<int:committee_id>/naeste-valgperiode")
@login_required
def next_period(committee_id: int):
    """The committee set up again for the next election period, on the same fund."""
    committee = _committee(committee_id, "committee.manage")
    form = NextPeriodForm(expected=str(ops.next_period(committee)))
    if not form.validate():
        for message in form.period.errors:
            flash(message, "error")
        return show(committee_id, status=422)
    with refused_by_domain() as refusal:
        new = ops.set_up_for_next_period(committee)
    if refusal:
        return show(committee_id, status=refusal.status)
    flash(
        _(
            "%(committee)s er nedsat for valgperioden %(period)s. Registrér det nye udvalgs "
            "medlemmer.",
            committee=new.name,
            period=new.period,
        ),
        "success",
    )
    return redirect(url_for("committees.show", committee_id=new.id))


@bp.post("/<int:committee_id>/forretningsorden")
@login_required
def rules(committee_id: int):
    committee = _committee(committee_id, "committee.manage")
    form = RulesForm()
    if not form.validate():
        return show(committee_id, rules_form=form, status=422)
    ops.set_rules(
        committee, QuorumRule(form.quorum_rule.data), WithoutQuorum(form.without_quorum.data)
    )
    flash(_("Udvalgets forretningsorden er gemt."), "success")
    return redirect(url_for("committees.show", committee_id=committee.id))


@bp.post("/<int:committee_id>/medlemmer")
@login_required
def add_member(committee_id: int):
    committee = _committee(committee_id, "committee.manage")
    form = MemberForm(people=_staff())
    if not form.validate():
        return show(committee_id, member_form=form, status=422)
    user = db.session.get(User, int(form.user_id.data))
    with refused_by_domain(form, "user_id") as refusal:
        ops.add_member(
            committee, user, MemberRole(form.role.data), form.valid_from.data, form.valid_to.data
        )
    if refusal:
        return show(committee_id, member_form=form, status=refusal.status)
    flash(_("Medlemmet er registreret."), "success")
    return redirect(url_for("committees.show", committee_id=committee.id))


@bp.post("/<int:committee_id>/moeder")
@login_required
def new_meeting(committee_id: int):
    committee = _committee(committee_id, "meeting.plan")
    form = MeetingForm()
    if not form.validate():
        return show(committee_id, meeting_form=form, status=422)
    # Entered in Copenhagen's time (summer or winter time as on that day), stored in UTC.
    starts_at = dt.datetime.combine(form.date.data, form.time.data, tzinfo=clock.LOCAL)
    with refused_by_domain(form, "date") as refusal:
        meeting = ops.create_meeting(committee, starts_at, form.place.data)
    if refusal:
        return show(committee_id, meeting_form=form, status=refusal.status)
    flash(_("Mødet er oprettet."), "success")
    return redirect(url_for("committees.meeting", meeting_id=meeting.id))


# -- a meeting --------------------------------------------------------------------------------


@bp.get("/moeder/<int:meeting_id>")
@login_required
def meeting(meeting_id: int, forms: dict | None = None, status: int = 200):
    meeting = _meeting(meeting_id)
    forms = forms or {}
    conducts = access.may(current_user, "meeting.conduct", meeting)
    plans = access.may(current_user, "meeting.plan", meeting)
    publishes = access.may(current_user, "meeting.publish", meeting)
    # Offered while the meeting is not yet held; a refused move or cancellation is shown
    # with its form again, the reason beside the field (a meeting held or cancelled since).
    reschedules = access.may(current_user, "meeting.reschedule", meeting) and (
        (meeting.is_open and meeting.held_at is None) or "move" in forms or "cancel" in forms
    )
    membership = meeting.committee.membership_of(current_user)
    members = meeting.committee.voting_memberships(meeting.day)
    officials = [m for m in meeting.committee.current_memberships(meeting.day) if m not in members]
    attendance = forms.get("attendance") or AttendanceForm(
        data={"present": [str(i) for i in meeting.present_ids]}
    )
    attendance.present.choices = [(str(m.user_id), m.user.name) for m in members]
    items = []
    for item in meeting.items:
        record_form = forms.get(("record", item.id)) or RecordDecisionForm(
            decisions=ops.DECISIONS_BY_KIND[item.kind],
            data={
                "decision": item.decision.value if item.decision else None,
                "amount": item.amount,
                "reasons": item.reasons,
            },
        )
        record_form.decision.choices = [
            (d.value, DECISION_LABELS[d]) for d in ops.DECISIONS_BY_KIND[item.kind]
        ]
        withdrawn = item.withdrawn_at is not None
        quorum = ops.quorum_of(item) if meeting.held_at and not withdrawn else None
        open_item = meeting.is_held and item.issue_status != IssueStatus.ISSUED and not withdrawn
        acts = conducts and open_item and ops.records_for(item.application, current_user)
        # The committee rules on a member's declaration before it decides the item.
        waiting = ops.open_declarations(item) if open_item else []
        # An item added late with a member's objection standing is not decided (unless urgent).
        blocked = ops.objection_blocks(item) and not item.taken_off_for_objection
        items.append(
            {
                "item": item,
                "application": item.application,
                "preview": decision_preview(item.application),
                "record_form": record_form,
                "declaration_form": forms.get(("declare", item.id)) or DeclarationForm(),
                "may_record": conducts
                and not withdrawn
                and not waiting
                and not blocked
                and _may_record(item),
                "waiting": waiting,
                "waiting_names": listed([d.user.name for d in waiting]),
                "declared": any(d.user_id == current_user.id for d in item.declarations),
                "quorum": quorum,
                "may_postpone": acts
                and quorum is not None
                and not quorum.reached
                and not ops.rulings_to_make(item),
                "substitute_form": (
                    forms.get(("substitute", item.id)) or _substitute_form(item)
                    if acts
                    and quorum is not None
                    and not quorum.reached
                    and meeting.committee.without_quorum == WithoutQuorum.SUBSTITUTE
                    else None
                ),
                "objections": ops.objections_standing(item),
                "blocked": blocked,
                "objected": any(
                    o.user_id == current_user.id for o in ops.objections_standing(item)
                ),
                "may_object": item.added_late_at is not None
                and meeting.is_open
                and not withdrawn
                and item.issue_status != IssueStatus.ISSUED
                and not item.taken_off_for_objection
                and access.may(current_user, "late_item.object", item),
                "urgent_form": (
                    forms.get(("urgent", item.id)) or UrgencyForm()
                    if acts
                    and item.added_late_at is not None
                    and not item.urgent_reason
                    and ops.objections_standing(item)
                    and not item.taken_off_for_objection
                    else None
                ),
                "may_take_off": acts and blocked,
                "rules_on": {
                    d.id for d in item.declarations if access.may(current_user, "meeting.rule", d)
                },
            }
        )
    return render_template(
        "committees/meeting.html",
        meeting=meeting,
        items=items,
        members=members,
        officials=officials,
        membership=membership,
        conducts=conducts,
        plans=plans,
        publishes=publishes,
        reschedules=reschedules,
        move_form=forms.get("move")
        or MoveMeetingForm(
            data={
                "date": meeting.local_start.date(),
                "time": meeting.local_start.time().replace(tzinfo=None),
                "place": meeting.place,
            }
        ),
        cancel_form=forms.get("cancel") or CancelMeetingForm(),
        agenda_form=forms.get("agenda") or AgendaForm(cases=ops.eligible_cases(meeting)),
        attendance_form=attendance,
        departure_form=forms.get("departure") or _departure_form(meeting),
        left_at={a.user_id: a.left_at for a in meeting.attendance if a.left_at is not None},
        ruling_form=RulingForm(),
        action_form=ActionForm(),
        job=meeting.job,
        role_labels=ROLE_LABELS,
        kind_labels=AGENDA_KIND_LABELS,
        decision_labels=DECISION_LABELS,
        issue_labels=ISSUE_LABELS,
        source_labels=SOURCE_LABELS,
        interest_reason=interest_reason,
        status_labels=MEETING_STATE_LABELS,
    ), status


def _substitute_form(item: AgendaItem, formdata=None) -> SubstituteForm:
    """Who may stand in (staff, not on the committee), for whom (absent or disqualified)."""
    meeting = item.meeting
    members = meeting.committee.voting_memberships(meeting.day)
    on_committee = {m.user_id for m in meeting.committee.current_memberships(meeting.day)}
    replaced = {s.for_user_id for s in item.substitutes}
    missing = [
        m.user
        for m in members
        if m.user_id not in replaced
        and (m.user_id not in ops.present_for(item) or ops.disqualified_on(item, m.user))
    ]
    kwargs = {} if formdata is None else {"formdata": formdata}
    return SubstituteForm(
        people=_staff(exclude=on_committee | {s.user_id for s in item.substitutes}),
        members=missing,
        **kwargs,
    )


def _may_record(item: AgendaItem) -> bool:
    with engine.taking_as(CaseRole.COMMITTEE):  # the meeting records the committee's steps
        actions = {t.action for t in engine.available_transitions(item.application, current_user)}
    return any(d.value in actions for d in ops.DECISIONS_BY_KIND[item.kind])


@bp.post("/moeder/<int:meeting_id>/dagsorden")
@login_required
def add_item(meeting_id: int):
    meeting = _meeting(meeting_id, "meeting.plan")
    form = AgendaForm(cases=ops.eligible_cases(meeting))
    if not form.validate():
        return meeting_page_with(meeting_id, {"agenda": form})
    application = db.session.get(Application, int(form.application_id.data))
    done = _("Sagen er sat på dagsordenen.")
    with refused_by_domain(form, "application_id") as refusal:
        item = ops.add_to_agenda(meeting, application, form.recommendation.data, current_user)
        if item.added_late_at is not None:
            done = _(
                "Sagen er sat på dagsordenen som et punkt optaget efter udsendelsen. Udvalgets "
                "medlemmer har fået tillægget tilsendt."
            )
    return _step_done(meeting_id, refusal, done, {"agenda": form})


def meeting_page_with(meeting_id: int, forms: dict, status: int = 422):
    return meeting(meeting_id, forms=forms, status=status)


def _step_done(meeting_id: int, refusal: Refused, done: str, forms: dict | None = None):
    """How every step on a meeting ends: refused, the meeting page again with the step's form
    (403 or 422, the error beside its field or flashed); else ``done`` flashed and back."""
    if refusal:
        return meeting_page_with(meeting_id, forms or {}, status=refusal.status)
    flash(done, "success")
    return redirect(url_for("committees.meeting", meeting_id=meeting_id))


@bp.post("/moeder/<int:meeting_id>/dagsorden/udsend")
@login_required
def publish_agenda(meeting_id: int):
    """The agenda sent to the members by e-mail."""
    meeting = _meeting(meeting_id, "meeting.publish")
    done = ""
    with refused_by_domain() as refusal:
        sent = ops.publish_agenda(meeting, current_user)
        if sent:
            done = _("Dagsordenen er sendt til %(names)s.", names=listed([p.name for p in sent]))
        else:
            done = _(
                "Dagsordenen er udsendt, men ingen andre i udvalget har en e-mailadresse, den "
                "kunne sendes til."
            )
    return _step_done(meeting_id, refusal, done)


@bp.post("/moeder/<int:meeting_id>/flyt")
@login_required
def move(meeting_id: int):
    """A meeting not yet held moved to another day within the election period."""
    meeting = _meeting(meeting_id, "meeting.reschedule")
    form = MoveMeetingForm()
    if not form.validate():
        return meeting_page_with(meeting_id, {"move": form})
    starts_at = dt.datetime.combine(form.date.data, form.time.data, tzinfo=clock.LOCAL)
    with refused_by_domain(form, "date") as refusal:
        told = ops.move_meeting(meeting, starts_at, form.place.data, current_user)
    done = _("Mødet er flyttet.")
    if not refusal and told:
        done = _(
            "Mødet er flyttet, og %(names)s har fået besked.",
            names=listed([p.name for p in told]),
        )
    return _step_done(meeting_id, refusal, done, {"move": form})


@bp.post("/moeder/<int:meeting_id>/aflys")
@login_required
def cancel(meeting_id: int):
    """A meeting not yet held cancelled: its cases go back to wait for another meeting."""
    meeting = _meeting(meeting_id, "meeting.reschedule")
    form = CancelMeetingForm()
    if not form.validate():
        return meeting_page_with(meeting_id, {"cancel": form})
    with refused_by_domain(form, "reason") as refusal:
        told = ops.cancel_meeting(meeting, form.reason.data, current_user)
    done = _("Mødet er aflyst. Sagerne på dagsordenen venter på et nyt møde.")
    if not refusal and told:
        done = _(
            "Mødet er aflyst, og %(names)s har fået besked. Sagerne på dagsordenen venter på "
            "et nyt møde.",
            names=listed([p.name for p in told]),
        )
    return _step_done(meeting_id, refusal, done, {"cancel": form})


@bp.post("/moeder/<int:meeting_id>/fremmoedte")
@login_required
def attendance(meeting_id: int):
    meeting = _meeting(meeting_id, "meeting.conduct")
    form = AttendanceForm()
    members = meeting.committee.voting_memberships(meeting.day)
    form.present.choices = [(str(m.user_id), m.user.name) for m in members]
    if not form.validate():
        return meeting_page_with(meeting_id, {"attendance": form})
    with refused_by_domain(form, "present") as refusal:
        ops.set_attendance(meeting, {int(v) for v in form.present.data or []}, current_user)
    return _step_done(meeting_id, refusal, _("Fremmødet er registreret."), {"attendance": form})


@bp.post("/moeder/<int:meeting_id>/fremmoedte/forladt")
@login_required
def departure(meeting_id: int):
    """A member present leaves before the meeting ends: no part in the items after."""
    meeting = _meeting(meeting_id, "meeting.conduct")
    form = _departure_form(meeting, formdata=request.form)
    if not form.validate():
        return meeting_page_with(meeting_id, {"departure": form})
    with refused_by_domain(form, "user_id", forbidden_aborts=True) as refusal:
        ops.record_departure(meeting, db.session.get(User, int(form.user_id.data)), current_user)
    return _step_done(
        meeting_id,
        refusal,
        _("Det er registreret, at medlemmet har forladt mødet."),
        {"departure": form},
    )


def _departure_form(meeting: Meeting, formdata=None) -> DepartureForm:
    staying = [a.user for a in meeting.attendance if a.left_at is None]
    kwargs = {} if formdata is None else {"formdata": formdata}
    return DepartureForm(members=sorted(staying, key=lambda u: u.name), **kwargs)


@bp.post("/moeder/<int:meeting_id>/punkter/<int:item_id>/indsigelse")
@login_required
def object_to_item(meeting_id: int, item_id: int):
    """A member objects to an item added late being handled at the meeting; or, with
    ``withdraw``, withdraws their objection."""
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    access.require(current_user, "late_item.object", item)
    withdraw = request.form.get("withdraw") == "1"
    with refused_by_domain(forbidden_aborts=True) as refusal:
        if withdraw:
            ops.withdraw_objection(item, current_user)
        else:
            ops.object_to_late_item(item, current_user)
    done = (
        _("Din indsigelse er trukket tilbage.")
        if withdraw
        else _("Din indsigelse er registreret. Punktet afgøres ikke, mens den står ved magt.")
    )
    return _step_done(meeting_id, refusal, done)


@bp.post("/moeder/<int:meeting_id>/punkter/<int:item_id>/haster")
@login_required
def urgent(meeting_id: int, item_id: int):
    """The chair or secretary records that an item added late cannot wait."""
    meeting = _meeting(meeting_id, "meeting.conduct")
    item = _item(meeting, item_id)
    form = UrgencyForm()
    if not form.validate():
        return meeting_page_with(meeting_id, {("urgent", item.id): form})
    with refused_by_domain(form, "reason", forbidden_aborts=True) as refusal:
        ops.record_urgency(item, current_user, form.reason.data)
    return _step_done(
        meeting_id,
        refusal,
        _("Det er registreret, at sagen haster. Udvalget kan afgøre punktet."),
        {("urgent", item_id): form},
    )


@bp.post("/moeder/<int:meeting_id>/punkter/<int:item_id>/behandles-ikke")
@login_required
def not_handled(meeting_id: int, item_id: int):
    """An item added late that a member objected to is not handled at this meeting."""
    meeting = _meeting(meeting_id, "meeting.conduct")
    item = _item(meeting, item_id)
    with refused_by_domain(forbidden_aborts=True) as refusal:
        ops.take_off_for_objection(item, current_user)
    return _step_done(
        meeting_id,
        refusal,
        _(
            "Punktet behandles ikke på mødet. Når afgørelserne udsendes, går sagen tilbage og "
            "venter på et senere møde."
        ),
    )


@bp.post("/moeder/<int:meeting_id>/punkter/<int:item_id>/inhabilitet")
@login_required
def declare(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    access.require(current_user, "interest.declare", item)
    form = DeclarationForm()
    if not form.validate():
        return meeting_page_with(meeting_id, {("declare", item.id): form})
    with refused_by_domain(form, "reason", forbidden_aborts=True) as refusal:
        ops.declare_interest(item, current_user, form.reason.data)
    return _step_done(
        meeting_id,
        refusal,
        _("Din erklæring er registreret. Udvalget tager stilling til den."),
        {("declare", item_id): form},
    )


@bp.post("/moeder/<int:meeting_id>/erklaeringer/<int:declaration_id>")
@login_required
def rule(meeting_id: int, declaration_id: int):
    meeting = _meeting(meeting_id)
    declaration = db.session.get(InterestDeclaration, declaration_id)
    if declaration is None or declaration.agenda_item.meeting_id != meeting.id:
        abort(404)
    access.require(current_user, "meeting.rule", declaration)
    form = RulingForm()
    if not form.validate():
        flash(_("Vælg om medlemmet er inhabilt."), "error")
        return meeting_page_with(meeting_id, {})
    set_aside = False
    with refused_by_domain(forbidden_aborts=True) as refusal:
        set_aside = ops.rule_on(declaration, form.disqualified.data == "yes", current_user)
    if set_aside:
        flash(
            _(
                "Den registrerede beslutning i punktet er sat til side: medlemmet deltog i "
                "den. Registrér beslutningen igen."
            ),
            "warning",
        )
    return _step_done(meeting_id, refusal, _("Udvalgets afgørelse om inhabilitet er registreret."))


@bp.post("/moeder/<int:meeting_id>/punkter/<int:item_id>/beslutning")
@login_required
def record(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    access.require(current_user, "meeting.record", item)
    decisions = ops.DECISIONS_BY_KIND[item.kind]
    form = RecordDecisionForm(decisions=decisions)
    if not form.validate():
        return meeting_page_with(meeting_id, {("record", item.id): form})
    # An error without a field is about the meeting or the item, not the form's input: flashed.
    with refused_by_domain(form) as refusal:
        ops.record_decision(
            item, current_user, Decision(form.decision.data), form.amount.data, form.reasons.data
        )
    if refusal:
        forms = {("record", item_id): form} if refusal.error.field else {}
        return meeting_page_with(meeting_id, forms, status=refusal.status)
    flash(
        _("Beslutningen er registreret. Den udsendes, når mødets afgørelser bekræftes."), "success"
    )
    return redirect(url_for("committees.meeting", meeting_id=meeting_id))


@bp.post("/moeder/<int:meeting_id>/punkter/<int:item_id>/udsaet")
@login_required
def postpone_without_quorum(meeting_id: int, item_id: int):
    """An item the committee cannot decide (no quorum) is postponed, not decided."""
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    access.require(current_user, "meeting.conduct", meeting)
    with refused_by_domain() as refusal:
        ops.postpone_without_quorum(item, current_user)
    return _step_done(
        meeting_id, refusal, _("Punktet er udsat, fordi udvalget ikke var beslutningsdygtigt.")
    )


@bp.post("/moeder/<int:meeting_id>/punkter/<int:item_id>/stedfortraeder")
@login_required
def substitute(meeting_id: int, item_id: int):
    """A substitute called in for a member absent or disqualified on the item."""
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    access.require(current_user, "meeting.conduct", meeting)
    with refused_by_domain(rollback=False) as refusal:
        ops.check_substitutes_allowed(meeting.committee)
    if refusal:
        return meeting_page_with(meeting_id, {})
    form = _substitute_form(item, formdata=request.form)
    if not form.validate():
        return meeting_page_with(meeting_id, {("substitute", item.id): form})
    with refused_by_domain(show=False) as refusal:
        ops.call_substitute(
            item,
            db.session.get(User, int(form.user_id.data)),
            db.session.get(User, int(form.for_user_id.data)),
            current_user,
        )
    if refusal and refusal.status == 403:
        flash(refusal.message, "error")
        return meeting_page_with(meeting_id, {}, status=403)
    if refusal:  # the choices read again after the rollback
        item = db.session.get(AgendaItem, item_id)
        if item.issue_status == IssueStatus.ISSUED:  # no form is shown for it: said above
            flash(refusal.message, "error")
            return meeting_page_with(meeting_id, {})
        form = _substitute_form(item, formdata=request.form)
        form.validate()
        refusal.show(form, "user_id")
        return meeting_page_with(meeting_id, {("substitute", item_id): form})
    flash(_("Stedfortræderen er indkaldt."), "success")
    return redirect(url_for("committees.meeting", meeting_id=meeting_id))


@bp.post("/moeder/<int:meeting_id>/udsend")
@login_required
def issue(meeting_id: int):
    """The recorded decisions are shown first, each as it will go out (outcome, amount in
    figures and words, reasons, the letter itself), and issued together when the secretary
    confirms them once. The token carries what was shown; if anything changed since, the
    decisions are shown again and nothing is issued."""
    meeting = _meeting(meeting_id, "meeting.conduct")
    token = request.form.get("confirmation", "")
    with refused_by_domain() as refusal:
        items = ops.check_issue(meeting, current_user)
        shown = [_as_it_goes_out(item) for item in items]
        _check_the_budget_together(shown)
        facts = {"meeting": meeting.id, "by": current_user.id, "items": [e["facts"] for e in shown]}
        if not token:
            return _confirm_issue(meeting, shown, facts)
        if request.form.get("intent") == "edit":
            return redirect(url_for("committees.meeting", meeting_id=meeting_id))
        if confirmation.read("committee_issue", token) != facts:
            db.session.rollback()
            flash(
                _(
                    "Afgørelserne er ændret, siden du så dem, eller bekræftelsen passer ikke. "
                    "Intet er udsendt. Se dem igen, og bekræft."
                ),
                "error",
            )
            return _confirm_issue(meeting, shown, facts, status=409)
        ops.start_issue(meeting, current_user, [item.id for item in items])
    return _step_done(meeting_id, refusal, _("Afgørelserne udsendes nu."))


def _confirm_issue(meeting: Meeting, shown: list[dict], facts: dict, status: int = 200):
    return render_template(
        "committees/confirm_issue.html",
        meeting=meeting,
        shown=shown,
        token=confirmation.sign("committee_issue", facts),
        decision_labels=DECISION_LABELS,
    ), status


def _as_it_goes_out(item: AgendaItem) -> dict:
    """One recorded decision as it will go out, and the facts the confirmation carries. A
    grant, partial grant or refusal is checked like a decision on the case page (the same
    ``check_decision``) and its letter previewed; a rule that would refuse it is said."""
    from flask_babel import get_locale

    from grants.applications.operations import DraftDecision, check_decision, reconsidering
    from grants.applications.steps import _case_facts
    from grants.budgets.movements import planned_movement
    from grants.core.words import amount_in_words
    from grants.letters.operations import preview_decision_letter

    application = item.application
    entry = {
        "item": item,
        "application": application,
        "problem": None,
        "letter": None,
        "movement": None,
    }
    facts = {
        "item": item.id,
        "decision": item.decision.value,
        "amount": "" if item.amount is None else str(item.amount),
        "reasons": item.reasons,
        "recorded_at": item.recorded_at.isoformat() if item.recorded_at else "",
        "state": application.state,
    }
    with refused_by_domain(show=False, rollback=False) as waiting:
        ops.check_rulings_made(item)
    if waiting:
        entry["problem"] = facts["problem"] = waiting.message
    elif item.decision in (Decision.GRANT, Decision.GRANT_PART, Decision.REFUSE):
        # A preview: nothing was written, and the problem is shown on the confirmation. The
        # committee's step, checked as the meeting takes it (``ops.issue_item``).
        with (
            refused_by_domain(show=False, rollback=False) as refusal,
            engine.taking_as(CaseRole.COMMITTEE),
        ):
            decision = check_decision(
                application,
                current_user,
                item.decision.value,
                item.amount if item.decision == Decision.GRANT_PART else None,
                item.reasons,
                budget=False,  # checked with the others: _check_the_budget_together
            )
            movement = planned_movement(
                application, decision.granted, reconsidered=reconsidering(application)
            )
            letter, text_id, language = preview_decision_letter(
                DraftDecision(application, decision, current_user)
            )
        if refusal:
            entry["problem"] = facts["problem"] = refusal.message
        else:
            entry.update(
                movement=movement,
                decision=decision,
                words=amount_in_words(decision.granted, str(get_locale() or "da")),
                letter=letter,
                letter_language=language,
            )
            facts["decision_facts"] = decision.summary()
            facts["case"] = _case_facts(application, text_id)
    entry["facts"] = facts
    return entry


def _check_the_budget_together(shown: list[dict]) -> None:
    """Each decision's budget checked as the issue job will find it: after the ones it takes
    before (``grants.committees.issue_order``), per fund and budget year. One that would not
    fit is shown refused, in the words the job would use. Nothing is written."""
    from grants.budgets.balances import balance
    from grants.budgets.movements import check_fits
    from grants.committees.issue_order import rooms
    from grants.core.money import ZERO
    from grants.jobs import runner

    draws = [
        ((e["application"].fund_id, e["movement"][0]), e["movement"][1]) if e["movement"] else None
        for e in shown
    ]
    available = {key: balance(*key).available for key in {d[0] for d in draws if d}}
    parts = runner.parts_for("committee_issue", len(shown))
    for entry, draw, room in zip(shown, draws, rooms(draws, available, parts), strict=True):
        if draw is None or draw[1] <= room:
            continue
        with refused_by_domain(show=False, rollback=False) as refusal:
            check_fits(entry["application"], draw[0][1], draw[1], max(room, ZERO))
        if refusal:
            entry["problem"] = entry["facts"]["problem"] = refusal.message


@bp.get("/moeder/<int:meeting_id>/job.json")
@login_required
def job_status(meeting_id: int):
    meeting = _meeting(meeting_id)
    job = db.session.get(Job, meeting.job_id) if meeting.job_id else None
    if job is None:
        abort(404)
    access.require(current_user, "job.view", job, meeting=meeting)
    data = job.as_dict()
    data["items"] = {
        str(i.id): {"status": str(i.issue_status), "label": str(ISSUE_LABELS[i.issue_status])}
        for i in meeting.items
    }
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/moeder/<int:meeting_id>/luk")
@login_required
def close(meeting_id: int):
    meeting = _meeting(meeting_id, "meeting.conduct")
    with refused_by_domain() as refusal:
        ops.close_meeting(meeting, current_user)
    return _step_done(meeting_id, refusal, _("Mødet er lukket, og beslutningsprotokollen er gemt."))


@bp.get("/moeder/<int:meeting_id>/beslutningsprotokol.pdf")
@login_required
def minutes(meeting_id: int):
    meeting = _meeting(meeting_id, "minutes.download")
    if meeting.minutes_pdf is None:
        abort(404)
    name = f"beslutningsprotokol-{meeting.day.isoformat()}.pdf"
    response = send_file(
        io.BytesIO(meeting.minutes_pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=name,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/tidligere-moeder")
@login_required
def former_meetings():
    """The meetings a former member sat on, with their minutes (the rule ``meeting.view``:
    closed, and on the committee that day); nothing of the committees after they left."""
    return render_template(
        "committees/former_meetings.html", meetings=ops.former_meetings(current_user)
    )


# -- from the case: which meeting --------------------------------------------------------------


@bp.route("/sager/<int:application_id>/dagsorden", methods=["GET", "POST"])
@login_required
def agenda_for_case(application_id: int):
    """The step "put on the agenda" from the case page: the committee's planned meetings
    (a held one takes no more items)."""
    application = get_application(application_id)
    access.require(current_user, "meeting.plan", application)
    committee = ops.committee_of_fund(application.fund_id)
    meetings = (
        [m for m in committee.meetings if m.is_open and m.held_at is None] if committee else []
    )
    return render_template(
        "committees/agenda_for_case.html",
        application=application,
        committee=committee,
        meetings=meetings,
    )


@bp.app_context_processor
def _navigation():
    def sees_committees() -> bool:
        return access.may(current_user, "committee.list")

    return {"sees_committees": sees_committees}
