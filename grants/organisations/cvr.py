"""The CVR number: its check digit, and the CVR register that knows the company behind it.

A CVR number is eight digits whose weighted sum (weights 2, 7, 6, 5, 4, 3, 2, 1) is divisible
by 11 (modulus 11). A typing error in one digit, or two neighbouring digits swapped, always
breaks the check, so it is refused before the register is asked.

The register is Erhvervsstyrelsen's system-to-system access ("CVR-data, system til system"):
an Elasticsearch index at ``CVR_REGISTER_URL`` (production:
``http://distribution.virk.dk/cvr-permanent/virksomhed/_search``), asked with HTTP basic
authentication (``CVR_REGISTER_USER`` and ``CVR_REGISTER_PASSWORD``, granted by
Erhvervsstyrelsen on application: docs/integrations.md). Only the fields the app keeps are
asked for: the newest name, the newest address and the status. With no URL configured the
app checks the digits only and the association types its own name and address.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import current_app

WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)

# The register's statuses of a company that no longer exists (sammensatStatus).
CEASED_STATUSES = {
    "ophørt",
    "opløst",
    "opløst efter konkurs",
    "opløst efter fusion",
    "opløst efter spaltning",
    "tvangsopløst",
    "slettet",
}


def check_digit_ok(cvr: str) -> bool:
    """Whether ``cvr`` is eight digits with a valid modulus 11 check."""
    if len(cvr) != 8 or not cvr.isascii() or not cvr.isdigit() or cvr[0] == "0":
        return False
    return sum(int(digit) * weight for digit, weight in zip(cvr, WEIGHTS, strict=True)) % 11 == 0


@dataclass(frozen=True)
class Company:
    """What the register says about a CVR number: the newest name and address."""

    cvr: str
    name: str
    address: str
    postcode: str
    city: str
    status: str
    ceased: bool


class RegisterUnavailable(Exception):
    """The register could not be asked (down, refused our credentials, answered nonsense)."""


class CvrRegister:
    """Erhvervsstyrelsen's system-to-system access, or a service that answers as it does."""

    def __init__(self, url: str, credentials: tuple[str, str] | None = None, timeout: float = 10):
        if not url.startswith(("https://", "http://")):
            raise ValueError("CVR_REGISTER_URL must be an http(s) address")
        self.url = url
        self.credentials = credentials  # (user, password) for basic authentication
        self.timeout = timeout

    def lookup(self, cvr: str) -> Company | None:
        """The company with number ``cvr``, or None when the register has no such number."""
        query = {
            "_source": [
                "Vrvirksomhed.cvrNummer",
                "Vrvirksomhed.virksomhedMetadata.nyesteNavn",
                "Vrvirksomhed.virksomhedMetadata.nyesteBeliggenhedsadresse",
                "Vrvirksomhed.virksomhedMetadata.sammensatStatus",
                "Vrvirksomhed.livsforloeb",
            ],
            "query": {"term": {"Vrvirksomhed.cvrNummer": int(cvr)}},
        }
        try:
            response = requests.post(
                self.url, json=query, auth=self.credentials, timeout=self.timeout
            )
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as error:
            raise RegisterUnavailable(str(error)) from error
        try:
            hits = answer["hits"]["hits"]
        except (KeyError, TypeError) as error:
            raise RegisterUnavailable("unexpected answer") from error
        for hit in hits:
            company = _company(hit.get("_source", {}).get("Vrvirksomhed") or {})
            if company is not None and company.cvr == cvr:
                return company
        return None


def _company(record: dict) -> Company | None:
    meta = record.get("virksomhedMetadata") or {}
    name = ((meta.get("nyesteNavn") or {}).get("navn") or "").strip()
    if not record.get("cvrNummer") or not name:
        return None
    where = meta.get("nyesteBeliggenhedsadresse") or {}
    street = " ".join(
        str(part)
        for part in (
            where.get("vejnavn"),
            f"{where.get('husnummerFra') or ''}{where.get('bogstavFra') or ''}",
        )
        if part
    ).strip()
    floor = ", ".join(str(p) for p in (where.get("etage"), where.get("sidedoer")) if p)
    address = f"{street}, {floor}" if street and floor else street
    if where.get("conavn"):
        address = f"c/o {where['conavn']}, {address}" if address else f"c/o {where['conavn']}"
    status = str(meta.get("sammensatStatus") or "").strip()
    ended = any(
        (period.get("periode") or {}).get("gyldigTil") for period in record.get("livsforloeb") or []
    ) and not any(
        not (period.get("periode") or {}).get("gyldigTil")
        for period in record.get("livsforloeb") or []
    )
    return Company(
        cvr=str(record["cvrNummer"]).zfill(8),
        name=name,
        address=address,
        postcode=str(where.get("postnummer") or ""),
        city=str(where.get("postdistrikt") or ""),
        status=status,
        ceased=ended or status.lower() in CEASED_STATUSES,
    )


def configured_register() -> CvrRegister | None:
    """The register the municipality has configured, or None (the digits are checked only)."""
    url = current_app.config.get("CVR_REGISTER_URL") or ""
    if not url:
        return None
    user = current_app.config.get("CVR_REGISTER_USER") or ""
    secret = current_app.config.get("CVR_REGISTER_PASSWORD") or ""
    return CvrRegister(
        url,
        (user, secret) if user else None,
        float(current_app.config.get("CVR_REGISTER_TIMEOUT") or 10),
    )
