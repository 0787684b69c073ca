"""The administrator's pages for the funds' subsidy rules, and the live calculation that the
application form asks for as it is filled in."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from grants.core import access
from grants.core.files import content_disposition
from grants.core.input import json_body, parse_id
from grants.extensions import db
from grants.funds.models import Fund
from grants.subsidies import editor, figures, operations
from grants.subsidies.calculation import calculate_for_form
from grants.subsidies.forms import MAX_SOURCE, RuleEditorForm, RuleSetForm
from grants.subsidies.models import RuleSet, newest_version, versions_of
from grants.subsidies.rulefile import RuleFileError
from grants.subsidies.wording import describe_rules

bp = Blueprint("subsidies", __name__)
# The rules' age limit on the case pages and in the report (issue 18 point 3).
bp.add_app_template_global(figures.age_limit_for, "age_limit_for")
bp.add_app_template_global(figures.young_count, "young_count")


@bp.app_template_global("shown_calculation")
def shown_calculation(kept):
    """A kept calculation with its working in the reader's language (for the templates)."""
    from grants.subsidies.calculation import shown

    return shown(kept)


# Who may edit the rules and see an organisation's figures: grants.core.access.


def require_editor() -> None:
    access.require(current_user, "rules.edit")


def get_fund(fund_code: str) -> Fund:
    fund = db.session.scalar(select(Fund).where(Fund.code == fund_code))
    if fund is None:
        abort(404)
    return fund


def get_version(fund: Fund, version: int) -> RuleSet:
    rule_set = db.session.scalar(
        select(RuleSet).where(RuleSet.fund_id == fund.id, RuleSet.version == version)
    )
    if rule_set is None:
        abort(404)
    return rule_set


@bp.get("/tilskud/regler")
@login_required
def index():
    require_editor()
    funds = db.session.scalars(select(Fund).order_by(Fund.name)).all()
    rows = [(fund, versions_of(fund)) for fund in funds]
    return render_template("subsidies/index.html", rows=rows)


@bp.get("/tilskud/regler/<fund_code>/<int:version>")
@login_required
def show(fund_code: str, version: int):
    require_editor()
    fund = get_fund(fund_code)
    rule_set = get_version(fund, version)
    return render_template(
        "subsidies/show.html",
        fund=fund,
        rule_set=rule_set,
        newest=newest_version(fund),
        rule_texts=describe_rules(rule_set.rules),
    )


@bp.get("/tilskud/regler/<fund_code>/<int:version>/eksport")
@login_required
def export(fund_code: str, version: int):
    require_editor()
    fund = get_fund(fund_code)
    rule_set = get_version(fund, version)
    normalised = request.args.get("form") == "normalised"
    return Response(
        operations.export_rule_set(rule_set, normalised=normalised),
        mimetype="application/toml",
        headers={
            "Content-Disposition": content_disposition(f"{fund.code}-v{rule_set.version}.toml")
        },
    )


def _saved(rule_set: RuleSet, fund: Fund):
    flash(
        _(
            "Reglerne er gemt som version %(version)d af %(fund)s.",
            version=rule_set.version,
            fund=fund.name,
        ),
        "success",
    )
    return redirect(url_for("subsidies.show", fund_code=fund.code, version=rule_set.version))


@bp.route("/tilskud/regler/<fund_code>/rediger", methods=["GET", "POST"])
@login_required
def edit(fund_code: str):
    """The form-based editor: a field for each key of the rule file. Its buttons: save (a
    new version), try the examples, add or remove an entry of a repeating section; only
    saving changes anything."""
    require_editor()
    fund = get_fund(fund_code)
    current = newest_version(fund)
    form = RuleEditorForm()
    checked = None  # the rules, when the draft was tried and is good
    if request.method == "GET":
        draft = editor.from_rules(current.rules if current else _starting_rules(fund))
    else:
        draft = editor.from_form(request.form)
        if not form.validate_on_submit():
            draft.errors.append(_("Siden var udløbet. Send formularen igen."))
        elif request.form.get("add") or request.form.get("remove"):
            pass  # the draft with one entry more or less, shown again; nothing is checked
        elif request.form.get("intent") == "try":
            _source, checked = editor.check(draft, fund.code)
        else:
            source, rules = editor.check(draft, fund.code)
            if rules is not None:
                try:
                    rule_set = operations.add_rule_set(source, fund=fund, user=current_user)
                except RuleFileError as error:
                    db.session.rollback()
                    editor.place_errors(draft, error.errors, editor.to_source(draft, fund.code))
                else:
                    return _saved(rule_set, fund)
    status = 422 if draft.has_errors else 200
    return render_template(
        "subsidies/edit.html",
        form=form,
        draft=draft,
        fund=fund,
        current=current,
        checked=checked,
        examples=editor.examples_of(checked) if checked else [],
    ), status


def _starting_rules(fund: Fund) -> dict | None:
    from grants.subsidies.rulefile import parse

    return parse(operations.template_for(fund))


@bp.post("/tilskud/regler/<fund_code>/proev")
@login_required
def check_draft(fund_code: str):
    """The editor's live check: the editor's fields in, and out as JSON whether the rules
    can be saved, each problem with the id of its field, and the examples. Saves nothing."""
    require_editor()
    fund = get_fund(fund_code)
    draft = editor.from_form(request.form)
    _source, rules = editor.check(draft, fund.code)
    return jsonify(
        {
            "valid": rules is not None,
            "problems": editor.problems(draft),
            "examples": editor.examples_of(rules) if rules else [],
        }
    )


@bp.route("/tilskud/regler/<fund_code>/toml", methods=["GET", "POST"])
@login_required
def import_file(fund_code: str):
    """The rules as a TOML file, pasted or uploaded: for those who write them as a file."""
    require_editor()
    fund = get_fund(fund_code)
    current = newest_version(fund)
    form = RuleSetForm()
    if request.method == "GET":
        form.source.data = current.source if current else operations.template_for(fund)
    elif form.validate_on_submit():
        source = _sent_source(form)
        if source is not None:
            try:
                rule_set = operations.add_rule_set(source, fund=fund, user=current_user)
            except RuleFileError as error:
                db.session.rollback()
                target = form.upload if form.upload.data else form.source
                target.errors = [str(e) for e in error.errors]
            else:
                return _saved(rule_set, fund)
    status = 422 if form.errors else 200
    return render_template("subsidies/import.html", form=form, fund=fund, current=current), status


def _sent_source(form: RuleSetForm) -> str | None:
    """The file's text (the upload, or else the pasted text), or None with the error set."""
    upload = form.upload.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(MAX_SOURCE + 1)
        if len(data) > MAX_SOURCE:
            form.upload.errors = [_("Filen er for stor (højst 50 kB).")]
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.upload.errors = [_("Filen skal være en tekstfil i UTF-8.")]
            return None
    else:
        text = form.source.data or ""
    if not text.strip():
        form.source.errors = [_("Indsæt reglerne, eller vælg en fil.")]
        return None
    return text.replace("\r\n", "\n")


@bp.get("/puljer/<fund_code>")
def fund_page(fund_code: str):
    """A fund's page for the public and applicants: its rules in plain words and its worked
    examples as "what you would get". Open to everyone: the rules are public."""
    from grants.core import clock
    from grants.subsidies import examples
    from grants.subsidies.models import rule_set_for

    fund = db.session.scalar(select(Fund).where(Fund.code == fund_code, Fund.active))
    if fund is None or not fund.computes_subsidy:
        abort(404)
    rule_set = rule_set_for(fund, clock.today())
    outcomes = []
    if rule_set is not None:
        outcomes = [
            (outcome, examples.described(outcome.example, rule_set.rules))
            for outcome in examples.run(rule_set.rules)
        ]
    return render_template(
        "subsidies/fund.html",
        fund=fund,
        rule_set=rule_set,
        rule_texts=describe_rules(rule_set.rules) if rule_set else [],
        outcomes=outcomes,
    )


@bp.post("/tilskud/beregn/<fund_code>")
@login_required
def calculate(fund_code: str):
    """The live calculation: the form's fields (FORM_FIELDS) in, as form data or a JSON
    object, and the lines, total and problems out as JSON. CSRF-protected like every POST:
    send the form's csrf_token field or the X-CSRFToken header."""
    fund = db.session.scalar(select(Fund).where(Fund.code == fund_code, Fund.active))
    if fund is None:
        abort(404)
    data = json_body() if request.is_json else request.form
    if not isinstance(data, dict):
        abort(400)
    organisation = None
    organisation_id = str(data.get("organisation_id") or "").strip()
    if organisation_id:
        from grants.organisations.models import Organisation

        # Not a number, "²", or out of the database's range: not found, never a 500.
        number = parse_id(organisation_id)
        organisation = db.session.get(Organisation, number) if number else None
        if organisation is None:
            abort(404)
        access.require(current_user, "organisation.figures", organisation)
    calculation = calculate_for_form(fund, data, organisation)
    return jsonify(calculation.as_dict())
