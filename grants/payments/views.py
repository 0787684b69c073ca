"""The finance officer's pages: what is to be paid and paid back, the CSV for the finance
system, and marking each paid or received. Administrators may look; only finance officers
record money. Each list is one query (grants.payments.queries)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants.budgets.closing import closed_budget_year
from grants.budgets.exports import as_csv, as_xlsx
from grants.cases.models import Application
from grants.core import access, clock
from grants.core.files import private_download
from grants.core.formatting import listed, money
from grants.core.refusals import refused_by_domain
from grants.extensions import db
from grants.funds.models import Fund
from grants.payments import batches, queries
from grants.payments.forms import (
    BatchForm,
    ConfirmationForm,
    FundFilterForm,
    PaymentForm,
    RefundForm,
    WithdrawLineForm,
)
from grants.payments.models import SENT, PaymentBatch, PaymentBatchLine
from grants.payments.operations import pay, receive_refund, sent_line, withdraw_line

bp = Blueprint("payments", __name__)
# A confirmation file's size: some 40 bytes a line, MAX_CONFIRMATION_LINES lines and room.
CONFIRMATION_BYTES = 2_000_000


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _funds() -> list[Fund]:
    return list(db.session.scalars(select(Fund).order_by(Fund.name)))


def _filter():
    """The fund filter from the query string: (form, fund or None, status)."""
    funds = _funds()
    form = FundFilterForm(request.args, funds=funds)
    if not form.validate():
        return form, None, 400
    fund = next((f for f in funds if f.code == form.fund.data), None)
    return form, fund, 200


@bp.get("/udbetalinger")
@login_required
def index():
    access.require(current_user, "payments.read")
    form, fund, status = _filter()
    payments, refunds = queries.open_items(fund.id if fund else None)
    can_record = access.may(current_user, "payments.record")
    return render_template(
        "payments/index.html",
        form=form,
        fund=fund,
        payments=payments,
        refunds=refunds,
        sent=queries.sent_in_batches(payments),
        can_record=can_record,
        own_cases=queries.own_cases(current_user, [*payments, *refunds]) if can_record else set(),
    ), status


@bp.get("/udbetalinger/eksport/<any(payments, refunds):dataset>.csv")
@login_required
def export(dataset: str):
    access.require(current_user, "payments.read")
    form, fund, status = _filter()
    if status != 200:
        abort(400)
    payments, refunds = queries.open_items(fund.id if fund else None)
    items = payments if dataset == "payments" else refunds
    if dataset == "payments":
        # Those in a sent batch are paid by the batch: in this file too, they would be paid
        # twice (the list says which batch pays them).
        sent = queries.sent_in_batches(payments)
        items = [item for item in items if item.application_id not in sent]
    stem = "udbetalinger" if dataset == "payments" else "tilbagebetalinger"
    filename = f"{stem}_{fund.code if fund else 'alle-puljer'}_{clock.today().isoformat()}.csv"
    return private_download(as_csv(queries.COLUMNS, queries.csv_rows(items)), "text/csv", filename)


def _application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return application


@bp.route("/udbetalinger/<int:application_id>/udbetal", methods=["GET", "POST"])
@login_required
def record_payment(application_id: int):
    """Mark a grant paid: amount, day of payment and voucher number."""
    return _record_money(
        application_id,
        kind="payment",
        item_of=queries.payment_due,
        form=PaymentForm(),
        day_field="paid_on",
        operation=pay,
        done=_("Udbetalingen på %(amount)s til sag %(case)s er registreret."),
    )


@bp.route("/udbetalinger/<int:application_id>/tilbagebetaling", methods=["GET", "POST"])
@login_required
def record_refund(application_id: int):
    """Register a refund received: amount, day it came in and voucher number."""
    return _record_money(
        application_id,
        kind="refund",
        item_of=queries.refund_claim,
        form=RefundForm(),
        day_field="refunded_on",
        operation=receive_refund,
        done=_("Tilbagebetalingen på %(amount)s fra sag %(case)s er registreret."),
    )


def _record_money(application_id, *, kind, item_of, form, day_field, operation, done):
    """One flow for a payment and a refund: the form, the ledger entry, the message."""
    access.require(current_user, "payments.record")
    application = _application(application_id)
    access.require(current_user, "payments.record", application)
    item = item_of(application.id)
    if request.method == "POST":
        if form.validate():
            with refused_by_domain(form, "amount") as refusal:
                operation(
                    application,
                    form.amount.data,
                    current_user,
                    form[day_field].data,
                    form.voucher.data,
                )
            if not refusal:
                flash(
                    done % {"amount": money(form.amount.data), "case": application.case_number},
                    "success",
                )
                closed = closed_budget_year(application)
                if closed is not None:
                    flash(_closed_year_notice(kind, closed), "info")
                return redirect(url_for("payments.index"))
        return _form_page("payments/record.html", application, item, form, kind), 422
    line = sent_line(application) if kind == "payment" else None
    if line is not None:  # the finance system pays the line whole: its amount, not the rest
        form.amount.data = line.amount
    elif item is not None:
        form.amount.data = item.outstanding
    form[day_field].data = clock.today()
    return _form_page("payments/record.html", application, item, form, kind)


def _closed_year_notice(kind: str, year: int) -> str:
    """What happens to a payment or a refund of a grant whose budget year is closed."""
    if kind == "payment":
        return _(
            "Budgetåret %(year)s er lukket. Udbetalingen er tilladt: beløbet blev disponeret i "
            "%(year)s og blev i året ved lukningen, så udbetalingen bogføres på %(year)s.",
            year=year,
        )
    return _(
        "Budgetåret %(year)s er lukket. Tilbagebetalingen bogføres på %(year)s, og det "
        "frigivne beløb føres videre efter reglen ved lukningen: til næste år inden for "
        "valgperioden, ellers bortfalder det.",
        year=year,
    )


def _form_page(template: str, application, item, form, kind: str) -> str:
    closed = closed_budget_year(application)
    return render_template(
        template,
        application=application,
        item=item,
        form=form,
        kind=kind,
        sent=sent_line(application) if kind == "payment" else None,
        closed_year_notice=_closed_year_notice(kind, closed) if closed is not None else "",
    )


# -- payment batches for the finance system (grants.payments.batches, docs/payments.md) -------


@bp.post("/udbetalinger/bunker")
@login_required
def export_batch():
    """Put every payment due and not yet sent into a new batch, then show the batches."""
    access.require(current_user, "payments.record")
    form = BatchForm()
    if not form.validate():
        abort(400)
    with refused_by_domain(show=False) as refusal:
        batch = batches.export_batch(current_user)
    if refusal:  # nothing to put in a batch: said, not an error
        flash(refusal.message, "info")
        return redirect(url_for("payments.batch_list"))
    flash(
        ngettext(
            "Bunke %(number)s med %(num)d udbetaling er dannet.",
            "Bunke %(number)s med %(num)d udbetalinger er dannet.",
            len(batch.lines),
            number=batch.number,
        ),
        "success",
    )
    return redirect(url_for("payments.batch_list"))


@bp.get("/udbetalinger/bunker")
@login_required
def batch_list():
    access.require(current_user, "payments.read")
    return _batch_page(ConfirmationForm())


def _batch_page(form, status: int = 200):
    return render_template(
        "payments/batches.html",
        batches=batches.batches(),
        form=form,
        batch_form=BatchForm(),
        can_record=access.may(current_user, "payments.record"),
        waiting=_ready_for_a_batch(),
    ), status


def _ready_for_a_batch() -> int:
    """The payments due that are not waiting in a batch sent (a withdrawn line's money is
    due again): what a new batch would hold."""
    waiting = batches.waiting_application_ids()
    return sum(1 for item in queries.open_items()[0] if item.application_id not in waiting)


def _batch(batch_id: int) -> PaymentBatch:
    batch = db.session.get(PaymentBatch, batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.get("/udbetalinger/bunker/<int:batch_id>.<any(csv, xlsx, prisme):layout>")
@login_required
def batch_file(batch_id: int, layout: str):
    access.require(current_user, "payments.read")
    batch = _batch(batch_id)
    stem = f"udbetalingsbunke_{batch.number}"
    if layout == "csv":
        body, mimetype = as_csv(batches.COLUMNS, batches.rows(batch)), "text/csv; charset=utf-8"
    elif layout == "xlsx":
        body = as_xlsx(batches.COLUMNS, batches.rows(batch), _("Bunke %(n)s", n=batch.number))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        unit = current_app.config["PRISME_ORGANISATION_UNIT"]
        lines = batches.prisme_lines(batch, unit, clock.today())
        body, mimetype = ("\r\n".join(lines) + "\r\n").encode("utf-8"), "text/plain; charset=utf-8"
        layout = "txt"
    return private_download(body, mimetype, f"{stem}.{layout}")


@bp.get("/udbetalinger/bunker/<int:batch_id>")
@login_required
def batch_detail(batch_id: int):
    """A batch's lines: sent, paid (with the voucher) or withdrawn (with the reason), and a
    way to withdraw a sent line the finance system will not pay."""
    access.require(current_user, "payments.read")
    batch = _batch(batch_id)
    lines = list(
        db.session.scalars(
            select(PaymentBatchLine)
            .where(PaymentBatchLine.batch_id == batch.id)
            .options(selectinload(PaymentBatchLine.application))
            .order_by(PaymentBatchLine.position)
        )
    )
    # A button on each sent line but those of the officer's own cases (one query, as the
    # list of payments does); the withdrawal itself asks the whole rule again.
    withdrawable: set[int] = set()
    if access.may(current_user, "payments.record"):
        own = queries.own_cases(current_user, lines)
        withdrawable = {
            line.id for line in lines if line.status == SENT and line.application_id not in own
        }
    return render_template(
        "payments/batch.html", batch=batch, lines=lines, withdrawable=withdrawable
    )


def _line(batch_id: int, position: int) -> PaymentBatchLine:
    line = db.session.scalar(
        select(PaymentBatchLine).where(
            PaymentBatchLine.batch_id == batch_id, PaymentBatchLine.position == position
        )
    )
    if line is None:
        abort(404)
    return line


@bp.route(
    "/udbetalinger/bunker/<int:batch_id>/linje/<int:position>/tilbagekald",
    methods=["GET", "POST"],
)
@login_required
def withdraw_batch_line(batch_id: int, position: int):
    """Withdraw a sent line the finance system will not pay, with the reason: its money is
    due again, for a later batch (grants.payments.operations.withdraw_line)."""
    access.require(current_user, "payments.record")
    line = _line(batch_id, position)
    access.require(current_user, "payments.record", line.application)
    form = WithdrawLineForm()
    if request.method == "POST":
        if form.validate():
            # A reason refused goes next to its field; a line paid or withdrawn meanwhile
            # (a stale page, a double click) is said at the top of the page.
            with refused_by_domain(form) as refusal:
                withdraw_line(line, form.reason.data, current_user)
            if not refusal:
                flash(
                    _(
                        "Bunke %(batch)s linje %(line)d (sag %(case)s) er tilbagekaldt. "
                        "Udbetalingen på %(amount)s kommer med i næste bunke.",
                        batch=line.batch.number,
                        line=line.position,
                        case=line.application.case_number or line.application_id,
                        amount=money(line.amount),
                    ),
                    "success",
                )
                return redirect(url_for("payments.batch_detail", batch_id=batch_id))
        return render_template("payments/withdraw.html", line=line, form=form), 422
    return render_template("payments/withdraw.html", line=line, form=form)


def _already_recorded(lines) -> str:
    """The lines of a confirmation file that were recorded as paid already, by name."""
    named = [
        _(
            "bunke %(b)s linje %(n)d (sag %(case)s)",
            b=line.batch.number,
            n=line.position,
            case=line.application.case_number or line.application_id,
        )
        for line in lines
    ]
    return _(
        "Allerede registreret som betalt med samme beløb, så de er ikke registreret igen: "
        "%(lines)s.",
        lines=listed(named),
    )


@bp.post("/udbetalinger/bunker/kvittering")
@login_required
def batch_confirmation():
    """The finance system's confirmation file: every new line paid, or nothing; the lines
    recorded as paid already with the same amount are named and left as they are."""
    access.require(current_user, "payments.record")
    form = ConfirmationForm()
    if form.validate():
        raw = form.file.data.read(CONFIRMATION_BYTES + 1)
        text = None
        if len(raw) > CONFIRMATION_BYTES:
            # Before decoding: the cut may split a character, and the file is too large
            # whatever its encoding.
            form.file.errors.append(
                _("Filen er for stor: højst %(mb)d MB.", mb=CONFIRMATION_BYTES // 1_000_000)
            )
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.file.errors.append(_("Filen skal være en CSV-fil i UTF-8."))
        if text is not None:
            with refused_by_domain(form, "file") as refusal:
                confirmed = batches.confirm(text, current_user)
            if not refusal:
                flash(
                    ngettext(
                        "%(num)d udbetaling er registreret som betalt.",
                        "%(num)d udbetalinger er registreret som betalt.",
                        confirmed.paid,
                    ),
                    "success",
                )
                if confirmed.already:
                    flash(_already_recorded(confirmed.already), "info")
                return redirect(url_for("payments.batch_list"))
    return _batch_page(form, 422)
