"""The API under /api/v1: bearer tokens (grants.api.tokens), the token's owner's access
rules (grants.core.access), errors as RFC 9457 problem details. Every use of a token is
audited with the token's id (``api.used``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from grants.api import tokens
from grants.api.models import SCOPE_PAYMENTS, SCOPE_READ, ApiIdempotentAnswer
from grants.api.openapi import document
from grants.audit.models import AuditEvent
from grants.budgets.balances import balances
from grants.budgets.models import BudgetEntry, EntryKind
from grants.cases.models import Application
from grants.core import access, clock
from grants.core.commit import keep_even_if_refused
from grants.core.errors import DomainError
from grants.core.input import json_body, whole_number
from grants.core.locks import Busy, is_lock_timeout
from grants.core.models import offered_languages
from grants.core.security import serves_a_file
from grants.core.views import error_page
from grants.extensions import csrf, db
from grants.funds.models import Fund
from grants.payments import queries as payment_queries
from grants.payments.operations import VOUCHER_MAX, pay
from grants.publication.queries import published_trips_query

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies, no session: a bearer token in each request
PER_PAGE = 50
MAX_PAGE = 100000
PROBLEM_TYPE = "application/problem+json"
# The description's patterns (grants.api.openapi), checked the same way here.
AMOUNT = re.compile(r"\d{1,9}\.\d{2}", re.ASCII)
DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", errors: dict | None = None):
        super().__init__(title)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


def problem_response(status: int, title: str, detail: str = "", errors: dict | None = None):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    # Said here too: a problem from routing is answered without the blueprint's after_request.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = str(get_locale() or "da")
    response.vary.add("Accept-Language")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# The problems' titles, in the caller's language like every message of the API.
TITLES = {
    400: _l("Forkert forespørgsel"),
    401: _l("Ikke logget ind"),
    403: _l("Ikke tilladt"),
    404: _l("Findes ikke"),
    405: _l("Metoden kan ikke bruges her"),
    413: _l("Forespørgslen er for stor"),
    422: _l("Kan ikke behandles"),
    503: _l("Prøv igen om lidt"),
}


def _title(status: int) -> str:
    return str(TITLES.get(status, TITLES[400]))


@bp.errorhandler(Problem)
def _problem(error: Problem):
    return problem_response(error.status, error.title, error.detail, error.errors)


def _under_the_api() -> bool:
    return request.path.startswith(f"{bp.url_prefix}/")


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def _not_found_or_not_allowed(error):
    """A path or a method the API does not have fails in routing, before the request is the
    blueprint's: its answer is a problem all the same. Elsewhere the app's error page."""
    if not _under_the_api():
        return error_page(error)
    _callers_language()
    return problem_response(error.code, _title(error.code))


@bp.errorhandler(Busy)
@bp.errorhandler(OperationalError)
def _busy(error: Exception):
    """A lock not had in time (BUDGET_LOCK_TIMEOUT; grants.core.locks): nothing was changed,
    and the caller may send the same request again (503, Retry-After), never a 500 or a
    422 it would take for a refusal of its data. Any other database error stays one."""
    if isinstance(error, OperationalError) and not is_lock_timeout(error):
        raise error
    db.session.rollback()
    _callers_language()
    detail = error.message if isinstance(error, Busy) else ""
    response = problem_response(503, _title(503), detail)
    response.headers["Retry-After"] = "5"
    return response


@bp.errorhandler(400)
def _bad_request(_error):
    # Also a request refused before this blueprint's own before_request ran (the app's
    # check of the query string): the language is picked here then.
    _callers_language()
    return problem_response(400, _title(400))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    _callers_language()
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return problem_response(
        413,
        _title(413),
        _("Forespørgslen må højst fylde %(limit)s MB.", limit=max(1, round(limit / 2**20))),
    )


def _speak(language: str | None) -> bool:
    """Answer in ``language`` if the municipality offers it (the locale selector asks
    ``g.url_locale`` first: here the request, not the address, says it)."""
    if language not in offered_languages():
        return False
    g.url_locale = language
    refresh()  # the language may have been asked for already in this request
    return True


@bp.before_request
def _callers_language() -> None:
    """The caller's language: its Accept-Language header's, if the app speaks it (the token's
    owner's otherwise, once the token is known: ``_authenticate``); Danish by default. The
    refusals of the payment rules come in it."""
    if "url_locale" not in g:
        _speak(request.accept_languages.best_match(offered_languages()))


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = str(get_locale() or "da")
    response.vary.add("Accept-Language")
    token = g.get("api_token")
    if token is not None:
        # Each use, with the token's id; a refused one is kept too, after the rollback of
        # what it tried (grants.core.commit).
        record = db.session.add if response.status_code < 400 else keep_even_if_refused
        record(
            AuditEvent(
                actor_id=token.owner_id,
                action="api.used",
                object_type="api_token",
                object_id=token.id,
                details={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                },
            )
        )
    return response


def _authenticate(scope: str):
    header = request.headers.get("Authorization", "")
    kind, _sep, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        raise Problem(401, _title(401), _("En bearer-nøgle (token) skal sendes med."))
    token = tokens.find(secret.strip())
    if token is None or not token.usable(clock.today()) or not token.owner.active:
        raise Problem(401, _title(401), _("Nøglen (token) er ukendt, tilbagekaldt eller udløbet."))
    g.api_token = token
    if "url_locale" not in g:  # no language asked for: the owner's chosen one
        _speak(token.owner.locale)
    if not token.allows(scope):
        raise Problem(
            403, _title(403), _("Nøglens adgang (scope) omfatter ikke '%(scope)s'.", scope=scope)
        )
    return token


def _owner_may(token, action: str, obj=None) -> None:
    if not access.may(token.owner, action, obj):
        raise Problem(403, _title(403), _("Nøglens ejer må ikke gøre dette."))


def _page() -> int:
    page = whole_number(request.args.get("page", "1"))
    if page is None or not 1 <= page <= MAX_PAGE:
        raise Problem(
            400,
            _title(400),
            _("page skal være et helt tal fra 1 til %(max)s.", max=MAX_PAGE),
        )
    return page


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: dt.datetime | None) -> str | None:
    """RFC 3339, with its offset: SQLite hands back the stored UTC time without one."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _case(application: Application) -> dict:
    decision = None
    if application.outcome is not None:
        decision = {
            "outcome": application.outcome.value,
            "granted_amount": _money(application.granted_amount),
            "decided_at": _moment(application.decided_at),
        }
    return {
        "id": application.id,
        "case_number": application.case_number,
        "title": application.title,
        "state": application.state,
        "fund": application.fund.code,
        "departure_date": _day(application.departure_date),
        "return_date": _day(application.return_date),
        "amount_applied": _money(application.amount_applied),
        "decision": decision,
    }


def _visible_page(query, owner, page: int) -> dict:
    """The page of cases the owner may see (the pages' own rule, case.view, asked per case)."""
    items, skip, has_next = [], (page - 1) * PER_PAGE, False
    for application in db.session.scalars(query.order_by(Application.id)):
        if not access.may(owner, "case.view", application):
            continue
        if skip:
            skip -= 1
            continue
        if len(items) == PER_PAGE:
            has_next = True
            break
        items.append(_case(application))
    return {"items": items, "page": page, "has_next": has_next}


@bp.get("/cases")
@serves_a_file
def cases():
    token = _authenticate(SCOPE_READ)
    return _visible_page(select(Application), token.owner, _page())


@bp.get("/cases/<int:case_id>")
@serves_a_file
def case(case_id: int):
    token = _authenticate(SCOPE_READ)
    application = db.session.get(Application, case_id)
    if application is None or not access.may(token.owner, "case.view", application):
        raise Problem(404, _title(404), _("Sagen findes ikke, eller nøglen må ikke se den."))
    return _case(application)


@bp.get("/decisions")
@serves_a_file
def decisions():
    token = _authenticate(SCOPE_READ)
    query = select(Application).where(Application.outcome.is_not(None))
    return _visible_page(query, token.owner, _page())


@bp.get("/balances")
@serves_a_file
def fund_balances():
    token = _authenticate(SCOPE_READ)
    _owner_may(token, "budgets.read")
    year = whole_number(request.args.get("year", "")) or 0
    if not 2000 <= year <= 2100:
        raise Problem(400, _title(400), _("year skal være et år fra 2000 til 2100."))
    # The funds the owner reads on the budgets pages (a board member: their boards').
    funds = [
        fund
        for fund in db.session.scalars(select(Fund).order_by(Fund.code))
        if access.may(token.owner, "budgets.read_fund", fund)
    ]
    figures = balances([f.id for f in funds], [year]) if funds else {}
    items = []
    for fund in funds:
        b = figures[fund.id, year]
        items.append(
            {
                "fund": fund.code,
                "year": year,
                "budget": _money(b.budget),
                "granted": _money(b.granted),
                "committed": _money(b.committed),
                "spent": _money(b.spent),
                "available": _money(b.available),
            }
        )
    return {"items": items}


@bp.get("/payments")
@serves_a_file
def payments_due():
    token = _authenticate(SCOPE_READ)
    _owner_may(token, "payments.read")
    due, _refunds = payment_queries.open_items()
    return {
        "items": [
            {
                "case_id": item.application_id,
                "case_number": item.case_number,
                "recipient": item.recipient_name,
                "cvr": item.cvr,
                "fund": item.fund_code,
                "due": _money(item.due),
                "paid": _money(item.done),
                "outstanding": _money(item.outstanding),
                "due_date": _day(item.due_date),
            }
            for item in due
        ]
    }


def _entry(entry: BudgetEntry) -> dict:
    return {
        "id": entry.id,
        "case_id": entry.application_id,
        "amount": _money(entry.amount),
        "paid_on": entry.booked_on.isoformat(),
        "voucher": entry.voucher,
    }


@bp.get("/payments/made")
@serves_a_file
def payments_made():
    token = _authenticate(SCOPE_READ)
    _owner_may(token, "payments.read")
    page = _page()
    rows = db.session.scalars(
        select(BudgetEntry)
        .where(BudgetEntry.kind == EntryKind.PAYMENT, BudgetEntry.application_id.is_not(None))
        .order_by(BudgetEntry.id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    return {
        "items": [_entry(e) for e in rows[:PER_PAGE]],
        "page": page,
        "has_next": len(rows) > PER_PAGE,
    }


@bp.get("/trips")
@serves_a_file
def trips():
    _authenticate(SCOPE_READ)
    page = _page()
    rows = db.session.execute(
        published_trips_query().offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
    ).all()
    items = [
        {
            "id": application.id,
            "title": application.title,
            "fund": fund.code,
            "destination_city": application.destination_city,
            "destination_country": application.destination_country,
            "departure_date": _day(application.departure_date),
            "return_date": _day(application.return_date),
        }
        for application, _report, fund, *_rest in rows[:PER_PAGE]
    ]
    return {"items": items, "page": page, "has_next": len(rows) > PER_PAGE}


def _payment_body() -> tuple[Decimal, dt.date, str]:
    body = json_body()  # None too for "[[[[…" nested deeper than the parser goes
    if not isinstance(body, dict):
        raise Problem(400, _title(400), _("Indholdet skal være et JSON-objekt."))
    errors: dict[str, list[str]] = {}
    unknown = set(body) - {"amount", "paid_on", "voucher"}
    for name in sorted(unknown):
        errors[name] = [_("Ukendt felt.")]
    amount = paid_on = None
    raw_amount = body.get("amount")
    if isinstance(raw_amount, str) and AMOUNT.fullmatch(raw_amount) and Decimal(raw_amount) > 0:
        amount = Decimal(raw_amount)
    else:
        errors["amount"] = [_('Et positivt beløb i kroner som en tekst, f.eks. "1250.00".')]
    raw_day = body.get("paid_on")
    try:
        if not isinstance(raw_day, str) or not DAY.fullmatch(raw_day):
            raise ValueError(raw_day)
        paid_on = dt.date.fromisoformat(raw_day)
        if paid_on > clock.today():
            errors["paid_on"] = [_("Dagen kan ikke ligge i fremtiden.")]
    except ValueError:
        errors["paid_on"] = [_("En dato, ÅÅÅÅ-MM-DD.")]
    voucher = body.get("voucher")
    if not isinstance(voucher, str) or not voucher.strip() or len(voucher) > VOUCHER_MAX:
        errors["voucher"] = [_("Bilagsnummeret, 1 til %(max)s tegn.", max=VOUCHER_MAX)]
    if errors:
        raise Problem(422, _title(422), _("Betalingen er ikke registreret."), errors)
    return amount, paid_on, voucher.strip()


@bp.post("/payments/<int:case_id>/paid")
def mark_paid(case_id: int):
    token = _authenticate(SCOPE_PAYMENTS)
    key = request.headers.get("Idempotency-Key")
    request_digest = hashlib.sha256(
        f"{case_id}\n".encode() + (request.get_data() or b"")
    ).hexdigest()
    if key is not None:
        if not 1 <= len(key) <= 200:
            raise Problem(400, _title(400), _("Idempotency-Key skal være 1 til 200 tegn."))
        earlier = db.session.scalar(
            select(ApiIdempotentAnswer).where(
                ApiIdempotentAnswer.token_id == token.id, ApiIdempotentAnswer.key == key
            )
        )
        if earlier is not None:
            if earlier.request_digest != request_digest:
                raise Problem(
                    422,
                    _title(422),
                    _("Denne Idempotency-Key er brugt med en anden forespørgsel."),
                )
            response = jsonify(earlier.body)
            response.status_code = earlier.status
            response.headers["Idempotent-Replayed"] = "true"
            return response
    application = db.session.get(Application, case_id)
    if application is None or not access.may(token.owner, "case.view", application):
        raise Problem(404, _title(404), _("Sagen findes ikke, eller nøglen må ikke se den."))
    _owner_may(token, "payments.record", application)
    amount, paid_on, voucher = _payment_body()
    try:
        entry = pay(application, amount, token.owner, paid_on, voucher)
    except Busy:
        raise  # _busy: try again, not a refusal of the data
    except DomainError as error:
        raise Problem(
            422,
            _title(422),
            error.message,
            {error.field or "amount": error.messages},
        ) from None
    db.session.flush()
    body = _entry(entry)
    if key is not None:
        db.session.add(
            ApiIdempotentAnswer(
                token_id=token.id, key=key, request_digest=request_digest, status=201, body=body
            )
        )
    return body, 201


@bp.get("/openapi.json")
@serves_a_file
def openapi():
    return jsonify(document(url_for("api.openapi", _external=True).rsplit("/", 1)[0]))


@bp.get("/")
def reference():
    """The description as a page, rendered on the server (no scripts)."""
    spec = document(url_for("api.openapi", _external=True).rsplit("/", 1)[0])
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": op.get("summary", ""),
            "parameters": op.get("parameters", []),
            "body": op.get("requestBody"),
            "responses": sorted(op["responses"]),
        }
        for path, item in spec["paths"].items()
        for method, op in item.items()
    ]
    schemas = {
        name: json.dumps(schema, indent=2, ensure_ascii=False)
        for name, schema in spec["components"]["schemas"].items()
    }
    return render_template(
        "api/reference.html",
        spec=spec,
        operations=operations,
        schemas=schemas,
        title=_("API-dokumentation"),
    )
