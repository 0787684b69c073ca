"""Build a benchmark database: the migrations, the demo reference data, then N applications
over five years with their journals, ledger, reports, accounts and letters, by COPY.

    python bench/seed.py postgresql://postgres@127.0.0.1:5432/grants_bench_100k 100000

Deterministic (seeded random). Rows get explicit ids; the sequences are set after.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A small valid PDF: most letters' rows carry these bytes (the download test uses a real one).
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

EMPLOYEES = 3000
MANAGERS = 150
CASEWORKERS = 12
BOARD = 12
FINANCE = 3
ORGANISATIONS = 400

STUDY_PATH = [
    ("submit", "draft", "awaiting_endorsement", "applicant"),
    ("endorse", "awaiting_endorsement", "screening", "manager"),
    ("forward_for_decision", "screening", "awaiting_decision", "caseworker"),
    ("grant", "awaiting_decision", "granted", "caseworker"),
    ("submit_report", "granted", "report_submitted", "applicant"),
    ("approve_report", "report_submitted", "settled", "caseworker"),
]
SCREENING_PATH = [STUDY_PATH[0][:1] + ("draft", "screening", "applicant")] + STUDY_PATH[2:]

# (state, weight) for cases of past years and of this year.
PAST_STATES = [
    ("settled", 55),
    ("refused", 18),
    ("withdrawn", 8),
    ("cancelled", 3),
    ("granted", 4),
    ("partly_granted", 2),
    ("draft", 3),
    ("report_submitted", 2),
    ("report_returned", 1),
    ("screening", 1),
    ("awaiting_decision", 1),
    ("awaiting_information", 1),
    ("awaiting_endorsement", 1),
]
CURRENT_STATES = [
    ("draft", 10),
    ("awaiting_endorsement", 8),
    ("screening", 12),
    ("awaiting_information", 5),
    ("awaiting_decision", 10),
    ("granted", 15),
    ("partly_granted", 5),
    ("refused", 10),
    ("withdrawn", 5),
    ("report_submitted", 5),
    ("report_returned", 2),
    ("settled", 13),
]
DECIDED = {
    "granted",
    "partly_granted",
    "refused",
    "report_submitted",
    "report_returned",
    "settled",
    "cancelled",
}
GRANTED = {
    "granted",
    "partly_granted",
    "report_submitted",
    "report_returned",
    "settled",
    "cancelled",
}
REPORTED = {"report_submitted", "report_returned", "settled"}
# Fund codes and their share of the applications.
FUND_SHARE = {
    "studierejsefonden": 40,
    "ungdomsrejser": 22,
    "vaertskab": 4,
    "wuxi-udveksling": 4,
}  # the committees share the rest (30)
CITIES = [
    ("Berlin", "DE"),
    ("Paris", "FR"),
    ("London", "GB"),
    ("Stockholm", "SE"),
    ("Oslo", "NO"),
    ("Amsterdam", "NL"),
    ("Wien", "AT"),
    ("Rom", "IT"),
    ("Barcelona", "ES"),
    ("Helsinki", "FI"),
    ("Bruxelles", "BE"),
    ("Prag", "CZ"),
]
WORDS = [
    "konference",
    "studietur",
    "kursus",
    "netværk",
    "besøg",
    "udveksling",
    "seminar",
    "messe",
    "workshop",
    "skole",
    "musik",
    "idræt",
    "klima",
    "sundhed",
    "daginstitution",
    "ældrepleje",
    "digitalisering",
]


def run_migrations(url: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, GRANTS_CONFIG="development", FLASK_DEBUG="0")
    subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def load_reference_data(url: str) -> None:
    """The demo: routes, municipality, 11 funds, partner cities, rule sets, demo people."""
    from grants import create_app, demo
    from grants.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    with app.app_context():
        demo.load()
        db.session.commit()
        db.engine.dispose()


class Copier:
    """Rows as tab-separated text for COPY."""

    def __init__(self, table: str, columns: list[str]):
        self.table, self.columns, self.buf, self.count = table, columns, io.StringIO(), 0

    def add(self, *values) -> None:
        self.count += 1
        self.buf.write("\t".join(_text(v) for v in values))
        self.buf.write("\n")

    def flush(self, cur) -> None:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with cur.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
            copy.write(self.buf.getvalue())


def _text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n")


def seed(url: str, n: int, rng: random.Random) -> dict:
    today = dt.date.today()
    this_year = today.year
    years = list(range(this_year - 4, this_year + 1))
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        funds = {
            code: (fid, route, limit)
            for fid, code, route, limit in cur.execute(
                "SELECT f.id, f.code, r.code, f.delegated_limit FROM fund f "
                "JOIN workflow_route r ON r.id = f.route_id"
            ).fetchall()
        }
        routes = dict(cur.execute("SELECT code, id FROM workflow_route").fetchall())
        demo = dict(cur.execute('SELECT email, id FROM "user"').fetchall())
        pw_hash = cur.execute(
            'SELECT password_hash FROM "user" WHERE email = %s', ("medarbejder@ballerup.dk",)
        ).fetchone()[0]
        cities = [r[0] for r in cur.execute("SELECT id FROM partner_city").fetchall()]
        next_user = cur.execute('SELECT max(id) FROM "user"').fetchone()[0] + 1
        first_app = cur.execute("SELECT coalesce(max(id), 0) FROM application").fetchone()[0]
        first_report = cur.execute("SELECT coalesce(max(id), 0) FROM trip_report").fetchone()[0]
        next_org = cur.execute("SELECT coalesce(max(id), 0) FROM organisation").fetchone()[0] + 1

        # --- people -------------------------------------------------------------------
        users = Copier(
            "user",
            [
                "id",
                "email",
                "name",
                "title",
                "department",
                "password_hash",
                "locale",
                "active",
                "manager_id",
                "created_at",
                "updated_at",
            ],
        )
        roles = Copier("user_role", ["user_id", "role"])
        first = [
            "Anna",
            "Bo",
            "Carl",
            "Dorte",
            "Erik",
            "Fie",
            "Gustav",
            "Hanne",
            "Ib",
            "Jens",
            "Karen",
            "Lone",
            "Mads",
            "Nina",
            "Ole",
            "Pia",
            "Rasmus",
            "Signe",
            "Tue",
            "Ulla",
            "Viggo",
        ]
        last = [
            "Hansen",
            "Jensen",
            "Nielsen",
            "Pedersen",
            "Larsen",
            "Sørensen",
            "Rasmussen",
            "Petersen",
            "Berg",
        ]

        def person(kind: str, i: int, manager=None, staff_roles=()):
            nonlocal next_user
            uid = next_user
            next_user += 1
            users.add(
                uid,
                f"{kind}{i}@bench.ballerup.dk",
                f"{rng.choice(first)} {rng.choice(last)}",
                kind.title(),
                "Ballerup Kommune",
                pw_hash,
                "da",
                True,
                manager,
                now,
                now,
            )
            for role in staff_roles:
                roles.add(uid, role)
            return uid

        managers = [
            person("leder", i, staff_roles=("employee", "manager")) for i in range(MANAGERS)
        ]
        caseworkers = [
            person("sagsbehandler", i, staff_roles=("employee", "caseworker"))
            for i in range(CASEWORKERS)
        ]
        board = [
            person("bestyrelse", i, staff_roles=("employee", "board_member")) for i in range(BOARD)
        ]
        for i in range(FINANCE):
            person("okonomi", i, staff_roles=("employee", "finance"))
        employees = [
            person("medarbejder", i, rng.choice(managers), ("employee",)) for i in range(EMPLOYEES)
        ]
        orgs = Copier(
            "organisation",
            [
                "id",
                "name",
                "kind",
                "cvr",
                "address",
                "postcode",
                "city",
                "email",
                "phone",
                "created_at",
                "updated_at",
            ],
        )
        members = Copier("membership", ["organisation_id", "user_id", "created_at"])
        org_reps: list[tuple[int, int]] = []
        for i in range(ORGANISATIONS):
            oid = next_org + i
            orgs.add(
                oid,
                f"Forening {i}",
                rng.choice(["association", "school", "institution"]),
                f"{20000000 + i}",
                "Vej 1",
                rng.choice(["2740", "2750", "2760"]),
                "Ballerup",
                f"forening{i}@bench.example.dk",
                "",
                now,
                now,
            )
            for j in range(rng.choice([1, 1, 2])):
                uid = person(f"rep{i}x", j)
                members.add(oid, uid, now)
                org_reps.append((oid, uid))
        board_members = Copier("fund_board_member", ["fund_id", "user_id"])
        for fid, _route, _limit in funds.values():
            for uid in rng.sample(board, 3):
                board_members.add(fid, uid)

        # --- applications -------------------------------------------------------------
        app_cols = [
            "id",
            "case_number",
            "fund_id",
            "route_id",
            "state",
            "applicant_id",
            "organisation_id",
            "manager_id",
            "title",
            "purpose",
            "destination_city",
            "destination_country",
            "departure_date",
            "return_date",
            "programme",
            "travellers",
            "traveller_count",
            "other_funding",
            "other_funding_source",
            "amount_applied",
            "expected_benefit",
            "knowledge_sharing",
            "submitted_at",
            "endorsed",
            "endorsement_comment",
            "outcome",
            "granted_amount",
            "decision_reasons",
            "decided_at",
            "decided_by_id",
            "report_due",
            "created_at",
            "updated_at",
            "state_since",
        ]
        apps = Copier("application", app_cols)
        # The youth subsidies' own data, one row per case of a youth fund.
        youth_subsidies = Copier(
            "youth_subsidy",
            ["application_id", "partner_city_id", "participants_young", "participants_leaders"],
        )
        journal = Copier(
            "journal_entry",
            [
                "application_id",
                "created_at",
                "actor_id",
                "action",
                "from_state",
                "to_state",
                "comment",
                "visible_to_applicant",
            ],
        )
        ledger = Copier(
            "budget_entry",
            [
                "fund_id",
                "year",
                "kind",
                "amount",
                "application_id",
                "created_at",
                "created_by_id",
                "note",
                "voucher",
                "booked_on",
            ],
        )
        lines = Copier(
            "budget_line", ["application_id", "position", "category", "description", "amount"]
        )
        reports = Copier(
            "trip_report",
            [
                "id",
                "application_id",
                "what_was_done",
                "what_was_learned",
                "how_it_will_be_used",
                "participant_names",
                "participant_count",
                "submitted_at",
                "approved_at",
                "approved_by_id",
                "final_amount",
                "refund_amount",
                "trip_start",
                "created_at",
                "updated_at",
            ],
        )
        accounts = Copier(
            "account_line", ["report_id", "position", "category", "description", "amount"]
        )
        letters = Copier(
            "letter",
            [
                "application_id",
                "kind",
                "language",
                "template",
                "parameters",
                "filename",
                "pdf",
                "sha256",
                "size",
                "created_at",
                "created_by_id",
            ],
        )
        import hashlib

        tiny_sha = hashlib.sha256(TINY_PDF).hexdigest()
        committee_codes = [c for c in funds if c not in FUND_SHARE]
        fund_codes = list(FUND_SHARE) + committee_codes
        fund_weights = list(FUND_SHARE.values()) + [30 / len(committee_codes)] * len(
            committee_codes
        )
        reserved: dict[tuple[int, int], int] = {}
        heavy_applicant = demo["medarbejder@ballerup.dk"]
        # At least a full page of "my applications" (20) at any size, so that the page
        # compared at 100k and at 1k shows as many rows: 0.5 % of the study trips at 100k
        # (~250), 6 % at 1k (~30).
        heavy_share = max(0.005, 60 / n)
        forening = demo["forening@example.dk"]
        demo_manager = demo["leder@ballerup.dk"]
        demo_caseworker = demo["sagsbehandler@ballerup.dk"]
        per_year = n // len(years)
        counts = {"states": {}}
        report_id = first_report
        case_seq = {}
        for i in range(n):
            app_id = first_app + i + 1
            year = years[min(i // per_year, len(years) - 1)]
            states = CURRENT_STATES if year == this_year else PAST_STATES
            state = rng.choices([s for s, _ in states], [w for _, w in states])[0]
            code = rng.choices(fund_codes, fund_weights)[0]
            fund_id, route, limit = funds[code]
            study = route == "study_trip"
            if not study and state == "awaiting_endorsement":
                state = "screening"
            counts["states"][state] = counts["states"].get(state, 0) + 1
            organisation = None
            manager = None
            youth = code in ("ungdomsrejser", "vaertskab", "wuxi-udveksling")
            if study:
                applicant = heavy_applicant if rng.random() < heavy_share else rng.choice(employees)
                manager = demo_manager if applicant == heavy_applicant else rng.choice(managers)
            elif youth:
                organisation, applicant = rng.choice(org_reps)
                if rng.random() < 0.002:
                    applicant = forening
                    organisation = None
            else:
                applicant = rng.choice(employees)
            day_of_year = rng.randrange(0, 360)
            departure = dt.date(year, 1, 1) + dt.timedelta(days=day_of_year)
            back = departure + dt.timedelta(days=rng.randrange(2, 10))
            created = dt.datetime(year, 1, 1, 8, tzinfo=dt.UTC) + dt.timedelta(
                days=max(day_of_year - 60, 0), minutes=rng.randrange(0, 600)
            )
            submitted = None if state == "draft" else created + dt.timedelta(days=1)
            if submitted and submitted.date() > today:
                submitted = dt.datetime.combine(today, dt.time(8), dt.UTC)
            amount = rng.choice([rng.randrange(2000, 15000), rng.randrange(15000, 60000)]) * 100
            city, country = rng.choice(CITIES)
            partner = rng.choice(cities) if organisation else None
            seq = case_seq[year] = case_seq.get(year, 0) + 1
            case_number = None if state == "draft" else f"B{year}-{seq:06d}"
            outcome = granted = decided_at = decided_by = report_due = None
            if state in DECIDED:
                decided_by = rng.choice(caseworkers + [demo_caseworker])
                # 3 to 39 days to a decision (the time to decision on the dashboard),
                # from the id, so the random stream is the one it was.
                decided_at = (submitted or created) + dt.timedelta(days=3 + app_id * 7 % 37)
                if state == "refused":
                    outcome, granted = "refused", 0
                elif state == "partly_granted" or (
                    state not in ("granted", "refused") and rng.random() < 0.2
                ):
                    outcome, granted = "partly_granted", amount * 3 // 4
                else:
                    outcome, granted = "granted", amount
                if outcome != "refused":
                    report_due = back + dt.timedelta(days=42)
            title = f"{rng.choice(WORDS).title()} i {city} {year}"
            travellers = rng.randrange(1, 20) if organisation else 1
            apps.add(
                app_id,
                case_number,
                fund_id,
                routes[route],
                state,
                applicant,
                organisation,
                manager,
                title,
                f"Formål: {rng.choice(WORDS)}",
                city,
                country,
                departure,
                back,
                "Program: dag 1, dag 2, dag 3",
                "",
                travellers,
                0,
                "",
                amount,
                "Viden til afdelingen",
                "Oplæg på møde",
                submitted,
                (True if study and state not in ("draft", "awaiting_endorsement") else None),
                "",
                outcome,
                granted,
                "Begrundelse." if outcome == "partly_granted" or outcome == "refused" else "",
                decided_at,
                decided_by,
                report_due,
                created,
                decided_at or submitted or created,
                decided_at or submitted or created,
            )
            if youth:
                youth_subsidies.add(
                    app_id,
                    partner,
                    travellers if organisation else None,
                    1 if organisation else None,
                )
            lines.add(app_id, 0, "transport", "Fly", amount // 2)
            lines.add(app_id, 1, "accommodation", "Hotel", amount - amount // 2)

            # The journal: the path to the state, plus a created entry.
            path = STUDY_PATH if study else SCREENING_PATH
            journal.add(app_id, created, applicant, "created", "", "draft", "", True)
            when = created
            if state != "draft":
                for action, frm, to, role in path:
                    when = when + dt.timedelta(days=2)
                    if state in ("withdrawn", "awaiting_information") and frm == "screening":
                        journal.add(
                            app_id,
                            when,
                            applicant if state == "withdrawn" else demo_caseworker,
                            "withdraw" if state == "withdrawn" else "request_information",
                            frm,
                            state,
                            "Kommentar",
                            True,
                        )
                        break
                    actor = {
                        "applicant": applicant,
                        "manager": manager,
                        "caseworker": decided_by or demo_caseworker,
                    }.get(role)
                    if frm == "awaiting_decision" and outcome == "refused":
                        action, to = "refuse", "refused"
                    elif frm == "awaiting_decision" and outcome == "partly_granted":
                        action, to = "grant_part", "partly_granted"
                    journal.add(
                        app_id, when, actor, action, frm, to, "", action != "forward_for_decision"
                    )
                    if frm == "awaiting_decision":
                        journal.add(
                            app_id,
                            when,
                            actor,
                            "letter_issued",
                            "",
                            to,
                            f"afgoerelse-{case_number}.pdf",
                            True,
                        )
                    if to == state or (
                        to in ("granted", "partly_granted", "refused")
                        and state in ("refused", "cancelled")
                    ):
                        break
                    if state == "report_returned" and to == "report_submitted":
                        journal.add(
                            app_id,
                            when,
                            demo_caseworker,
                            "return_report",
                            to,
                            state,
                            "Mangler bilag",
                            True,
                        )
                        break
                if state == "cancelled":
                    journal.add(
                        app_id,
                        when,
                        demo_caseworker,
                        "cancel",
                        "granted",
                        "cancelled",
                        "Aflyst",
                        True,
                    )

            # The ledger, the letters, the reports.
            booked = decided_at.date() if decided_at else None
            if state in GRANTED:
                key = (fund_id, year)
                reserved[key] = reserved.get(key, 0) + granted
                ledger.add(
                    fund_id,
                    year,
                    "reservation",
                    granted,
                    app_id,
                    decided_at,
                    decided_by,
                    "",
                    "",
                    booked,
                )
                if state == "cancelled":
                    ledger.add(
                        fund_id,
                        year,
                        "release",
                        -granted,
                        app_id,
                        decided_at,
                        decided_by,
                        "Aflyst",
                        "",
                        booked,
                    )
            if state in DECIDED:
                letters.add(
                    app_id,
                    "decision",
                    "da",
                    "letters/decision.html",
                    {},
                    f"afgoerelse-{case_number}.pdf",
                    TINY_PDF,
                    tiny_sha,
                    len(TINY_PDF),
                    decided_at,
                    decided_by,
                )
            if state in REPORTED:
                report_id += 1
                approved = state == "settled"
                final = granted - (rng.randrange(0, granted // 10 + 1) if approved else 0)
                names = "\n".join(
                    f"{rng.choice(first)} {rng.choice(last)}" for _ in range(min(travellers, 4))
                )
                reports.add(
                    report_id,
                    app_id,
                    "Vi deltog i programmet.",
                    "Meget.",
                    "Deles i afdelingen.",
                    names,
                    travellers,
                    when,
                    when if approved else None,
                    decided_by if approved else None,
                    final if approved else None,
                    0,
                    departure,
                    when,
                    when,
                )
                spent = final
                for pos, category in enumerate(("transport", "accommodation", "fees", "meals")):
                    part = spent // 4 if pos < 3 else spent - 3 * (spent // 4)
                    accounts.add(report_id, pos, category, category.title(), part)
                if approved:
                    paid_on = min(back + dt.timedelta(days=30), today)
                    ledger.add(
                        fund_id,
                        year,
                        "payment",
                        final,
                        app_id,
                        decided_at,
                        decided_by,
                        "",
                        f"V{app_id}",
                        paid_on,
                    )
                    if final < granted:
                        ledger.add(
                            fund_id,
                            year,
                            "release",
                            final - granted,
                            app_id,
                            decided_at,
                            decided_by,
                            "Mindreforbrug",
                            "",
                            paid_on,
                        )
                    letters.add(
                        app_id,
                        "report",
                        "da",
                        "letters/report.html",
                        {},
                        f"rapport-{case_number}.pdf",
                        TINY_PDF,
                        tiny_sha,
                        len(TINY_PDF),
                        when,
                        decided_by,
                    )

        # Allocations: each fund and year gets its budget plus what it granted, so no fund
        # is overspent; and next year's budget.
        for fund_id, _route, _limit in funds.values():
            for year in years + [this_year + 1]:
                amount = 10_000_000 + int(reserved.get((fund_id, year), 0) * 1.1)
                ledger.add(
                    fund_id,
                    year,
                    "allocation",
                    amount,
                    None,
                    now,
                    None,
                    f"Bevilling {year}",
                    "",
                    dt.date(year - 1, 12, 15),
                )

        cur.execute("DELETE FROM budget_entry")  # the demo's own allocations: ours replace them
        for copier in (
            users,
            roles,
            orgs,
            members,
            board_members,
            apps,
            youth_subsidies,
            lines,
            journal,
            ledger,
            reports,
            accounts,
            letters,
        ):
            copier.flush(cur)
            counts[copier.table] = copier.count
        for table in (
            "user",
            "user_role",
            "organisation",
            "membership",
            "fund_board_member",
            "application",
            "budget_line",
            "journal_entry",
            "budget_entry",
            "trip_report",
            "account_line",
            "letter",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
        # The ledger's running totals, as the app keeps them with each entry (the COPY
        # bypassed the app): the same statement as the migration's backfill.
        cur.execute("DELETE FROM budget_total")
        cur.execute(
            "INSERT INTO budget_total (fund_id, year, booked_year, booked_month, kind, amount, "
            "entries) SELECT fund_id, year, CAST(EXTRACT(year FROM booked_on) AS INTEGER), "
            "CAST(EXTRACT(month FROM booked_on) AS INTEGER), kind, sum(amount), count(*) "
            "FROM budget_entry GROUP BY 1, 2, 3, 4, 5"
        )
        # ... and each grant's granted, spent and releases (migration b3d5f7a9c1e4).
        cur.execute("DELETE FROM budget_grant")
        cur.execute(
            "INSERT INTO budget_grant (application_id, fund_id, year, granted, spent, releases) "
            "SELECT application_id, fund_id, year, "
            "coalesce(sum(amount) FILTER (WHERE kind IN ('reservation', 'adjustment', "
            "'release')), 0), "
            "coalesce(sum(amount) FILTER (WHERE kind IN ('payment', 'refund')), 0), "
            "count(*) FILTER (WHERE kind = 'release') FROM budget_entry "
            "WHERE application_id IS NOT NULL AND kind IN ('reservation', 'adjustment', "
            "'release', 'payment', 'refund') GROUP BY 1, 2, 3"
        )
        # ... and the applications waiting for a decision (migration 3c1d2e9f7a01).
        cur.execute("DELETE FROM budget_waiting")
        cur.execute(
            "INSERT INTO budget_waiting (fund_id, year, applications, amount) "
            "SELECT fund_id, CAST(EXTRACT(year FROM departure_date) AS INTEGER), count(*), "
            "coalesce(sum(amount_applied), 0) FROM application WHERE departure_date IS NOT NULL "
            "AND state NOT IN ('draft', 'withdrawn') AND outcome IS NULL GROUP BY 1, 2"
        )
        conn.commit()
    # ... and the counts behind the processing times (grants.reports.processing) and the day
    # each case waits for whose step from (grants.workflow.waits_for): the app's own.
    derive_with_the_app(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return counts


def derive_with_the_app(url: str) -> None:
    """The processing times' running counts and the days the cases wait for whose step
    from, as the app keeps them with every case (the COPY bypassed the app): the app's own
    rebuilds, one statement each."""
    from grants import create_app
    from grants.extensions import db
    from grants.reports import processing
    from grants.workflow import waits_for

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    with app.app_context():
        processing.rebuild()
        waits_for.refresh(db.session.connection())
        db.session.commit()
        db.engine.dispose()


def make_real_letter(url: str) -> int:
    """One real decision letter made by the app (issue_decision_letter) on a granted case
    without a letter row yet: the bytes the download test fetches. Returns its id."""
    from grants import create_app
    from grants.cases.models import Application
    from grants.extensions import db
    from grants.letters.models import Letter
    from grants.letters.operations import issue_decision_letter
    from grants.people.models import User

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    with app.app_context(), app.test_request_context():
        application = db.session.scalar(
            db.select(Application)
            .where(Application.state == "granted", Application.fund.has(code="studierejsefonden"))
            .order_by(Application.id.desc())
            .limit(1)
        )
        db.session.execute(
            db.delete(Letter).where(
                Letter.application_id == application.id, Letter.kind == "decision"
            )
        )
        actor = db.session.get(User, application.decided_by_id)
        letter = issue_decision_letter(application, actor)
        db.session.commit()
        letter_id = letter.id
        db.engine.dispose()
    return letter_id


def build(url: str, n: int) -> dict:
    started = time.perf_counter()
    run_migrations(url)
    t_migrate = time.perf_counter()
    load_reference_data(url)
    counts = seed(url, n, random.Random(n))
    t_seed = time.perf_counter()
    counts["real_letter_id"] = make_real_letter(url)
    counts["seconds"] = {
        "migrate": round(t_migrate - started, 1),
        "seed": round(t_seed - t_migrate, 1),
        "total": round(time.perf_counter() - started, 1),
    }
    return counts


if __name__ == "__main__":
    print(json.dumps(build(sys.argv[1], int(sys.argv[2])), indent=1))
