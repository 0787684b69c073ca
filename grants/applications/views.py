from __future__ import annotations

import functools
import io
from typing import NamedTuple

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from grants.applications import case_lists, changes, documents, operations
from grants.applications.forms import (
    BUDGET_CATEGORIES,
    ApplicationForm,
    ComplaintForm,
    ComplaintOutcomeForm,
    DecisionForm,
    ReconsiderationForm,
    YouthApplicationForm,
)
from grants.applications.permissions import (
    JOURNAL_NEED_TO_KNOW,
    funds_opened_to,
    sees_internal_journal,
)
from grants.budgets.preview import decision_preview
from grants.cases.models import Application, Attachment
from grants.cases.states import (
    State,
    departure_passed,
    departure_passed_unanswered,
    draft_departure_passed,
)
from grants.core import access, clock
from grants.core.commit import keep_writes
from grants.core.errors import DomainError
from grants.core.files import (
    MAX_BYTES_PER_FIELD,
    MAX_FILES_PER_FIELD,
    PREVIEW_POLICY,
    check_upload,
    check_uploads,
    content_disposition,
    megabytes,
    preview_type,
    served_type,
)
from grants.core.formatting import date_time
from grants.core.forms import Form
from grants.core.pagination import listing, page_links, paginate
from grants.core.refusals import refused_by_domain
from grants.core.security import serves_a_file
from grants.drafts import operations as draft_operations
from grants.drafts import views as drafts
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund
from grants.letters.kinds import LETTER_KINDS
from grants.organisations.operations import acting_for
from grants.partners.models import PartnerCity
from grants.people import assurance
from grants.people.models import Role, User, UserRole
from grants.questions.forms import questions_form, shown_answers
from grants.questions.models import current_form
from grants.subsidies.figures import age_limit_for, age_limit_of, young_count_label
from grants.workflow import actions, engine
from grants.workflow.forms import StepForm
from grants.workflow.labels import action_label, names_who_took_it, state_label
from grants.workflow.models import CaseRole, JournalEntry, Route

bp = Blueprint("applications", __name__)
# A journal entry's facts (a resubmission's changes, a document received), worded for the
# reader: the case page's journal shows them.
bp.add_app_template_global(changes.describe_details, "journal_details")
bp.add_app_template_global(documents.documents_of, "documents_of")
bp.add_app_template_global(documents.previewable, "previewable")
bp.add_app_template_global(documents.kept, "kept_documents")
bp.add_app_template_global(case_lists.case_rows, "case_rows")
bp.add_app_template_global(case_lists.own_rows, "own_rows")
bp.add_app_template_global(case_lists.options, "filter_options")
bp.add_app_template_global(page_links, "page_links")


@bp.app_template_global()
def may_withdraw(item: Attachment) -> bool:
    """Whether the person reading may take the document back (macros/documents.html)."""
    return access.may(current_user, "attachment.withdraw", item)


@bp.app_template_global()
def tag_departure_passed(application: Application) -> bool:
    """Whether a list of the applicant side's cases tags the case "Afrejse passeret": its
    departure passed while it was undecided, or before the draft was sent."""
    return departure_passed_unanswered(application.state, application.departure_date, clock.today())


@bp.app_template_global()
def case_address_prefix() -> str:
    """The case page's address less its number ("/ansoegninger/0" less the 0): a table of
    cases asks once and adds each row's id, instead of a url_for on every row."""
    return url_for("applications.show", application_id=0)[:-1]


bp.add_app_template_global(MAX_FILES_PER_FIELD, "max_files_per_field")
bp.add_app_template_global(megabytes(MAX_BYTES_PER_FIELD), "max_mb_per_field")

# Who applies to a fund follows from its kind (``Kind.applicant``): employees for their own
# trips, people who act for an organisation for the youth subsidies, the secretariat for the
# administration's and politicians' delegations. A committee's funds are opened by
# grants.committees (``opens_funds``).
APPLICANT_ROLES = {
    kinds.Applicant.EMPLOYEE: (Role.EMPLOYEE,),
    kinds.Applicant.ADMINISTRATION: (Role.CASEWORKER,),
}


def get_application(application_id: int, options=()) -> Application:
    kept = options is CASE_PAGE_OPTIONS and (
        db.session.identity_key(Application, application_id) not in db.session.identity_map
    )
    if kept:
        # The case page's statement is kept: built with its options and its cache key
        # worked out once, not on every request (a third of the loading's CPU).
        application = (
            db.session.scalars(_case_page_statement(), {"application_id": application_id})
            .unique()
            .one_or_none()
        )
    else:
        application = db.session.get(Application, application_id, options=list(options))
    if application is None:
        abort(404)
    access.require(current_user, "case.view", application)
    if kept:
        _load_kept_collections(application)
    return application


def managers_for(user) -> list[User]:
    """The manager who endorses: the employee's own, where one is registered and still a
    manager; otherwise the employee picks among the managers (never themselves). A form
    opened before the manager changed names one no longer offered, and is refused next to
    the field."""
    own = user.manager
    if own is not None and own.active and own.id != user.id and own.has_role(Role.MANAGER):
        return [own]
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.MANAGER, User.active, User.id != user.id)
            .order_by(User.name, User.id)
        )
    )


def route_needs_manager(route) -> bool:
    return any(t.role == CaseRole.MANAGER for t in route.transitions)


def make_form(fund: Fund, application: Application | None = None, bind: bool = True):
    """The form for the fund's kind of application, filled from the case on GET.
    ``bind=False``: not filled from the request (its fields' names are what is wanted)."""
    formdata = {} if bind else {"formdata": None}
    if fund.spec.form == "subsidy":
        form = YouthApplicationForm(
            **formdata,
            obj=application,
            organisations=acting_for(current_user),
            cities=partner_cities(),
            hosting=fund.spec.rule_set_kind == "hosting",
        )
        # The count is of those under the rules' age limit (the case's rules, or today's).
        age = age_limit_for(application) if application else age_limit_of(fund)
        form.participants_young.label.text = young_count_label(age)
    else:
        form = ApplicationForm(
            **formdata,
            obj=application,
            managers=managers_for(current_user),
            needs_manager=route_needs_manager(application.route if application else fund.route),
        )
    form.needs_reply = application is not None and application.state == State.AWAITING_INFORMATION
    if application is not None and application.state != State.DRAFT:
        form.kept_departure = application.departure_date
    if request.method == "GET":
        if application is not None:
            form.reply.data = application.reply_draft
            for name in ("manager_id", "organisation_id", "partner_city_id"):
                value = getattr(application, name, None)
                if name in form and value:
                    form[name].data = str(value)
            if "birth_years" in form:
                form.birth_years.data = ", ".join(map(str, application.birth_years or []))
            for category, amount_field, note_field in form.budget_fields():
                line = application.line(category)
                amount_field.data = line.amount if line else None
                note_field.data = line.description if line else ""
        elif "manager_id" in form and current_user.manager_id:
            form.manager_id.data = str(current_user.manager_id)
        elif "organisation_id" in form and len(form.organisation_id.choices) == 2:
            form.organisation_id.data = form.organisation_id.choices[1][0]
    return form


def partner_cities() -> list[PartnerCity]:
    return list(db.session.scalars(select(PartnerCity).order_by(PartnerCity.name)))


def template_for(fund: Fund) -> str:
    if fund.spec.form == "subsidy":
        return "applications/youth_form.html"
    return "applications/form.html"


def funds_open_to(user) -> list[Fund]:
    applicants = [
        applicant for applicant, roles in APPLICANT_ROLES.items() if user.has_role(*roles)
    ]
    if acting_for(user):
        applicants.append(kinds.Applicant.ORGANISATION)
    codes = [code for applicant in applicants for code in kinds.codes(applicant=applicant)]
    # Funds opened by the packages above (a committee's own trips to its members).
    own = funds_opened_to(user)
    if not codes and not own:
        return []
    return list(
        db.session.scalars(
            select(Fund)
            .where(Fund.active, or_(Fund.kind.in_(codes), Fund.id.in_(own)))
            .order_by(Fund.id)
        )
    )


# A person's own applications, newest first: the columns the list shows, as plain rows (no
# case or fund is made an object for it: the ORM's loading, and the person's roles read again
# for each case they applied for, were a third of the page's time); and their ids, counted.
# The person is a parameter, so the statements are made once, not on every request.
_MINE = Application.applicant_id == bindparam("applicant_id")
MY_APPLICATIONS = (
    select(
        Application.id,
        Application.case_number,
        Application.title,
        Application.departure_date,
        Application.amount_applied,
        Application.state,
        Fund.name.label("fund_name"),
    )
    .join(Fund, Fund.id == Application.fund_id)
    .where(_MINE)
    .order_by(Application.updated_at.desc(), Application.id.desc())
)


@functools.cache
def my_application_pages():
    """My applications' statements, with the columns the packages above add to the lists
    (``case_lists.LIST_COLUMNS``: the deadline of the applicant side's answer to an open
    request for information, which the row shows under the state): made once, when the app
    has registered them."""
    return listing(
        MY_APPLICATIONS.add_columns(*case_lists.list_columns()),
        select(Application.id).where(_MINE),
        total_with_rows=True,
    )


@bp.get("/ansoegninger/mine")
@login_required
def mine():
    page = paginate(
        my_application_pages(),
        parameters={"applicant_id": current_user.id},
        per_page=current_app.config["MY_APPLICATIONS_PAGE_SIZE"],
        scalars=False,
    )
    return render_template("applications/mine.html", page=page)


@bp.get("/ansoegninger/ny")
@login_required
def choose_fund():
    funds = funds_open_to(current_user)
    if len(funds) == 1:
        return redirect(url_for("applications.new", fund_code=funds[0].code))
    return render_template(
        "applications/choose_fund.html",
        funds=funds,
        has_organisation=bool(acting_for(current_user)),
    )


@bp.route("/ansoegninger/ny/<fund_code>", methods=["GET", "POST"])
@login_required
def new(fund_code: str):
    fund = db.session.scalar(select(Fund).where(Fund.code == fund_code, Fund.active))
    if fund is None or fund not in funds_open_to(current_user):
        abort(404)
    return handle_form(fund, None)


@bp.route("/ansoegninger/<int:application_id>/rediger", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    application = get_application(application_id)
    access.require(current_user, "case.edit", application)
    return handle_form(application.fund, application)


def draft_key(fund: Fund, application: Application | None) -> str:
    """Which form a person's draft is of: a new application to the fund, or the case."""
    if application is None:
        return f"application-new:{fund.id}"
    return f"application:{application.id}"


def draft_fields(fund: Fund, application: Application | None) -> set[str]:
    """The fields a draft of the form may hold: the form's and the fund's questions'."""
    version = application.form_version if application is not None else current_form(fund.id)
    extra = questions_form(version, None)
    return draft_operations.draft_fields(make_form(fund, application, bind=False), extra)


def handle_draft(fund: Fund, application: Application | None, back: str):
    """Save the draft (JSON, from the page's script) or discard it (the notice's button)."""
    if fund.computes_subsidy and assurance.current_level() < assurance.Level.SUBSTANTIAL:
        return assurance.refusal(assurance.Level.SUBSTANTIAL)
    key = draft_key(fund, application)
    return drafts.handle(current_user.id, key, lambda: draft_fields(fund, application), back)


@bp.post("/ansoegninger/ny/<fund_code>/kladde")
@login_required
def new_draft(fund_code: str):
    """The draft of a new application, saved as the person types (or discarded)."""
    fund = db.session.scalar(select(Fund).where(Fund.code == fund_code, Fund.active))
    if fund is None or fund not in funds_open_to(current_user):
        abort(404)
    return handle_draft(fund, None, url_for("applications.new", fund_code=fund.code))


@bp.post("/ansoegninger/<int:application_id>/rediger/kladde")
@login_required
def edit_draft(application_id: int):
    """The draft of changes to an application, saved as the person types (or discarded)."""
    application = get_application(application_id)
    access.require(current_user, "case.edit", application)
    return handle_draft(
        application.fund,
        application,
        url_for("applications.edit", application_id=application.id),
    )


def in_reader_language(extra):
    """A fund's own questions with the kinds' own words (an official trip's "Hvem rejser?"
    and its choices) in the reader's language; the values sent stay the fund's."""
    if extra is None:
        return None
    for field in extra:
        field.label.text = kinds.in_reader_language(str(field.label.text))
        if field.description:
            field.description = kinds.in_reader_language(str(field.description))
        if getattr(field, "choices", None):
            field.choices = [
                (value, kinds.in_reader_language(str(label)) if value else label)
                for value, label in field.choices
            ]
    return extra


def handle_form(fund: Fund, application: Application | None):
    """Save a draft, preview the subsidy, or submit: one flow for every kind of application."""
    if fund.computes_subsidy and assurance.current_level() < assurance.Level.SUBSTANTIAL:
        # Applying on behalf of an association: MitID (Erhverv) at Substantial at least.
        return assurance.refusal(assurance.Level.SUBSTANTIAL)
    existing = application
    form = make_form(fund, application)
    # The fund's own questions, in the version the case was started with (new: the current).
    version = application.form_version if application is not None else current_form(fund.id)
    extra = in_reader_language(
        questions_form(
            version,
            application.answers if application is not None else None,
            fill=request.method == "GET",
        )
    )
    preview = None
    key = draft_key(fund, application)
    # What the person typed and did not save or send (grants.drafts), back in the form.
    draft = drafts.restore(current_user.id, key, form, extra) if request.method == "GET" else None
    # The case as it stood before this request, for a resubmission's changes where the last
    # submission kept no snapshot of its own (submitted before snapshots were kept).
    before = (
        changes.snapshot(application) if form.needs_reply and request.method == "POST" else None
    )

    draft_kept = None
    # Refused (a field's error, or a rule of the domain): no subsidy is worked out from what
    # was refused; the calculation says it cannot be until the marked fields are corrected.
    refused = False

    def page(status: int = 200):
        return render_template(
            template_for(fund),
            form=form,
            extra=extra,
            fund=fund,
            application=application,
            categories=BUDGET_CATEGORIES,
            preview=None if refused else preview,
            calculation_refused=refused and fund.computes_subsidy,
            draft=draft,
            draft_kept=draft_kept,
            draft_url=url_for("applications.edit_draft", application_id=application.id)
            if application is not None
            else url_for("applications.new_draft", fund_code=fund.code),
        ), status

    if request.method == "POST" and application is None:
        # The same form sent again (a double click, a reload): its case, not a second one.
        made = _case_of_form(form)
        if made is not None:
            return redirect(url_for("applications.show", application_id=made.id))
    if request.method == "POST":
        intent = request.form.get("intent", "save")
        if intent == "preview" and not fund.computes_subsidy:
            # The form offers no preview (a study trip): a crafted one saves nothing.
            abort(400)
        submitting = intent == "submit"
        valid = form.validate_for_submission() if submitting else form.validate_draft()
        if extra is not None:
            answered = {
                key
                for key, value in ((application.answers or {}) if application else {}).items()
                if isinstance(value, dict)
            }
            extra_ok = extra.validate_for_submission(answered) if submitting else extra.validate()
            valid = valid and extra_ok
        if valid and intent == "preview" and fund.computes_subsidy:
            preview = operations.preview_subsidy(fund, form)
            return page()
        if valid:
            with refused_by_domain(form, extra=extra) as refusal:
                if application is None:
                    application = operations.create_draft(current_user, fund, form)
                    application.form_key = _form_key(form)
                    try:
                        db.session.flush()
                    except IntegrityError as error:  # the same form, sent at the same moment
                        raise DomainError(
                            _(
                                "Ansøgningen er allerede oprettet. "
                                "Du finder den under Mine ansøgninger."
                            )
                        ) from error
                else:
                    operations.fill_in(application, form, current_user)
                _attach_upload(application, form)
                if extra is not None:
                    _save_answers(application, extra)
                if form.needs_reply:
                    application.reply_draft = (form.reply.data or "").strip()
                if submitting:
                    operations.submit(application, current_user, before=before)
            if not refusal:
                drafts.forget(current_user.id, key)
                _flash_saved(submitting)
                return redirect(url_for("applications.show", application_id=application.id))
            # A new application refused is still new: the case made for it was rolled back,
            # and the page must not offer to edit a case that does not exist.
            application = existing
        refused = True
        # Refused: what was typed stays in the page and is kept as the person's draft; a
        # chosen file cannot be, and the page says so beside its field.
        draft_kept = drafts.keep_refused(current_user.id, key, form, extra)
        drafts.file_fields_to_choose_again(form, extra)
        return page(422)
    if application is not None and fund.computes_subsidy and application.calculation:
        preview = application.calculation
    if application is not None and application.state == State.DRAFT:
        # A draft whose departure has passed cannot be sent as it is: said beside the date
        # before it is tried (a date restored from the person's draft is the one checked).
        for name in ("departure_date", "return_date"):
            form[name].errors = list(form[name].errors)
        form.check_dates()
    return page()


def _form_key(form) -> str | None:
    key = (form.form_key.data or "").strip()
    return key if len(key) == 32 and all(c in "0123456789abcdef" for c in key) else None


def _case_of_form(form) -> Application | None:
    """The case this person already made from this very form, if any."""
    key = _form_key(form)
    if key is None:
        return None
    return db.session.scalar(
        select(Application).where(
            Application.form_key == key, Application.applicant_id == current_user.id
        )
    )


def _attach_upload(application: Application, form: ApplicationForm) -> None:
    upload = form.programme_file.data
    if upload and getattr(upload, "filename", ""):
        checked = check_upload(upload.filename, upload.read(), field="programme_file")
        operations.attach(application, checked, current_user)
    # Other attachments: several at once, each a document of its own (all refused if one is).
    for checked in check_uploads(
        [
            (upload.filename, upload.read())
            for upload in form.appendices.data or []
            if upload and getattr(upload, "filename", "")
        ],
        field="appendices",
    ):
        operations.attach(
            application, checked, current_user, purpose=documents.APPENDIX, field="appendices"
        )


def _save_answers(application: Application, extra) -> None:
    """The answers to the fund's questions; files are attached, checked by their content."""
    answers = dict(application.answers or {})
    answers.update(extra.answers())
    for question in extra.file_fields():
        upload = extra[question.key].data
        if upload and getattr(upload, "filename", ""):
            checked = check_upload(upload.filename, upload.read(), field=f"q-{question.key}")
            item = operations.attach(
                application,
                checked,
                current_user,
                purpose=f"q:{question.key}"[:40],
                field=f"q-{question.key}",
            )
            db.session.flush()
            answers[question.key] = {"attachment_id": item.id, "filename": item.filename}
    application.answers = answers


def _flash_saved(submitting: bool) -> None:
    if submitting:
        flash(_("Din ansøgning er sendt. Du får en kvittering på e-mail."), "success")
    else:
        flash(_("Kladden er gemt. Du kan fortsætte senere under “Mine ansøgninger”."), "success")


CASE_PAGE_OPTIONS = (
    joinedload(Application.applicant).lazyload(User.role_grants),
    joinedload(Application.manager).lazyload(User.role_grants),
    # The route's steps are not loaded with it: the page's buttons come from the steps kept
    # across requests (engine.available_steps); a rule that reads them loads them then.
    joinedload(Application.route).lazyload(Route.transitions),
    joinedload(Application.fund).joinedload(Fund.board),
    joinedload(Application.budget_lines),
    # A case has a few letters (none until decided): joined, one query fewer; and a case
    # without letters has no deliveries to read either (grants.delivery.views).
    joinedload(Application.letters),
)


class JournalRow(NamedTuple):
    """One line of "Sagens forløb" as the case page shows it, its texts made."""

    created: str
    who: str | None  # None: the system
    action: str
    from_label: str | None  # shown only when the state changed
    to_label: str
    facts: list[str]
    comment: str | None  # None: none, or withheld from this reader


# What the case page reads of its journal: plain rows with the actor's name joined, not
# entries made objects with their actors loaded one by one (a query for each person not
# already loaded in the request).
@functools.cache
def _journal_statement():
    return (
        select(
            JournalEntry.created_at,
            JournalEntry.actor_id,
            User.name.label("actor_name"),
            JournalEntry.action,
            JournalEntry.from_state,
            JournalEntry.to_state,
            JournalEntry.comment,
            JournalEntry.visible_to_applicant,
            JournalEntry.details,
        )
        .outerjoin(User, User.id == JournalEntry.actor_id)
        .where(JournalEntry.application_id == bindparam("application_id"))
        .order_by(JournalEntry.id)
    )


def journal_entries(application: Application) -> list:
    """The case's journal, oldest first, as plain rows (the fields of ``JournalEntry`` the
    case page shows, and ``actor_name``)."""
    return db.session.execute(_journal_statement(), {"application_id": application.id}).all()


def journal_rows(
    entries: list,
    internal: bool,
    withheld_documents: tuple[str, ...],
    withheld_comments: set[str],
    route_id: int | None = None,
) -> list[JournalRow]:
    """The journal entries this reader sees, oldest first, with their texts made here: in
    the template each was a call into Python (five an entry) that cost more than the work.
    The applicant reads a step that names who took it by the role the case's route
    (``route_id``) gave it: the board's request for information says the board asked."""
    for_applicant = not internal
    rows = []
    for entry in entries:
        if not (internal or entry.visible_to_applicant):
            continue
        changed = entry.from_state and entry.from_state != entry.to_state
        role = (
            engine.taken_as(route_id, entry.from_state, entry.action)
            if for_applicant and route_id is not None and names_who_took_it(entry.action)
            else None
        )
        rows.append(
            JournalRow(
                created=date_time(entry.created_at),
                who=entry.actor_name if entry.actor_id is not None else None,
                action=action_label(entry.action, for_applicant=for_applicant, role=role),
                from_label=state_label(entry.from_state, for_applicant=for_applicant)
                if changed
                else None,
                to_label=state_label(entry.to_state, for_applicant=for_applicant),
                facts=changes.describe_details(entry.details, withheld_documents),
                comment=entry.comment
                if entry.comment and entry.action not in withheld_comments
                else None,
            )
        )
    return rows


@functools.cache
def _attachments_statement():
    return (
        select(Attachment)
        .where(Attachment.application_id == bindparam("application_id"))
        .order_by(Attachment.id)
    )


def _load_kept_collections(application: Application) -> None:
    """The case's documents, in the relationship's order, as the collection the case page
    reads: the statement its lazy load makes, but kept (building it and working out its
    cache key cost more than the rows)."""
    if "attachments" not in application.__dict__:
        set_committed_value(
            application,
            "attachments",
            list(db.session.scalars(_attachments_statement(), {"application_id": application.id})),
        )


@functools.cache
def _case_page_statement():
    return (
        select(Application)
        .options(*CASE_PAGE_OPTIONS)
        .where(Application.id == bindparam("application_id"))
    )


@bp.get("/ansoegninger/<int:application_id>")
@login_required
def show(application_id: int):
    # What the case page shows, loaded with the case: one query instead of one per relation.
    # Roles of the applicant and manager are loaded only if something asks for them.
    application = get_application(application_id, CASE_PAGE_OPTIONS)
    return render_case(application)


def render_case(
    application: Application,
    step_form: StepForm | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
):
    # The person reading, once: each read through Flask-Login's proxy looks the user up again.
    user = current_user._get_current_object()
    # The buttons, as the route and its actions say (grants.workflow.actions).
    steps, decisions = actions.case_steps(application, engine.available_steps(application, user))
    allowed = {t.action for t in decisions}

    def fresh_decision_form() -> DecisionForm:
        form = DecisionForm()
        form.action.choices = [c for c in form.action.choices if c[0] in allowed]
        return form

    # A fresh decision form on a page asked for: its fields are kept as rendered, by what
    # they show (show.html's decision_fields: the choices, the dispensation asked or not),
    # and the form is made only when they are drawn; the page has a bare form's CSRF token.
    decision_kept: tuple | None = None
    if not decisions:
        # Nothing to decide now (the case decided meanwhile): no form with no choices.
        decision_form = None
    elif decision_form is None:
        if request.method in ("GET", "HEAD"):
            decision_form = Form()
            decision_kept = (tuple(sorted(allowed)), bool(application.calculation))
        else:
            decision_form = fresh_decision_form()
    else:
        decision_form.action.choices = [c for c in decision_form.action.choices if c[0] in allowed]
    internal = sees_internal_journal(user, application)
    entries = journal_entries(application)
    # Need-to-know: the journal names a message's file only to those who read the thread.
    withheld_documents = (
        () if access.may(user, "case.read_messages", application) else (documents.MESSAGE_FILE,)
    )
    withheld_comments = {
        action
        for action, rule in JOURNAL_NEED_TO_KNOW.items()
        if not access.may(user, rule, application)
    }
    preview = decision_preview(application) if decisions else None
    # A form sent back with errors (a step's, the decision's, the thread's): the layout's
    # title then begins "Fejl:", as on every page with a form, so a reader hears it first.
    sent_back = next(
        (
            form
            for form in (step_form, decision_form, g.get("message_form"), g.get("note_form"))
            if form is not None and form.errors
        ),
        None,
    )
    return render_template(
        "applications/show.html",
        form=sent_back,
        application=application,
        steps=steps,
        # Made only when a step is taken with a comment: a form costs its fields and its
        # CSRF token even when the page does not show it.
        step_form=step_form
        or (StepForm() if any(step.action.form is not None for step in steps) else None),
        decision_form=decision_form,
        decision_kept=decision_kept,
        fresh_decision_form=fresh_decision_form,
        preview=preview,
        journal=journal_rows(
            entries, internal, withheld_documents, withheld_comments, application.route_id
        ),
        internal=internal,
        is_applicant=application.applicant_id == user.id,
        # Undecided when the trip began: said on the page, to the applicant side and to staff.
        departure_passed=departure_passed(
            application.state, application.departure_date, clock.today()
        ),
        # A draft not sent before its departure: it cannot be sent with that date.
        draft_departure_passed=draft_departure_passed(
            application.state, application.departure_date, clock.today()
        ),
        can_edit=access.may(user, "case.edit", application),
        categories=dict(BUDGET_CATEGORIES),
        letter_kinds=LETTER_KINDS,
        purged_at=next(
            (e.created_at for e in entries if e.action == "personal_data_purged"),
            None,
        ),
        answers=[
            {**row, "label": kinds.in_reader_language(row["label"])}
            | (
                {"text": kinds.in_reader_language(row["text"])}
                if isinstance(row["text"], str)
                else {}
            )
            for row in shown_answers(application)
        ],
        documents=[
            document
            for document in documents.documents_of(application)
            if access.may(user, "attachment.download", document.current)
        ],
        answer=changes.latest_answer(application, entries),
    ), status


@bp.get("/ansoegninger/<int:application_id>/sagsmappe.zip")
@login_required
@serves_a_file
def case_file(application_id: int):
    """The whole file of the case as one archive (aktindsigt), for the secretariat."""

    from grants.applications import case_file as archive

    application = get_application(application_id)
    access.require(current_user, "case.export_file", application)
    data = archive.build(application)
    engine.record(
        application,
        "case_file_exported",
        current_user,
        from_state=application.state,
        visible_to_applicant=True,
    )
    keep_writes()  # the export itself is written in the journal
    name = f"sagsakter-{application.case_number or application.id}.zip"
    response = send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _attachment_for(application_id: int, attachment_id: int) -> Attachment:
    """The case's document, if this person may see the case; 404 for an id of another case."""
    application = get_application(application_id)
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.application_id != application.id:
        abort(404)
    access.require(current_user, "attachment.download", item)
    return item


def _serve(item: Attachment, mimetype: str, *, inline: bool, policy: str):
    response = send_file(io.BytesIO(item.data), mimetype=mimetype)
    # The name as RFC 6266 has it: in full as filename* (UTF-8), an ASCII filename beside it.
    response.headers["Content-Disposition"] = content_disposition(item.filename, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = policy
    return response


@bp.get("/ansoegninger/<int:application_id>/bilag/<int:attachment_id>")
@login_required
@serves_a_file
def attachment(application_id: int, attachment_id: int):
    item = _attachment_for(application_id, attachment_id)
    return _serve(
        item, served_type(item.content_type), inline=False, policy="default-src 'none'; sandbox"
    )


@bp.get("/ansoegninger/<int:application_id>/bilag/<int:attachment_id>/vis")
@login_required
@serves_a_file
def preview_attachment(application_id: int, attachment_id: int):
    """The document shown in the browser (a PDF or a picture whose bytes are still what it
    was accepted as), sandboxed; anything else is the download, never shown inline."""
    item = _attachment_for(application_id, attachment_id)
    shown = preview_type(item.content_type, item.data)
    if shown is None:
        return _serve(
            item, served_type(item.content_type), inline=False, policy="default-src 'none'; sandbox"
        )
    return _serve(item, shown, inline=True, policy=PREVIEW_POLICY)


@bp.post("/ansoegninger/<int:application_id>/bilag/<int:attachment_id>/fjern")
@login_required
def withdraw_attachment(application_id: int, attachment_id: int):
    """Take back a document one added and has not sent yet (a receipt of a report not yet
    submitted, an attachment of a draft): it stays in the case file, marked withdrawn."""
    item = _attachment_for(application_id, attachment_id)
    access.require(current_user, "attachment.withdraw", item)
    form = Form()
    if not form.validate():
        abort(400)
    documents.withdraw(item.application, item, current_user)
    flash(
        _(
            "%(name)s er fjernet. Den bliver i sagens akter som trukket tilbage.",
            name=item.filename,
        ),
        "success",
    )
    if item.purpose == documents.RECEIPT:
        return redirect(url_for("reports.edit", application_id=application_id))
    return redirect(url_for("applications.edit", application_id=application_id))


@bp.route("/ansoegninger/<int:application_id>/genoptagelse", methods=["GET", "POST"])
@login_required
def reconsideration(application_id: int):
    """The applicant's request for a decided case to be reconsidered, with reasons and
    documents (each checked by its content, as every upload)."""
    application = get_application(application_id)
    action = "request_reconsideration"
    with refused_by_domain(forbidden_aborts=True):
        engine.find_transition(application, action, current_user)
    form = ReconsiderationForm()
    if request.method == "POST" and form.validate():
        with refused_by_domain(form, "reasons") as refusal:
            files = check_uploads(
                [
                    (upload.filename, upload.read())
                    for upload in form.documents.data or []
                    if upload and getattr(upload, "filename", "")
                ],
                field="documents",
            )
            operations.request_reconsideration(
                application, current_user, action, form.reasons.data or "", files
            )
        if not refusal:
            flash(_("Din anmodning om genoptagelse er sendt."), "success")
            return redirect(url_for("applications.show", application_id=application.id))
        return render_template(
            "applications/reconsideration.html", application=application, form=form
        ), refusal.status
    status = 422 if request.method == "POST" else 200
    return render_template(
        "applications/reconsideration.html", application=application, form=form
    ), status


def _complaints_page(application: Application, form=None, outcome_forms=None, status=200):
    from grants.applications.complaints import named_body, outcome_choices
    from grants.workflow.journal_texts import COMPLAINT_OUTCOMES

    form = form or ComplaintForm(data={"body": named_body()})
    forms = outcome_forms or {}
    for complaint in application.complaints:
        if complaint.outcome is None and complaint.id not in forms:
            forms[complaint.id] = ComplaintOutcomeForm(
                prefix=f"c{complaint.id}", choices=outcome_choices()
            )
    return render_template(
        "applications/complaints.html",
        application=application,
        form=form,
        outcome_forms=forms,
        outcome_labels=COMPLAINT_OUTCOMES,
    ), status


@bp.route("/ansoegninger/<int:application_id>/klager", methods=["GET", "POST"])
@login_required
def complaints(application_id: int):
    """The complaints about the case's decision: forwarded to the complaints body, and each
    one's outcome (the secretariat's)."""
    from grants.applications import complaints as complaint_operations

    application = get_application(application_id)
    access.require(current_user, "case.record_complaint", application)
    if request.method == "GET":
        return _complaints_page(application)
    form = ComplaintForm()
    if not form.validate():
        return _complaints_page(application, form, status=422)
    with refused_by_domain(form, "body") as refusal:
        complaint_operations.forward(
            application, current_user, form.body.data, form.forwarded_on.data, form.note.data
        )
    if refusal:
        return _complaints_page(application, form, status=refusal.status)
    flash(_("Klagen er registreret som sendt videre."), "success")
    return redirect(url_for("applications.complaints", application_id=application.id))


@bp.post("/ansoegninger/<int:application_id>/klager/<int:complaint_id>/udfald")
@login_required
def complaint_outcome(application_id: int, complaint_id: int):
    """The complaints body's outcome of one complaint, recorded once."""
    from grants.applications import complaints as complaint_operations
    from grants.cases.models import Complaint

    application = get_application(application_id)
    access.require(current_user, "case.record_complaint", application)
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or complaint.application_id != application.id:
        abort(404)
    form = ComplaintOutcomeForm(
        prefix=f"c{complaint.id}", choices=complaint_operations.outcome_choices()
    )
    forms = {complaint.id: form}
    if not form.validate():
        return _complaints_page(application, outcome_forms=forms, status=422)
    with refused_by_domain(form, "outcome") as refusal:
        complaint_operations.record_outcome(
            complaint, current_user, form.outcome.data, form.outcome_on.data, form.outcome_note.data
        )
    if refusal:
        return _complaints_page(application, outcome_forms=forms, status=refusal.status)
    flash(_("Klageinstansens afgørelse er registreret."), "success")
    return redirect(url_for("applications.complaints", application_id=application.id))
