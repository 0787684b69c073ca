"""A stand-in for KOMBIT's Beskedfordeler on loopback, for the Digital Post status tests:
HTTPS that demands a client certificate from the tests' own CA (mutual TLS, the certificates
of tests/delivery/platform.py), answering PostStatusBeskedHent with the status messages it
holds, each a Haendelsesbesked envelope whose Beskeddata carries a PKO_PostStatus in base64
(the shape grants.delivery.statuses reads; docs/integrations.md says what is assumed). It
answers with every message it holds on every fetch, as a distributor does until the messages
are acknowledged, and keeps each request with its client certificate's subject."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree

from tests.delivery.platform import Certificates, serve_over_mutual_tls, stop_serving

PATH = "/service/Beskedfordeler/PostStatusBeskedHent"
KUVERT = "urn:oio:besked:kuvert:1.0"
STATUS = "http://serviceplatformen.dk/xml/digitalpost/PKO_PostStatus/1/types"


def status_message(
    *,
    transaction_id: str = "",
    message_uuid: str = "",
    status: str = "Afleveret Digital Post",
    channel: str = "Digital Post",
    at: str = "2026-12-06T10:15:00Z",
    error: tuple[str, str] | None = None,
) -> bytes:
    """One Haendelsesbesked envelope around a PKO_PostStatus."""
    post_status = ElementTree.Element(f"{{{STATUS}}}PKO_PostStatus")
    for name, value in (
        ("TransmissionId", transaction_id),
        ("MessageUUID", message_uuid),
        ("KanalKode", channel),
        ("TransaktionsDatoTid", at),
        ("TransaktionsStatusKode", status),
    ):
        ElementTree.SubElement(post_status, f"{{{STATUS}}}{name}").text = value
    if error is not None:
        details = ElementTree.SubElement(post_status, f"{{{STATUS}}}FejlDetaljer")
        ElementTree.SubElement(details, f"{{{STATUS}}}FejlKode").text = error[0]
        ElementTree.SubElement(details, f"{{{STATUS}}}FejlTekst").text = error[1]
    envelope = ElementTree.Element(f"{{{KUVERT}}}Haendelsesbesked")
    besked_id = ElementTree.SubElement(envelope, f"{{{KUVERT}}}BeskedId")
    ElementTree.SubElement(besked_id, f"{{{KUVERT}}}UUIDIdentifikator").text = str(uuid.uuid4())
    ElementTree.SubElement(envelope, f"{{{KUVERT}}}BeskedVersion").text = "1.0"
    data = ElementTree.SubElement(envelope, f"{{{KUVERT}}}Beskeddata")
    ElementTree.SubElement(data, f"{{{KUVERT}}}Base64").text = base64.b64encode(
        ElementTree.tostring(post_status, encoding="utf-8")
    ).decode("ascii")
    return ElementTree.tostring(envelope, encoding="utf-8")


@dataclass
class Beskedfordeler:
    certificates: Certificates
    messages: list[bytes] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)  # the client certificate of each fetch
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}{PATH}"

    def start(self) -> Beskedfordeler:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                peer = self.connection.getpeercert() or {}
                subject = dict(item for rdn in peer.get("subject", ()) for item in rdn)
                stand_in.subjects.append(subject.get("commonName", ""))
                if self.path != PATH:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = (
                    b'<?xml version="1.0" encoding="UTF-8"?>'
                    b'<PostStatusBeskedHentResponse xmlns="urn:oio:besked:kuvert:1.0">'
                    + b"".join(
                        m.split(b"?>", 1)[1] if m.startswith(b"<?xml") else m
                        for m in stand_in.messages
                    )
                    + b"</PostStatusBeskedHentResponse>"
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = serve_over_mutual_tls(self.certificates, Handler)
        return self

    def stop(self) -> None:
        stop_serving(self.server)
        self.server = None
