"""Payment batches for the finance system (issue 23 point 2; the layouts in docs/payments.md).

``export_batch`` puts every payment due that is not already in a batch waiting for its
confirmation into a new batch numbered ``<year>-<nnnn>``; its lines are *sent*, so the next
batch holds only what is new. ``confirm`` reads the finance system's confirmation (batch
number, line, voucher, day) and marks each line *paid* through ``operations.pay``: all lines
are checked first; a line recorded as paid already with its amount (by hand, before the
file came) is reported and left as it is, and any other bad line, a line withdrawn
(``operations.withdraw_line``) among them, refuses the whole file. No
bank account number and no CPR number is ever written: the recipient is the association's
CVR number, or for a person the case number (the finance department finds the person's
NemKonto through its own CPR lookup)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grants.budgets.exports import Column
from grants.budgets.models import BudgetEntry, EntryKind
from grants.cases.models import Application
from grants.core import access, clock
from grants.core.errors import DomainError
from grants.core.formatting import long_date, money
from grants.core.input import has_control_characters, whole_number
from grants.core.money import kroner
from grants.extensions import db
from grants.funds import accounts
from grants.funds.models import Fund
from grants.payments.models import PAID, SENT, WITHDRAWN, PaymentBatch, PaymentBatchLine
from grants.payments.operations import VOUCHER_MAX, local_day, pay
from grants.payments.queries import open_items

MAX_CONFIRMATION_LINES = 5000
# The municipality's organisation unit in every Prisme line's header (PRISME_ORGANISATION_UNIT,
# checked at start-up): exactly 4 digits, never padded or cut into another number.
ORGANISATION_UNIT = re.compile(r"[0-9]{4}")
LONGEST_LINE = 1000


# How many times a batch tries for a number that another batch, made at the same moment,
# did not take meanwhile: each try waits for that other batch's request to end.
NUMBER_TRIES = 5


class UnwritableBatch(DomainError):
    """A value that would break a line of the finance system's files (a ";" or a line break
    in the Prisme file, a formula in a spreadsheet): nothing is built or written."""


def _check_account_strings(pairs) -> None:
    """Refuse a fund with no account string (its lines would post on no account: ``111=``),
    or one that breaks the rule (grants.funds.accounts): one set past the fund form and the
    profile, straight in the database. ``pairs``: (fund, case number) of every line; the
    refusal names the fund and its cases."""
    cases: dict[Fund, list[str]] = {}
    for fund, case_number in pairs:
        cases.setdefault(fund, []).append(case_number)
    for fund in sorted(cases, key=lambda f: f.id):
        problem = accounts.for_file(fund.account_string or "")
        if problem == accounts.MISSING:
            named = sorted(cases[fund])
            raise UnwritableBatch(
                _(
                    "Puljen %(fund)s har ingen kontostreng, så dens udbetalinger kan ikke "
                    "bogføres i økonomisystemet (sag %(cases)s). Administratoren skriver den i "
                    "puljens indstillinger.",
                    fund=fund.name,
                    cases=", ".join(named[:5]) + (" …" if len(named) > 5 else ""),
                )
            )
        if problem is not None:
            raise UnwritableBatch(
                _(
                    "Puljen %(fund)s har en kontostreng, der ikke kan skrives i filerne til "
                    "økonomisystemet: %(problem)s Administratoren retter den i puljens "
                    "indstillinger.",
                    fund=fund.name,
                    problem=accounts.MESSAGES[problem],
                )
            )


def _next_number(year: int) -> str:
    prefix = f"{year}-"
    count = db.session.scalar(
        select(func.count()).select_from(PaymentBatch).where(PaymentBatch.number.like(prefix + "%"))
    )
    return f"{prefix}{count + 1:04d}"


def _numbered(actor) -> PaymentBatch:
    """A new batch with the year's next number. The funds' locks do not keep two batches
    apart (two batches of different funds hold different locks), so the number is taken on
    the unique constraint: inserted in a savepoint, and if another batch made at the same
    moment took it (PostgreSQL makes this insert wait for that batch's commit; SQLite has one
    writer), the savepoint alone is rolled back and the next number counted again. Never a
    server error: after NUMBER_TRIES a clear "try again" that changes nothing."""
    from grants.budgets.lock import BudgetBusy, refused_when_busy

    for _try in range(NUMBER_TRIES):
        batch = PaymentBatch(number=_next_number(clock.today().year), created_by_id=actor.id)
        try:
            with refused_when_busy(), db.session.begin_nested():
                db.session.add(batch)
                db.session.flush()
        except IntegrityError:
            taken = db.session.scalar(
                select(PaymentBatch.id).where(PaymentBatch.number == batch.number)
            )
            if taken is None:  # not the number: the constraint of something else
                raise
            continue
        return batch
    raise BudgetBusy(_("En anden bunke blev dannet i samme øjeblik. Prøv igen."))


def waiting_application_ids() -> set[int]:
    """Cases with a line sent and not yet confirmed: never exported again until confirmed."""
    return set(
        db.session.scalars(
            select(PaymentBatchLine.application_id).where(PaymentBatchLine.status == SENT)
        )
    )


def export_batch(actor) -> PaymentBatch:
    """A new batch of every payment due that is not waiting in an earlier batch."""
    from grants.budgets.lock import lock_fund

    def new_items(fund_ids: set[int] | None = None) -> list:
        due, _refunds = open_items()
        waiting = waiting_application_ids()
        return [
            item
            for item in due
            if item.application_id not in waiting and (fund_ids is None or item.fund_id in fund_ids)
        ]

    fund_ids = sorted({item.fund_id for item in new_items()})
    for fund_id in fund_ids:
        lock_fund(db.session.get(Fund, fund_id))  # one batch number at a time per fund
    # Read again under the locks: a batch made meanwhile (a double click, two finance
    # officers at once) holds its lines already, and they must not go out twice.
    items = new_items(set(fund_ids))
    if not items:
        raise DomainError(_("Der er ingen nye udbetalinger at sende."))
    try:
        _check_account_strings(
            (db.session.get(Fund, item.fund_id), item.case_number or str(item.application_id))
            for item in items
        )
    except UnwritableBatch as error:
        raise UnwritableBatch(error.message + " " + _("Ingen bunke er dannet.")) from None
    batch = _numbered(actor)
    for position, item in enumerate(items, start=1):
        batch.lines.append(
            PaymentBatchLine(
                position=position, application_id=item.application_id, amount=item.outstanding
            )
        )
    db.session.flush()
    return batch


def recipient_reference(application: Application) -> tuple[str, str]:
    """(kind, reference): ("CVR", the association's number) or ("SAG", the case number)."""
    organisation = application.organisation
    if organisation is not None and organisation.cvr:
        return "CVR", organisation.cvr
    return "SAG", application.case_number or str(application.id)


def rows(batch: PaymentBatch) -> list[dict]:
    """The batch's lines for its files, without the withdrawn ones: a file downloaded again
    and sent to the finance system must not pay a withdrawn line, whose money is due again
    and goes in a later batch. The other lines keep their numbers."""
    live = [line for line in batch.lines if line.status != WITHDRAWN]
    _check_account_strings(
        (line.application.fund, line.application.case_number or str(line.application_id))
        for line in live
    )
    result = []
    for line in live:
        application = line.application
        kind, reference = recipient_reference(application)
        row = {
            "batch": batch.number,
            "line": line.position,
            "case_number": application.case_number or "",
            "recipient_kind": kind,
            "recipient": reference,
            "account_string": application.fund.account_string,
            "fund_code": application.fund.code,
            "amount": line.amount,
            "text": _posting_text(batch, line),
        }
        for value in row.values():
            if isinstance(value, str) and (";" in value or has_control_characters(value)):
                raise UnwritableBatch(
                    _(
                        "Bunke %(number)s kan ikke skrives: sag %(case)s har en værdi med "
                        "semikolon eller linjeskift (%(value)s), som ville ødelægge linjen i "
                        "filen til økonomisystemet.",
                        number=batch.number,
                        case=application.id,
                        value=repr(value),
                    )
                )
        result.append(row)
    return result


def _posting_text(batch: PaymentBatch, line: PaymentBatchLine) -> str:
    return f"Rejsetilskud {line.application.case_number or line.application_id} {batch.number}"


# The CSV's header is the keys (fixed, for the finance system); the XLSX's the titles, in
# the reader's language like the sheet's name.
COLUMNS = [
    Column("batch", _l("Bunke")),
    Column("line", _l("Linje"), "int"),
    Column("case_number", _l("Sagsnr.")),
    Column("recipient_kind", _l("Modtagertype")),
    Column("recipient", _l("Modtager (CVR-nr. eller sagsnr.)")),
    Column("account_string", _l("Kontostreng")),
    Column("fund_code", _l("Puljekode")),
    Column("amount", _l("Beløb (kr.)"), "money"),
    Column("text", _l("Posteringstekst")),
]


# -- the Prisme layout (G68 payment to NemKonto, G69 posting on the account string) ----------


def _amount(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def prisme_lines(batch: PaymentBatch, organisation_unit: str, posting_day: dt.date) -> list[str]:
    """One G68 (the payment to the recipient's NemKonto) and one G69 (the debit posting on
    the fund's account string) per line. The start headers follow the sources in
    docs/payments.md; the floating part's separator and field numbers other than 111
    (account) and 153 (posting text) are assumptions to confirm with the finance department."""
    if not ORGANISATION_UNIT.fullmatch(organisation_unit):
        raise ValueError(f"organisation unit {organisation_unit!r}: 4 digits (config.py)")
    unit = organisation_unit
    out: list[str] = []
    number = 0
    for row in rows(batch):
        number += 1
        recipient = f"{'CVR' if row['recipient_kind'] == 'CVR' else 'REF'}:{row['recipient']}"
        out.append(
            ";".join(
                [
                    f"000G68{number:05d}{unit}011",
                    f"ydelsesmodtager={recipient}",
                    f"beloeb={_amount(row['amount'])}",
                    f"betalingstekst={row['text'][:81]}",
                    f"henvisning={batch.number}-{row['line']:04d}",
                ]
            )
        )
        number += 1
        out.append(
            ";".join(
                [
                    f"000G69{number:05d}{unit}01NORFLYD",
                    f"110={posting_day:%Y%m%d}",
                    f"111={row['account_string']}",
                    f"112={_amount(row['amount'])}",
                    "113=D",
                    f"153={row['text'][:81]}",
                    f"henvisning={batch.number}-{row['line']:04d}",
                ]
            )
        )
    return out


def parse_prisme_line(line: str) -> dict:
    """A line of ``prisme_lines`` back into its fields (for the tests and for support)."""
    head, *fields = line.split(";")
    parsed = {
        "registreringssted": head[0:3],
        "snitfladetype": head[3:6],
        "linieloebenr": int(head[6:11]),
        "organisationsenhed": head[11:15],
    }
    if parsed["snitfladetype"] == "G68":
        parsed["transaktionstype"], parsed["flyd_fast"] = head[15:17], head[17:18]
    else:
        parsed["organisations_type"] = head[15:17]
        parsed["posteringstype"], parsed["linieformat"] = head[17:20], head[20:24]
    for field in fields:
        key, _sep, value = field.partition("=")
        parsed[key] = value
    return parsed


# -- the confirmation ----------------------------------------------------------------------


def _refuse(problems: list[str]) -> None:
    raise DomainError(" ".join(problems[:20]), field="file")


@dataclass(frozen=True)
class Confirmed:
    """What a confirmation file did: the lines it marked paid now, and the lines it names
    that were recorded as paid already (by hand, the API or an earlier file), with the same
    amount: reported, not recorded twice."""

    paid: int
    already: list[PaymentBatchLine]


def recorded_under_voucher(line: PaymentBatchLine) -> Decimal:
    """What was recorded as paid on the line's case under the voucher that marked the line
    paid (``operations.pay``): the line's amount when it was paid as sent."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(BudgetEntry.amount), 0)).where(
            BudgetEntry.application_id == line.application_id,
            BudgetEntry.kind == EntryKind.PAYMENT,
            BudgetEntry.voucher == line.voucher,
        )
    )
    return kroner(total or 0)


# The one way a day is written in a confirmation file (docs/payments.md): ``ÅÅÅÅ-MM-DD``.
# ``date.fromisoformat`` alone reads ``20261207`` and ISO week days (``2026-W50-1``) too. A
# day in another shape says the finance system's export is not the one agreed on (eight
# digits do not say their order), so it is refused, naming the line, rather than guessed.
CONFIRMATION_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def confirmation_day(written: str) -> dt.date | None:
    """The day ``written`` says if it is a day's own ``ÅÅÅÅ-MM-DD``; otherwise None."""
    if not CONFIRMATION_DAY.fullmatch(written):
        return None
    try:
        return dt.date.fromisoformat(written)
    except ValueError:  # 2026-02-30
        return None


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _records(reader: csv.DictReader):
    """(the file's line number, the row) for each row, numbered as a text editor counts the
    lines (blank lines too; a row over several lines by its first); (line, None) for a line
    that is no CSV, and nothing after it."""
    rows = iter(reader)
    while True:
        try:
            record = next(rows)
        except StopIteration:
            return
        except csv.Error:
            yield reader.line_num, None
            return
        # The line it starts on: line_num is the last of a row with a line break in a field.
        # (A row with more fields than the header keeps the extra ones in a list.)
        values = [
            v for value in record.values() for v in (value if isinstance(value, list) else [value])
        ]
        breaks = sum(len(LINE_BREAK.findall(value)) for value in values if value)
        yield reader.line_num - breaks, record


def confirm(text: str, actor) -> Confirmed:
    """Mark the confirmed lines paid. The file: CSV with the header
    ``batch;line;voucher;paid_on`` (``,`` works too). A line recorded as paid already with
    its amount (marked paid by hand meanwhile, or a file read twice) is reported and left as
    it is; every other problem, a line paid already with another amount among them, refuses
    the whole file, naming its lines."""
    lines = text.splitlines()
    first = lines[0] if text.strip() else ""
    # A confirmation line is some 40 characters; a longer one is no confirmation (and one
    # over the csv module's field limit would stop the reader).
    too_long = [number for number, line in enumerate(lines, start=1) if len(line) > LONGEST_LINE]
    if too_long:
        _refuse(
            [
                _(
                    "Linje %(n)d: linjen er for lang (højst %(most)d tegn).",
                    n=number,
                    most=LONGEST_LINE,
                )
                for number in too_long
            ]
        )
    delimiter = ";" if ";" in first or "," not in first else ","
    # newline="": the csv module reads the line endings itself (CR alone too, from an old
    # Mac export), and a line break inside a quoted field stays in the field.
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = {"batch", "line", "voucher", "paid_on"}
    try:
        fieldnames = reader.fieldnames
    except csv.Error:
        fieldnames = None
    if not fieldnames or not columns <= {name.strip() for name in fieldnames}:
        _refuse([_("Filen skal have kolonnerne batch, line, voucher og paid_on.")])
    problems: list[str] = []
    found: list[tuple[PaymentBatchLine, str, dt.date]] = []
    already: list[PaymentBatchLine] = []
    seen: set[int] = set()
    today = clock.today()
    for number, record in _records(reader):
        if record is None:
            # A field over the reader's limit, a stray quote: the line is no CSV, and the
            # lines after it cannot be told apart. Nothing after it is read.
            problems.append(
                _(
                    "Linje %(n)d: linjen kan ikke læses som CSV. Gem filen igen som CSV "
                    "(UTF-8, semikolon eller komma mellem felterne).",
                    n=number,
                )
            )
            break
        if number > MAX_CONFIRMATION_LINES:
            _refuse([_("Filen har for mange linjer.")])
        batch_number = (record.get("batch") or "").strip()
        position = (record.get("line") or "").strip()
        voucher = (record.get("voucher") or "").strip()
        written = (record.get("paid_on") or "").strip()
        paid_on = confirmation_day(written)
        if paid_on is None and not written:
            problems.append(
                _(
                    "Linje %(n)d: datoen mangler. Skriv den ÅÅÅÅ-MM-DD, f.eks. %(example)s.",
                    n=number,
                    example=today.isoformat(),
                )
            )
            continue
        if paid_on is None:
            problems.append(
                _(
                    "Linje %(n)d: datoen »%(written)s« skal skrives ÅÅÅÅ-MM-DD, f.eks. "
                    "%(example)s.",
                    n=number,
                    written=written if len(written) <= 20 else written[:20] + "…",
                    example=today.isoformat(),
                )
            )
            continue
        line = None
        if whole_number(position) is not None:
            line = db.session.scalar(
                select(PaymentBatchLine)
                .join(PaymentBatch)
                .where(
                    PaymentBatch.number == batch_number, PaymentBatchLine.position == int(position)
                )
            )
        if line is None:
            problems.append(_("Linje %(n)d: ukendt bunke eller linje.", n=number))
        elif not access.may(actor, "payments.record", line.application):
            # Nobody records money on a case they have a personal interest in, by hand or by
            # file (payments.permissions): another finance officer reads this file in.
            problems.append(
                _(
                    "Linje %(n)d: sag %(case)s er din egen eller din organisations, så en "
                    "anden økonomimedarbejder skal indlæse filen.",
                    n=number,
                    case=line.application.case_number or line.application_id,
                )
            )
        elif line.id in seen:
            problems.append(
                _(
                    "Linje %(n)d: bunke %(b)s linje %(l)d står også tidligere i filen.",
                    n=number,
                    b=batch_number,
                    l=line.position,
                )
            )
        elif line.status == WITHDRAWN:
            # The finance officer withdrew it (the finance system would not pay it), and its
            # money is due again: a file that says it was paid needs looking into.
            problems.append(
                _(
                    "Linje %(n)d: bunke %(b)s linje %(l)d (sag %(case)s) er tilbagekaldt den "
                    "%(date)s (%(reason)s) og kan ikke registreres som betalt. Afstem sagen med "
                    "økonomisystemet, og tag linjen ud af filen.",
                    n=number,
                    b=batch_number,
                    l=line.position,
                    case=line.application.case_number or line.application_id,
                    date=long_date(local_day(line.withdrawn_at or line.batch.created_at)),
                    reason=line.withdrawn_reason,
                )
            )
        elif not voucher or len(voucher) > VOUCHER_MAX:
            problems.append(_("Linje %(n)d: skriv bilagsnummeret (højst 60 tegn).", n=number))
        elif has_control_characters(voucher):
            # A NUL byte PostgreSQL cannot store, a line break or an escape no export can
            # write as it is: the finance system's voucher numbers have none.
            problems.append(
                _(
                    "Linje %(n)d: skriv bilagsnummeret uden styretegn og linjeskift.",
                    n=number,
                )
            )
        elif paid_on > today:
            problems.append(_("Linje %(n)d: datoen kan ikke ligge i fremtiden.", n=number))
        elif paid_on < local_day(line.batch.created_at):
            problems.append(
                _(
                    "Linje %(n)d: datoen kan ikke ligge før bunken blev dannet den %(date)s.",
                    n=number,
                    date=long_date(local_day(line.batch.created_at)),
                )
            )
        elif line.status == PAID:
            seen.add(line.id)
            recorded = recorded_under_voucher(line)
            if recorded == line.amount:
                already.append(line)
            else:
                problems.append(
                    _(
                        "Linje %(n)d: bunke %(b)s linje %(l)d (sag %(case)s) er allerede "
                        "registreret som betalt med %(recorded)s (bilag %(voucher)s), men "
                        "linjen er på %(amount)s: afstem sagen med økonomisystemet, og tag "
                        "linjen ud af filen.",
                        n=number,
                        b=batch_number,
                        l=line.position,
                        case=line.application.case_number or line.application_id,
                        recorded=money(recorded),
                        voucher=line.voucher,
                        amount=money(line.amount),
                    )
                )
        else:
            seen.add(line.id)
            found.append((line, voucher, paid_on))
    if problems:
        _refuse(problems)
    if not found and already:
        _refuse([_("Alle linjer i filen er allerede betalt og registreret. Intet er ændret.")])
    if not found:
        _refuse([_("Filen indeholder ingen linjer.")])
    from grants.budgets.lock import lock_fund

    # The funds' locks first, in id order, as a year's closing and a batch's export take
    # them: paid in the file's order, a file of two funds could take them the other way
    # round from a closing at the same moment, and the two would deadlock.
    for fund_id in sorted({entry[0].application.fund_id for entry in found}):
        lock_fund(db.session.get(Fund, fund_id))
    # Each line as it is now, under the locks: one withdrawn or paid by hand at the same
    # moment (after the rows were checked) is not paid over; read in again, the file names it.
    changed = []
    for line, _voucher, _paid_on in found:
        db.session.refresh(line)
        if line.status != SENT:
            changed.append(
                _(
                    "Bunke %(b)s linje %(l)d blev betalt eller tilbagekaldt, mens filen blev "
                    "læst. Intet er registreret; læs filen ind igen.",
                    b=line.batch.number,
                    l=line.position,
                )
            )
    if changed:
        _refuse(changed)
    for line, voucher, paid_on in found:
        try:
            pay(line.application, line.amount, actor, paid_on, voucher)
        except DomainError as error:
            where = _("Bunke %(b)s linje %(n)d:", b=line.batch.number, n=line.position)
            _refuse([f"{where} {error.message}"])
        line.status, line.voucher = PAID, voucher
    return Confirmed(paid=len(found), already=already)


def batches() -> list[PaymentBatch]:
    return list(db.session.scalars(select(PaymentBatch).order_by(PaymentBatch.id.desc())))
