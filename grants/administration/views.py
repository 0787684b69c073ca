"""The administrator's pages: the municipality's profile, partner cities, funds (with their
route, questions and letter texts) and people's roles. Committees have their own pages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from grants.administration import operations
from grants.administration.forms import (
    GROUP_ROLE_LABELS,
    ROLE_LABELS,
    FundForm,
    GroupRoleForm,
    LetterTextForm,
    MunicipalityForm,
    PartnerCityForm,
    QuestionForm,
    UserRolesForm,
)
from grants.administration.models import GroupRole, GroupRoleMapping
from grants.audit.models import AuditEvent
from grants.core import access, clock
from grants.core.errors import DomainError
from grants.core.files import check_upload
from grants.core.forms import Form
from grants.core.input import parse_id
from grants.core.models import Municipality, current_municipality, offered_languages
from grants.core.money import ZERO
from grants.core.refusals import refused_by_domain
from grants.extensions import db, login_manager
from grants.funds.defaults import FUND_DEFAULTS, REFUND_DAYS
from grants.funds.models import CarryOver, Fund
from grants.letters import texts
from grants.letters.render import create_pdf
from grants.partners.models import PartnerCity, Relation
from grants.people.models import Role, User, UserRole
from grants.questions.forms import KIND_LABELS
from grants.questions.models import QuestionKind, current_form
from grants.workflow import rerouting
from grants.workflow.labels import route_label

bp = Blueprint("admin", __name__, url_prefix="/administration")

LOGO_TYPES = ("image/png", "image/jpeg")


@bp.before_request
def require_admin():
    """Every page here is the administrator's (the rule ``admin.manage``)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    access.require(current_user, "admin.manage")
    return None


def _form_page(
    form, title: str, action: str, back: str, intro: str = "", status: int = 200, **extra
):
    """The administrator's one form page; ``extra`` is what a page shows besides the form
    (the municipality's logo, a fund's letter outcomes)."""
    return render_template(
        "admin/form.html",
        form=form,
        title=title,
        action=action,
        back=back,
        intro=intro,
        **extra,
    ), status


# The latest changes' "settings.<object>_<verb>" in words (an action not listed stays as
# written): what the administrator reads on the front page, in their language.
CHANGE_VERBS = {"added": _l("Oprettet"), "changed": _l("Ændret"), "removed": _l("Fjernet")}
CHANGED_OBJECTS = {
    "municipality": _l("kommunens profil"),
    "fund": _l("pulje"),
    "fund_board_member": _l("medlem af en puljes bestyrelse"),
    "letter_text": _l("brevtekst"),
    "partner_city": _l("venskabs- eller partnerby"),
    "form_version": _l("version af puljens spørgsmål"),
    "form_question": _l("spørgsmål"),
    "reminder_setting": _l("påmindelser om rapport og regnskab"),
    "user": _l("person"),
    "committee": _l("udvalg"),
    "group_role_mapping": _l("gruppe og rolle"),
    "rule_set": _l("tilskudsregler"),
}


def change_label(event: AuditEvent) -> str:
    """A change of the settings in words, e.g. "Ændret: pulje 3"."""
    name = event.action.removeprefix("settings.")
    obj, _sep, verb = name.rpartition("_")
    if verb not in CHANGE_VERBS or obj not in CHANGED_OBJECTS:
        return f"{event.action} {event.object_type} {event.object_id or ''}".strip()
    return _(
        "%(verb)s: %(object)s %(id)s",
        verb=CHANGE_VERBS[verb],
        object=CHANGED_OBJECTS[obj],
        id=event.object_id or "",
    ).strip()


@bp.get("/")
def index():
    changes = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.like("settings.%"))
        .order_by(AuditEvent.id.desc())
        .limit(30)
    ).all()
    names = {u.id: u.name for u in db.session.scalars(select(User))}
    return render_template(
        "admin/index.html",
        changes=changes,
        names=names,
        change_label=change_label,
        # Cases waiting for the endorsement of someone who is no longer a manager.
        without_manager=rerouting.waiting_for_a_former_manager(),
    )


# -- the municipality ---------------------------------------------------------------------


@bp.route("/kommune", methods=["GET", "POST"])
def municipality():
    m = db.session.scalar(select(Municipality).order_by(Municipality.id).limit(1))
    if m is None:
        abort(404)
    form = MunicipalityForm(obj=m)
    if request.method == "GET":
        form.languages.data = m.languages.split()
    title = _("Kommunens profil")
    action, back = url_for("admin.municipality"), url_for("admin.index")
    if request.method == "POST":
        if form.validate():
            logo = form.logo.data
            with refused_by_domain(form) as refusal:
                checked = None
                if logo and getattr(logo, "filename", ""):
                    checked = check_upload(logo.filename, logo.read(), field="logo")
                    if checked.content_type not in LOGO_TYPES:
                        raise DomainError(_("Logoet skal være et PNG- eller JPEG-billede."), "logo")
            if not refusal:
                _assign(
                    m, {name: (form[name].data or "").strip() for name in Municipality.TEXT_FIELDS}
                )
                chosen = form.languages.data
                languages = " ".join(c for c, _label in form.languages.choices if c in chosen)
                if m.languages != languages:
                    m.languages = languages
                _assign(
                    m,
                    {
                        name: form[name].data
                        for name in ("election_first_year", "election_period_years")
                        if form[name].data is not None
                    },
                )
                if checked is not None:
                    m.logo, m.logo_content_type = checked.data, checked.content_type
                db.session.flush()
                flash(_("Kommunens profil er gemt."), "success")
                return redirect(action)
        return _form_page(form, title, action, back, status=422)
    return _form_page(
        form, title, action, back, logo_url=url_for("admin.logo") if m.logo_content_type else None
    )


def _assign(obj, values: dict) -> None:
    """Set the attributes that changed, and only those: the audit trail records exactly what
    an administrator changed, before and after."""
    for name, value in values.items():
        if getattr(obj, name, None) != value:
            setattr(obj, name, value)


@bp.get("/kommune/logo")
def logo():
    m = current_municipality()
    if m is None or not m.logo_content_type:
        abort(404)
    response = send_file(io.BytesIO(m.logo), mimetype=m.logo_content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# -- partner cities -------------------------------------------------------------------------


@bp.get("/partnerbyer")
def partners():
    cities = db.session.scalars(select(PartnerCity).order_by(PartnerCity.name)).all()
    return render_template("admin/partners.html", cities=cities)


@bp.route("/partnerbyer/ny", methods=["GET", "POST"])
@bp.route("/partnerbyer/<int:city_id>", methods=["GET", "POST"])
def partner(city_id: int | None = None):
    city = db.get_or_404(PartnerCity, city_id) if city_id is not None else None
    form = PartnerCityForm(obj=city)
    if request.method == "GET" and city is not None:
        form.relation.data = city.relation.value
    title = city.name if city else _("Ny venskabs- eller partnerby")
    action = request.path
    if request.method == "POST":
        if form.validate():
            values = {
                "name": form.name.data.strip(),
                "country": form.country.data,
                "relation": Relation(form.relation.data),
                "valid_from": form.valid_from.data,
                "valid_to": form.valid_to.data,
                "note": (form.note.data or "").strip(),
            }
            with refused_by_domain(form) as refusal:
                operations.refuse_a_second_listing(city, values)
            if not refusal:
                if city is None:
                    city = PartnerCity()
                    db.session.add(city)
                _assign(city, values)
                db.session.flush()
                flash(_("Byen er gemt."), "success")
                return redirect(url_for("admin.partners"))
        return _form_page(form, title, action, url_for("admin.partners"), status=422)
    return _form_page(form, title, action, url_for("admin.partners"))


# -- funds -----------------------------------------------------------------------------------


@bp.get("/puljer")
def funds():
    rows = db.session.scalars(select(Fund).order_by(Fund.name)).all()
    return render_template("admin/funds.html", funds=rows, route_label=route_label)


@bp.route("/puljer/ny", methods=["GET", "POST"])
@bp.route("/puljer/<int:fund_id>", methods=["GET", "POST"])
def fund(fund_id: int | None = None):
    fund = db.get_or_404(Fund, fund_id) if fund_id is not None else None
    routes = operations.offered_routes()
    if fund is not None and fund.route not in routes:
        routes = [fund.route] + routes  # an older version still in use stays selectable
    board_members = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == Role.BOARD_MEMBER, User.active)
        .order_by(User.name, User.id)
    ).all()
    if fund is not None:  # a member who has lost the role stays listed until removed
        board_members += [m.user for m in fund.board if m.user not in board_members]
    form = FundForm(obj=fund, routes=routes, board_members=board_members, editing=fund is not None)
    if request.method == "GET":
        if fund is not None:
            form.board.data = [str(m.user_id) for m in fund.board]
            form.route_id.data = str(fund.route_id)
            form.kind.data = fund.kind
            form.carry_over.data = fund.carry_over.value
        else:
            for name, value in FUND_DEFAULTS.items():
                getattr(form, name).data = value
    title = fund.name if fund else _("Ny pulje")
    action, back = request.path, url_for("admin.funds")
    if request.method == "POST":
        if form.validate():
            with refused_by_domain(form) as refusal:
                _save_fund(fund, form)
            if not refusal:
                flash(_("Puljen er gemt."), "success")
                return redirect(back)
        return _form_page(form, title, action, back, status=422)
    return _form_page(form, title, action, back, fund=fund, outcomes=texts.OUTCOMES)


def _save_fund(fund: Fund | None, form: FundForm) -> Fund:
    values = {
        "name": form.name.data.strip(),
        "description": (form.description.data or "").strip(),
        "kind": form.kind.data,
        "route_id": int(form.route_id.data),
        "delegated_limit": form.delegated_limit.data,
        "carry_over": CarryOver(form.carry_over.data),
        "account_string": form.account_string.data or "",
        "caseworker_email": (form.caseworker_email.data or "").lower(),
        "report_due_days": form.report_due_days.data,
        "remind_days_before": form.remind_days_before.data or 0,
        "refund_days": form.refund_days.data,
        "report_before_return": form.report_before_return.data,
        "digital_post": form.digital_post.data,
        "kle_number": form.kle_number.data or "",
        "handling_code": form.handling_code.data or "",
        "publish_trips": form.publish_trips.data,
        "publish_names": form.publish_names.data,
        "active": form.active.data,
    }
    if fund is None:
        if db.session.scalar(select(Fund.id).where(Fund.code == form.code.data)):
            raise DomainError(_("Der er allerede en pulje med den kode."), field="code")
        fund = Fund(code=form.code.data, yearly_budget=form.yearly_budget.data, **values)
        db.session.add(fund)
        try:
            db.session.flush()
        except IntegrityError as error:  # the same code saved by someone else a moment ago
            raise DomainError(_("Der er allerede en pulje med den kode."), field="code") from error
        operations.first_budget(fund, current_user)
        operations.kind_questions(fund, current_user)
        for outcome, body in texts.DEFAULT_TEXTS.items():
            texts.add_text(fund, outcome, body, current_user)
        operations.set_board(fund, {int(i) for i in form.board.data or ()})
        return fund
    operations.lock_for_settings(fund)
    operations.refuse_kind_change(fund, values["kind"])
    _assign(fund, values)
    operations.set_board(fund, {int(i) for i in form.board.data or ()})
    operations.change_yearly_budget(fund, form.yearly_budget.data, current_user)
    db.session.flush()
    return fund


# -- the fund's own questions -----------------------------------------------------------------


@bp.route("/puljer/<int:fund_id>/spoergsmaal", methods=["GET", "POST"])
def questions(fund_id: int):
    fund = db.get_or_404(Fund, fund_id)
    form = QuestionForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            with refused_by_domain(form) as refusal:
                operations.add_question(
                    fund,
                    {
                        "label": form.label.data.strip(),
                        "kind": QuestionKind(form.kind.data),
                        "help_text": (form.help_text.data or "").strip(),
                        "required": form.required.data,
                        "choices": form.options() if form.kind.data == QuestionKind.CHOICE else [],
                    },
                    current_user,
                )
            if not refusal:
                flash(_("Spørgsmålet er tilføjet. Det stilles i nye ansøgninger."), "success")
                return redirect(request.path)
        status = 422
    return render_template(
        "admin/questions.html",
        fund=fund,
        form=form,
        version=current_form(fund.id),
        kinds=KIND_LABELS,
    ), status


@bp.post("/puljer/<int:fund_id>/spoergsmaal/<key>/fjern")
def remove_question(fund_id: int, key: str):
    fund = db.get_or_404(Fund, fund_id)
    if not Form().validate():  # the CSRF token
        abort(400)
    with refused_by_domain(show=False) as refusal:
        operations.remove_question(fund, key, current_user)
    if refusal:
        abort(404)
    flash(_("Spørgsmålet er fjernet fra nye ansøgninger."), "success")
    return redirect(url_for("admin.questions", fund_id=fund.id))


# -- letter texts ---------------------------------------------------------------------------


@bp.route("/puljer/<int:fund_id>/breve/<outcome>", methods=["GET", "POST"])
def letter_text(fund_id: int, outcome: str):
    fund = db.get_or_404(Fund, fund_id)
    if outcome not in texts.OUTCOMES:
        abort(404)
    # Each language has its own text: a letter is in its recipient's language throughout.
    language = request.args.get("language", "da")
    if language not in texts.STANDARD_TEXTS or language not in offered_languages():
        abort(404)
    current, body = texts.text_for(fund.id, outcome, language)
    form = LetterTextForm(data={"body": body} if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.validate():
            with refused_by_domain(form) as refusal:
                texts.check(form.body.data)
                if request.form.get("intent") == "preview":
                    return _preview(fund, outcome, form.body.data, language)
                texts.add_text(fund, outcome, form.body.data, current_user, language=language)
            if not refusal:
                flash(_("Teksten er gemt som en ny version."), "success")
                # Danish, the default, at the address it has always had.
                query = {"language": language} if language != "da" else {}
                return redirect(
                    url_for("admin.letter_text", fund_id=fund.id, outcome=outcome, **query)
                )
        status = 422
    return render_template(
        "admin/letter_text.html",
        fund=fund,
        outcome=outcome,
        outcome_label=texts.OUTCOMES[outcome],
        form=form,
        current=current,
        placeholders=texts.PLACEHOLDERS,
        language=language,
        languages=[code for code in offered_languages() if code in texts.STANDARD_TEXTS],
    ), status


def sample_facts(fund: Fund, outcome: str) -> dict:
    """A made-up case for the preview: the letter as it will look, on sample data."""
    m = Municipality.current()
    today = clock.today()
    departure = today + dt.timedelta(days=60)
    granted = {"granted": 8000, "partly_granted": 5000, "refused": 0, "settlement": 8000}
    return {
        "case_number": f"{today.year}-000123",
        "outcome": outcome if outcome != "settlement" else "granted",
        "letter_date": today,
        "fund": {"id": fund.id, "name": fund.name, "publishes_trips": fund.publish_trips},
        "trip": {
            "title": _("Eksempel: studietur til Helsinki"),
            "destination_city": "Helsinki",
            "destination_country": "FI",
            "destination_country_name": "Finland",
            "departure_date": departure,
            "return_date": departure + dt.timedelta(days=4),
        },
        "amount_applied": Decimal(8000),
        "granted_amount": Decimal(granted[outcome]),
        "reasons": _("Eksempel på en begrundelse.") if outcome != "granted" else "",
        "report_due": departure + dt.timedelta(days=4 + fund.report_due_days),
        "recipient": {
            "id": 0,
            "name": "Mette Madsen",
            "department": "",
            "cvr": "",
            "address": "",
            "contact": "",
        },
        "subsidy": None,
        "caseworker": {"id": 0, "name": current_user.name, "title": current_user.title},
        "municipality": m.letter_facts(),
        # the settlement letter's figures
        "accounts": [],
        "actual_costs": Decimal(7500),
        "other_funding": ZERO,
        "rule": "costs",
        "computed_amount": None,
        "recalculation": None,
        "final_amount": Decimal(7500),
        "released": Decimal(500),
        "paid": Decimal(8000),
        "to_pay": ZERO,
        "refund": Decimal(500),
        "refund_due": today + dt.timedelta(days=fund.refund_days or REFUND_DAYS),
        "refund_days": fund.refund_days or REFUND_DAYS,
    }


def _preview(fund: Fund, outcome: str, body: str, language: str = "da"):
    """The real PDF, made from the unsaved text on sample data in the text's language;
    nothing is stored."""
    template = "letters/settlement.html" if outcome == "settlement" else "letters/decision.html"
    with force_locale(language):
        facts = sample_facts(fund, outcome)
        facts["fund_text"] = texts.render(body, texts.values_from_facts(facts))
        html = render_template(template, letter=facts, language=language)
    pdf = create_pdf(html, images=Municipality.current().letter_images())
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        download_name=f"eksempel-{fund.code}-{outcome}.pdf",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- people and roles ----------------------------------------------------------------------------


@bp.get("/brugere")
def users():
    from grants.people.authentication import login_methods

    people = db.session.scalars(
        select(User).options(selectinload(User.identities)).order_by(User.name, User.id)
    ).all()
    methods = {person.id: login_methods(person) for person in people}
    return render_template(
        "admin/users.html", people=people, role_labels=ROLE_LABELS, methods=methods
    )


@bp.route("/brugere/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    form = UserRolesForm(
        data={
            "active": person.active,
            "roles": sorted(r.value for r in person.roles),
            "manager_id": str(person.manager_id or ""),
        }
        if request.method == "GET"
        else None,
        managers=_managers_for(person),
        # Who takes over as manager is asked of a manager, or of one still named as one.
        with_successor=person.has_role(Role.MANAGER) or operations.named_as_manager(person),
    )
    title = _("Roller for %(name)s", name=person.name)
    action, back = request.path, url_for("admin.users")
    if request.method == "POST":
        if form.validate():
            with refused_by_domain(form) as refusal:
                operations.set_roles(
                    person, {Role(r) for r in form.roles.data or ()}, form.active.data, current_user
                )
                manager_id = parse_id(form.manager_id.data or "")
                manager = db.session.get(User, manager_id) if manager_id else None
                operations.set_own_manager(person, manager, current_user)
                handed_over, successor = False, None
                if "successor_id" in form:
                    successor_id = parse_id(form.successor_id.data or "")
                    successor = db.session.get(User, successor_id) if successor_id else None
                    handed_over = operations.hand_over_as_manager(person, successor, current_user)
            if not refusal:
                flash(_("Rollerne er gemt."), "success")
                if handed_over:
                    flash(
                        _(
                            "%(successor)s overtager som leder efter %(name)s: for medarbejderne "
                            "og for sagerne, der venter på lederens anbefaling.",
                            successor=successor.name,
                            name=person.name,
                        ),
                        "success",
                    )
                _say_who_still_names(person)
                return redirect(back)
        return _form_page(form, title, action, back, intro=person.email, status=422)
    return _form_page(form, title, action, back, intro=person.email)


def _say_who_still_names(person: User) -> None:
    """A person who is no longer a manager (the role removed, or locked out) endorses
    nothing (``engine.is_the_manager_now``), so the employees who still have them as their
    manager need another: the administrator is told whose pages to change."""
    if person.has_role(Role.MANAGER) and person.active:
        return
    employees = db.session.scalars(
        select(User.name).where(User.manager_id == person.id).order_by(User.name, User.id)
    ).all()
    if employees:
        flash(
            _(
                "%(name)s er ikke længere leder, men står som leder for: %(employees)s. Vælg "
                "en ny leder for dem; deres ansøgninger, der venter på lederens anbefaling, "
                "går så videre til den nye leder.",
                name=person.name,
                employees=", ".join(employees),
            ),
            "warning",
        )


def _managers_for(person: User) -> list[User]:
    """Who may be the person's manager: the active managers but the person. One who is no
    longer a manager is not offered: the form then asks for another (or none)."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.MANAGER, User.active, User.id != person.id)
            .order_by(User.name, User.id)
        )
    )


# -- the identity provider's groups and the roles they give --------------------------------------


@bp.route("/grupper", methods=["GET", "POST"])
def groups():
    """Staff logging in by OpenID Connect get their roles from their groups at the provider:
    each line here says what a group gives. A POST adds a line, or removes one (``remove``)."""
    from grants.committees.models import Committee

    funds = db.session.scalars(select(Fund).order_by(Fund.name)).all()
    committees = db.session.scalars(
        select(Committee).order_by(Committee.name, Committee.period_first)
    ).all()
    form = GroupRoleForm(funds=funds, committees=committees)
    status = 200
    if request.method == "POST" and "remove" in request.form:
        raw = request.form["remove"]
        mapping_id = parse_id(raw)
        mapping = db.session.get(GroupRoleMapping, mapping_id) if mapping_id else None
        if mapping is None:
            abort(404)
        operations.remove_group_role(mapping, current_user)
        flash(_("Linjen er fjernet. Rollerne følger ved hver persons næste login."), "success")
        return redirect(url_for("admin.groups"))
    if request.method == "POST":
        if form.validate():
            with refused_by_domain(form) as refusal:
                operations.add_group_role(
                    form.group_name.data,
                    GroupRole(form.role.data),
                    int(form.fund_id.data) if form.fund_id.data else None,
                    int(form.committee_id.data) if form.committee_id.data else None,
                    current_user,
                )
            if not refusal:
                flash(_("Linjen er gemt. Rollerne følger ved hver persons næste login."), "success")
                return redirect(url_for("admin.groups"))
        status = 422
    mappings = db.session.scalars(
        select(GroupRoleMapping).order_by(GroupRoleMapping.group_name, GroupRoleMapping.id)
    ).all()
    return render_template(
        "admin/groups.html", form=form, mappings=mappings, labels=GROUP_ROLE_LABELS
    ), status
