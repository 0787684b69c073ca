"""A MeMo message (the Danish message format of Next Generation Digital Post, version 1.2):
the letter's PDF as the main document, its title, the case number and the fund's KLE number.

Only what a letter needs is built. The element names and their order follow the MeMo 1.2
schema as python-serviceplatformen models it (``python_serviceplatformen.models.message``):
elements in the MeMo namespace, the CPR/CVR data in the core model's (``grd``), the KLE data
in KLE's own. The library itself is not used: see docs/integrations.md for why.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass

# Builds XML only, never parses any: nothing untrusted is read.
from xml.etree.ElementTree import (  # nosec B405
    Element,
    SubElement,
    register_namespace,
    tostring,
)

MEMO = "https://DigitalPost.dk/MeMo-1"
GRD = "https://data.gov.dk/model/core/"
KLE = "http://kle-online.dk/"
MEMO_VERSION = "1.2"
NAMESPACES = {"memo": MEMO, "grd": GRD, "kle": KLE}
for _prefix, _uri in NAMESPACES.items():
    register_namespace(_prefix, _uri)

CPR = "CPR"
CVR = "CVR"


@dataclass(frozen=True)
class Party:
    """A sender or recipient: its id (a CVR number, a CPR number) and what it is called."""

    id: str
    id_type: str  # CPR or CVR (a sender: CVR, the municipality's)
    label: str


@dataclass(frozen=True)
class Letter:
    """What a MeMo message carries of a letter."""

    title: str
    case_number: str
    filename: str
    language: str
    pdf: bytes
    kle_number: str = ""
    handling_code: str = ""
    case_system: str = "Rejsetilskud"


def _text(parent: Element, name: str, value: str, namespace: str = MEMO) -> None:
    SubElement(parent, f"{{{namespace}}}{name}").text = value


def _party(parent: Element, tag: str, prefix: str, party: Party) -> None:
    element = SubElement(parent, f"{{{MEMO}}}{tag}")
    _text(element, f"{prefix}ID", party.id)
    _text(element, "idType", party.id_type)
    _text(element, "label", party.label)


def message(
    sender: Party,
    recipient: Party,
    letter: Letter,
    *,
    message_uuid: str | None = None,
    created: dt.datetime | None = None,
) -> Element:
    """The MeMo ``Message`` element of a Digital Post letter."""
    root = Element(f"{{{MEMO}}}Message", {"memoVersion": MEMO_VERSION})
    header = SubElement(root, f"{{{MEMO}}}MessageHeader")
    _text(header, "messageType", "DIGITALPOST")
    _text(header, "messageUUID", message_uuid or str(uuid.uuid4()))
    _text(header, "label", letter.title)
    # A decision (afgørelse) is a legal notification: the recipient is told it has arrived.
    _text(header, "mandatory", "false")
    _text(header, "legalNotification", "true")
    _party(header, "Sender", "sender", sender)
    _party(header, "Recipient", "recipient", recipient)
    content = SubElement(header, f"{{{MEMO}}}ContentData")
    if recipient.id_type == CPR:
        data = SubElement(content, f"{{{GRD}}}CPRdata")
        _text(data, "cprNumber", recipient.id, GRD)
        _text(data, "name", recipient.label, GRD)
    else:
        data = SubElement(content, f"{{{GRD}}}CVRdata")
        _text(data, "cvrNumber", recipient.id, GRD)
        _text(data, "companyName", recipient.label, GRD)
    case = SubElement(content, f"{{{MEMO}}}CaseID")
    _text(case, "caseID", letter.case_number)
    _text(case, "caseSystem", letter.case_system)
    if letter.kle_number:
        kle = SubElement(content, f"{{{KLE}}}KLEdata")
        _text(kle, "subjectKey", letter.kle_number, KLE)
        _text(kle, "version", "1", KLE)
        _text(kle, "activityFacet", letter.handling_code, KLE)
        _text(kle, "label", letter.title, KLE)
    body = SubElement(root, f"{{{MEMO}}}MessageBody")
    moment = created or dt.datetime.now(dt.UTC)
    _text(body, "createdDateTime", moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    main = SubElement(body, f"{{{MEMO}}}MainDocument")
    _text(main, "mainDocumentID", str(uuid.uuid4()))
    _text(main, "label", letter.title)
    file = SubElement(main, f"{{{MEMO}}}File")
    _text(file, "encodingFormat", "application/pdf")
    _text(file, "filename", letter.filename)
    _text(file, "language", letter.language)
    _text(file, "content", base64.b64encode(letter.pdf).decode("ascii"))
    return root


def kombi_request(memo: Element) -> bytes:
    """The body SF1601's KombiPostAfsend takes: the channel chosen, then the MeMo message."""
    request = Element("kombi_request")
    SubElement(request, "KombiValgKode").text = "Digital Post"
    request.append(memo)
    return tostring(request, encoding="utf-8", xml_declaration=True)
