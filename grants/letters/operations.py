"""Issuing letters. A letter is made once, stored with the case as the bytes that were sent,
and never made again: what the applicant received is what the case file shows.

``issue`` is the one way a letter is made, whatever its kind (``grants.letters.kinds``):
the decision letter here, the settlement letter and the approved report from
``grants.reports.letters``, each agenda item a committee's meeting decides through the
decision. Like every operation, these add to the session and flush; the request commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from grants.cases.models import Application, Outcome
from grants.core import clock, events
from grants.core.errors import DomainError
from grants.core.models import Municipality
from grants.core.money import kroner
from grants.extensions import db
from grants.letters import seal, texts, verification
from grants.letters.kinds import DECISION, KINDS, LetterKind
from grants.letters.models import Letter
from grants.letters.render import create_pdf
from grants.letters.signals import letter_issued
from grants.people.models import Role, User
from grants.subsidies.calculation import shown as shown_calculation


def render(
    kind: str,
    case,
    facts: Callable[[], dict[str, Any]],
    verification: dict[str, str] | None = None,
):
    """A letter's HTML and what it was made of: ``(language, facts, fund text row, html)``.
    Stores nothing. ``facts`` gives everything the letter says about ``case``, as plain
    values; it is called in the letter's language (the recipient's, unless the kind has its
    own), so that names of countries and the subsidy's working are written in it.
    ``verification`` (the code as printed and the verification page's address) is printed
    on the letter with its QR code; a preview has none."""
    letter_kind = _kind(kind)
    language, made, text = _what_it_says(kind, case, facts, verification)
    with force_locale(language):
        html = render_template(letter_kind.template, letter=made, language=language)
    return language, made, text, html


def _what_it_says(
    kind: str,
    case,
    facts: Callable[[], dict[str, Any]],
    verification: dict[str, str] | None,
):
    """The letter's language, its facts (with the fund's text put in) and the text's row:
    everything its HTML is rendered from."""
    letter_kind = _kind(kind)
    language = letter_kind.language or _letter_language(case.applicant)
    with force_locale(language):
        made = facts()
        if verification is not None:
            made["verification"] = verification
        text = None
        if letter_kind.text_outcome is not None:
            # The fund's own text for the outcome, in the version current now.
            text = texts.apply_to(made, case.fund_id, letter_kind.text_outcome(made))
    return language, made, text


@dataclass(frozen=True)
class MadeLetter:
    """A letter rendered and sealed, not yet issued: ``issue`` stores it if the case still
    says exactly what it was made from. Made ahead so that the slow part (WeasyPrint, the
    seal's time-stamp) happens before the fund's lock is taken (see
    ``grants.applications.operations.take_decision``)."""

    kind: str
    language: str
    made: dict[str, Any]
    text_id: int | None
    code: str
    pdf: bytes
    timestamp_missing: str | None


def make(kind: str, case, facts: Callable[[], dict[str, Any]]) -> MadeLetter:
    """Render the letter of ``kind`` about ``case`` (the case itself, or a draft that reads
    like it will), give it a verification code and seal it. Stores nothing.

    Refused (DomainError), changing nothing, if the time-stamping service does not answer
    and the municipality has not chosen to seal without it."""
    letter_kind = _kind(kind)
    code = verification.new_code()
    municipality = Municipality.current()
    language, made, text, html = render(
        kind,
        case,
        facts,
        {"code": verification.shown(code), "url": _verification_url(code, case, kind)},
    )
    with force_locale(language):
        reason = f"{letter_kind.label} – {case.case_number or case.id}"
    rendered = create_pdf(html, images=municipality.letter_images())
    timestamp_missing = None
    try:
        pdf = seal.seal(rendered, reason=reason, location=municipality.name)
    except seal.TimestampUnavailable as error:
        if seal.seal_without_timestamp_when_down():
            # The municipality's choice: the letter goes out sealed (PAdES B-B), its time
            # vouched for by the server's clock only, and the journal says so.
            timestamp_missing = str(error)[:300] or "-"
            pdf = seal.seal(rendered, reason=reason, location=municipality.name, timestamp=False)
        else:
            # Refused like any rule: nothing of the step is kept, and it can be taken again.
            raise DomainError(
                _(
                    "Brevet kunne ikke tidsstemples, fordi tidsstemplingstjenesten ikke svarede. "
                    "Intet er ændret; prøv igen om lidt."
                )
            ) from None
    return MadeLetter(
        kind=kind,
        language=language,
        made=made,
        text_id=text.id if text else None,
        code=code,
        pdf=pdf,
        timestamp_missing=timestamp_missing,
    )


def _still_says(letter: MadeLetter, kind: str, case, facts: Callable[[], dict[str, Any]]) -> bool:
    """Whether ``letter`` says what a letter of ``kind`` made now would: the same facts,
    language and fund text, read from the case as it stands."""
    if letter.kind != kind:
        return False
    language, made, text = _what_it_says(kind, case, facts, letter.made.get("verification"))
    return (
        language == letter.language
        and (text.id if text else None) == letter.text_id
        and _json_safe(made) == _json_safe(letter.made)
    )


def issue(
    kind: str,
    case: Application,
    facts: Callable[[], dict[str, Any]],
    actor,
    replaces: Letter | None = None,
    made: MadeLetter | None = None,
) -> Letter:
    """Make the letter of ``kind`` to the case's applicant (or the organisation they applied
    for), seal it and store it with the case; the case's journal records it
    (``signals.letter_issued``). The one way any letter is issued.

    The letter carries a verification code and its QR code (``grants.letters.verification``)
    and is sealed after rendering (``grants.letters.seal``): the stored bytes are the sealed
    file, sent and downloaded as they are.

    ``facts`` as for ``render``. Refused (DomainError) if the case has a letter of this kind
    already: a letter that was sent is never made again. A reconsidered decision's letter
    ``replaces`` the current one, which stays in the case file, marked as replaced.

    A letter ``made`` beforehand (``make``) is issued as it is if the case still says what
    it was made from; otherwise (the case or the fund's text changed meanwhile) the letter
    is made again here."""
    letter_kind = _kind(kind)
    if replaces is not None and (
        replaces.application_id != case.id
        or replaces.kind != kind
        or replaces.replaced_by_id is not None
    ):
        raise ValueError(f"letter {replaces.id} is not the case's current {kind} letter")
    if replaces is None and _has_letter(case, kind):
        raise DomainError(
            _(
                "Sagen %(case)s har allerede dette brev (%(letter)s). Et udsendt brev laves "
                "ikke om.",
                case=case.case_number,
                letter=letter_kind.label,
            )
        )
    if made is None or not _still_says(made, kind, case, facts):
        made = make(kind, case, facts)
    edition = replaces.edition + 1 if replaces is not None else 1
    filename = f"{letter_kind.filename}-{_safe_filename_part(case.case_number or str(case.id))}"
    filename += f"-{edition}.pdf" if edition > 1 else ".pdf"
    letter = Letter(
        application_id=case.id,
        kind=kind,
        language=made.language,
        template=letter_kind.template,
        parameters=_json_safe(made.made),
        filename=filename,
        pdf=made.pdf,
        sha256=hashlib.sha256(made.pdf).hexdigest(),
        size=len(made.pdf),
        created_by_id=actor.id,
        text_id=made.text_id,
        verification_code=made.code,
        edition=edition,
    )
    db.session.add(letter)
    if replaces is not None:
        replaces.replaced_by = letter
        replaces.replaced_at = clock.now()
    events.send(
        letter_issued, case, letter=letter, actor=actor, timestamp_missing=made.timestamp_missing
    )
    # Flush now so the unique (case, kind) constraint backs up the check above at once.
    db.session.flush()
    return letter


def _verification_url(code: str, case, kind: str) -> str:
    """The public verification page for ``code``, as a full address for the QR code; in
    the letter's language when that is not the default."""
    from flask import url_for

    language = _kind(kind).language or _letter_language(case.applicant)
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "da")
    try:  # in a request, a job's request context, or with SERVER_NAME configured
        return url_for(
            "letters.verify",
            code=verification.shown(code),
            sprog=language if language != default else None,
            _external=True,
        )
    except RuntimeError:
        return ""


def current_letter(application: Application, kind: str = DECISION) -> Letter | None:
    """The case's letter of ``kind`` in effect: the newest edition, which nothing replaced."""
    return db.session.scalar(
        select(Letter).where(
            Letter.application_id == application.id,
            Letter.kind == kind,
            Letter.replaced_by_id.is_(None),
        )
    )


def _kind(kind: str) -> LetterKind:
    if kind not in KINDS:
        raise ValueError(f"no such kind of letter: {kind!r}")  # a bug, not the person's
    return KINDS[kind]


def issue_decision_letter(
    application: Application,
    actor: User,
    replaces: Letter | None = None,
    made: MadeLetter | None = None,
) -> Letter:
    """Make the decision letter (afgørelse) of a decided case and store it; the case's
    journal records it (``signals.letter_issued``).

    Called by the decide operation after it has set the outcome, the amounts, the reasons,
    the decision's time and decider, the report deadline and the case number. The letter is
    written in the applicant's language. Raises DomainError if the case already has a
    decision letter, if a partial grant or refusal has no reasons (forvaltningsloven § 22)
    or if a grant has no report deadline; raises ValueError if the decide operation left
    out other case data the letter needs. ``made``: the letter made beforehand from the
    decision's draft (``make_decision_letter``), issued if it still holds.
    """
    _check_decided(application)
    municipality = Municipality.current()
    return issue(
        DECISION,
        application,
        lambda: _decision_facts(application, municipality),
        actor,
        replaces=replaces,
        made=made,
    )


def make_decision_letter(draft) -> MadeLetter:
    """The decision letter a decision not yet taken will issue, rendered and sealed, stored
    nowhere. ``draft`` reads like the decided case (see
    ``grants.applications.operations.DraftDecision``). Refused as ``issue_decision_letter``
    would refuse the decision."""
    _check_decided(draft)
    municipality = Municipality.current()
    return make(DECISION, draft, lambda: _decision_facts(draft, municipality))


def preview_decision_letter(draft) -> tuple[str, int | None, str]:
    """The letter a decision not yet taken would issue, as HTML for the browser, the id of
    the fund's letter text it uses, and its language. ``draft`` reads like the decided case (see
    ``grants.applications.operations.DraftDecision``); nothing is stored or sent.

    The HTML is the letter's own, with its stylesheet and the municipality's logo given as
    URLs a browser can load (the PDF renderer reads them from the letters' assets)."""
    import base64

    from flask import url_for

    municipality = Municipality.current()
    language, _facts, text, html = render(
        DECISION, draft, lambda: _decision_facts(draft, municipality)
    )
    html = html.replace('href="letter.css"', f'href="{url_for("letters.stylesheet")}"', 1)
    for name, (data, content_type) in municipality.letter_images().items():
        encoded = base64.b64encode(data).decode("ascii")
        inline = f'src="data:{content_type};base64,{encoded}"'
        html = html.replace(f'src="grants-image:{name}"', inline)
    return html, text.id if text else None, language


def decision_text(application, outcome: str):
    """The fund's letter text (row) a decision letter for ``outcome`` would use now: in the
    applicant's language; None for the standard text. The confirmation of a decision
    checks it against the one the decider was shown."""
    language = _letter_language(application.applicant)
    language = language if language in texts.STANDARD_TEXTS else "da"
    return texts.text_for(application.fund_id, outcome, language)[0]


def _check_decided(application: Application) -> None:
    if (
        application.outcome in (Outcome.PARTLY_GRANTED, Outcome.REFUSED)
        and not (application.decision_reasons or "").strip()
    ):
        # § 22: a decision that does not give the applicant everything must give reasons.
        raise DomainError(_("Skriv en begrundelse for afgørelsen."), field="reasons")
    if application.outcome in (Outcome.GRANTED, Outcome.PARTLY_GRANTED) and (
        application.report_due is None
    ):
        # A grant's conditions name the report deadline; without it the letter is not whole.
        raise DomainError(
            _(
                "Sagen har ingen frist for rapport og regnskab, fordi rejsens "
                "hjemrejsedato mangler. Bed ansøgeren om den, før der bevilges."
            )
        )
    required = {
        "outcome": application.outcome,
        "case_number": application.case_number,
        "granted_amount": application.granted_amount,
        "decided_at": application.decided_at,
        "decided_by": _decider(application),
    }
    missing = sorted(name for name, value in required.items() if value is None)
    if missing:
        # A bug in the caller, not something the person can fix: no translated message.
        raise ValueError(
            f"application {application.id} is not decided; missing {', '.join(missing)}"
        )


def _decider(application: Application) -> User | None:
    # The decide operation may have set only the id, before any flush loaded the relation.
    if application.decided_by is not None:
        return application.decided_by
    if application.decided_by_id is not None:
        return db.session.get(User, application.decided_by_id)
    return None


def _has_letter(application: Application, kind: str) -> bool:
    return (
        db.session.scalar(
            select(Letter.id).where(Letter.application_id == application.id, Letter.kind == kind)
        )
        is not None
    )


def _letter_language(recipient: User) -> str:
    """The recipient's language if the app speaks it, else the default (Danish)."""
    languages = current_app.config.get("LANGUAGES", ("da",))
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "da")
    return recipient.locale if recipient.locale in languages else default


def _decision_facts(application: Application, municipality: Municipality) -> dict[str, Any]:
    """Everything the letter says about the case, as plain values.

    The template renders only from this, and the Letter stores it as its parameters, so a
    letter can always be explained from what it was made of. Call inside force_locale: the
    country's name is given in the letter's language.
    """
    decided_at = application.decided_at
    if decided_at.tzinfo is None:  # SQLite hands back naive datetimes, stored as UTC
        decided_at = decided_at.replace(tzinfo=dt.UTC)
    country = application.destination_country or ""
    locale = get_locale()
    decider, fund = _decider(application), application.fund
    return {
        "case_number": application.case_number,
        "outcome": application.outcome.value,
        # The letter is dated the day of the decision, in the municipality's time zone.
        "letter_date": decided_at.astimezone(clock.LOCAL).date(),
        "decided_at": decided_at,
        "fund": {
            "id": fund.id,
            "name": fund.name,
            "kind": fund.kind,
            "publishes_trips": fund.publish_trips,
        },
        "trip": {
            "title": application.title,
            "destination_city": application.destination_city,
            "destination_country": country,
            "destination_country_name": (
                locale.territories.get(country, country) if locale and country else country
            ),
            "departure_date": application.departure_date,
            "return_date": application.return_date,
        },
        "amount_applied": kroner(application.amount_applied),
        "granted_amount": kroner(application.granted_amount),
        "reasons": (application.decision_reasons or "").strip(),
        "report_due": application.report_due,
        "recipient": recipient_facts(application),
        # Youth subsidies: the working of the rules, and any departure from it.
        "subsidy": (
            {
                # The working written in the letter's language (force_locale above).
                "calculation": shown_calculation(application.calculation),
                "computed_amount": kroner(application.computed_amount),
                "dispensation_reason": (application.dispensation_reason or "").strip(),
                "participants": {
                    "young": application.participants_young,
                    "leaders": application.participants_leaders,
                    "disabled": application.participants_disabled,
                    "host_group": application.host_group_size,
                },
            }
            if application.calculation
            else None
        ),
        # Each person by their role in the case: the one who decided (the caseworker within
        # the delegated limit, the fund's board above it, a committee for its own fund)
        # and the caseworker who handles the case.
        "decider": {
            "id": decider.id,
            "name": decider.name,
            "title": decider.title,
            "role": decider_role(application, decider),
        },
        "caseworker": _case_caseworker(application, decider),
        # The trip has begun by the letter's date (a grant after the fact): nothing is
        # paid "before you travel", and no change can be approved beforehand.
        "trip_started": bool(
            application.departure_date
            and application.departure_date <= decided_at.astimezone(clock.LOCAL).date()
        ),
        # Whether the fund's money for the year could not cover what was asked: only then
        # does the letter say how applications were prioritised within the budget.
        "budget_short": _budget_short(application),
        "public_trips_url": _public_trips_url(),
        "municipality": municipality.letter_facts(),
    }


def decider_role(application, decider: User) -> str:
    """The decider's role in the case, as the route gave them the decision: "committee"
    for a committee's own fund, "board_member" above the fund's delegated limit, else
    "caseworker"."""
    fund = application.fund
    if fund.spec.decided_in_meeting:
        return "committee"
    if fund.is_board_member(decider) and (
        not decider.has_role(Role.CASEWORKER) or application.above_delegated_limit
    ):
        return "board_member"
    return "caseworker"


def _case_caseworker(application, decider: User) -> dict[str, Any] | None:
    """The caseworker of the case: the decider if they decided as caseworker, else the last
    caseworker who took a step in it (screening, putting it before the board), if any."""
    if decider_role(application, decider) == "caseworker":
        person = decider
    else:
        person = None
        # The case's journal, newest first (Application.journal, the workflow's entries).
        journal = application.journal if getattr(application, "id", None) is not None else []
        for entry in reversed(journal):
            actor = entry.actor
            if actor is not None and actor.id != decider.id and actor.has_role(Role.CASEWORKER):
                person = actor
                break
    if person is None:
        return None
    return {"id": person.id, "name": person.name, "title": person.title}


def _budget_short(application) -> bool:
    """Whether the year's money, with what this case already holds, was less than applied
    for: the same answer before the decision (the preview) and after it (the letter)."""
    from grants.budgets.balances import application_money, balance

    applied = kroner(application.amount_applied or 0)
    granted = kroner(application.granted_amount or 0)
    if granted >= applied or application.departure_date is None:
        return False
    available = balance(application.fund_id, application.budget_year).available
    held = application_money(application)
    return available + (held.granted if held is not None else 0) < applied


def _public_trips_url() -> str:
    """The public trips page, where the published trips are (not the front page)."""
    from flask import url_for

    try:  # in a request, a job's request context, or with SERVER_NAME configured
        return url_for("publication.index", _external=True)
    except RuntimeError:
        return ""


def recipient_facts(application: Application) -> dict[str, Any]:
    """A person by name; an organisation by its name and CVR number, with the contact
    person who applied for it."""
    person = application.applicant
    organisation = application.organisation
    if organisation is None:
        return {
            "id": person.id,
            "kind": "person",
            "name": person.name,
            "department": person.department,
            "cvr": "",
            "address": "",
            "contact": "",
        }
    return {
        "id": person.id,
        # association, school or institution: the letter speaks to the organisation
        "kind": str(getattr(organisation.kind, "value", organisation.kind)),
        "name": organisation.name,
        "department": "",
        "cvr": organisation.cvr or "",
        "address": f"{organisation.address}, {organisation.postcode} {organisation.city}",
        "contact": person.name,
    }


def _json_safe(value: Any) -> Any:
    """``value`` with amounts and dates as strings ("8000.00", "2026-11-24"), for JSON."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if isinstance(value, Decimal):
        return str(kroner(value))
    if isinstance(value, (dt.date, dt.datetime)):  # datetime is a date too
        return value.isoformat()
    return value


def _safe_filename_part(text: str) -> str:
    # Case numbers are "2026-000123" today; keep a header-safe name whatever they become.
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "sag"
