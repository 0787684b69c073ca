"""A stand-in for KOMBIT's Serviceplatformen on loopback, for the Digital Post tests: HTTPS
that demands a client certificate issued by the tests' own CA (mutual TLS, as the platform
demands the organisation's OCES3 certificate), with the four endpoints SF1601 uses: the
Security Token Service, the access token service, PostForespoerg (is this CVR/CPR number
reached by Digital Post?) and KombiPostAfsend (the MeMo message). It keeps every request it
was sent, with the subject of the client certificate it came with."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.serving import SERVE

TOKEN = "Bearer test-access-token"
MUNICIPALITY_CVR = "58271713"


@dataclass
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    client: Path  # the organisation's certificate and key, as one PEM
    stranger: Path  # a certificate from another CA


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Testkommune"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _issue(subject: str, key, issuer_name, issuer_key, *, ca=False, server=False):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    elif not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def make_certificates(folder: Path) -> Certificates:
    """A test CA, the platform's server certificate and the organisation's client
    certificate from it, and a client certificate from a CA nobody trusts."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _issue("Test-CA", ca_key, _name("Test-CA"), ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _issue("127.0.0.1", server_key, ca.subject, ca_key, server=True)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _issue("Testkommune - Rejsetilskud (FOCES)", client_key, ca.subject, ca_key)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_ca = _issue("Andet CA", other_key, _name("Andet CA"), other_key, ca=True)
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    stranger = _issue("Fremmed", stranger_key, other_ca.subject, other_key)
    paths = Certificates(
        ca=folder / "ca.pem",
        server_cert=folder / "server.pem",
        server_key=folder / "server-key.pem",
        client=folder / "client.pem",
        stranger=folder / "stranger.pem",
    )
    paths.ca.write_bytes(_cert_pem(ca))
    paths.server_cert.write_bytes(_cert_pem(server))
    paths.server_key.write_bytes(_key_pem(server_key))
    paths.client.write_bytes(_cert_pem(client) + _key_pem(client_key))
    paths.stranger.write_bytes(_cert_pem(stranger) + _key_pem(stranger_key))
    return paths


def serve_over_mutual_tls(certificates: Certificates, handler) -> ThreadingHTTPServer:
    """An HTTPS server on a free loopback port, serving in a thread, that demands a client
    certificate issued by the tests' own CA (the stand-ins' mutual TLS)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.server_cert, certificates.server_key)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(certificates.ca)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs=SERVE, daemon=True).start()
    return server


def stop_serving(server: ThreadingHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()


@dataclass
class Received:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    client_subject: str


@dataclass
class Platform:
    certificates: Certificates
    received: list[Received] = field(default_factory=list)
    exempt: set[str] = field(default_factory=set)  # numbers not reached by Digital Post
    failures: int = 0  # how many MeMo messages to answer 503 before taking one
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    def memos(self) -> list[Received]:
        return [r for r in self.received if r.path.endswith("/KombiPostAfsend_1/memos")]

    def start(self) -> Platform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, payload: dict | None = None) -> None:
                body = json.dumps(payload or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _receive(self) -> Received:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                peer = self.connection.getpeercert() or {}
                subject = dict(item for rdn in peer.get("subject", ()) for item in rdn)
                received = Received(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                    subject.get("commonName", ""),
                )
                platform.received.append(received)
                return received

            def do_POST(self):
                received = self._receive()
                if received.path == "/sts":
                    asked = json.loads(received.body)
                    if asked["AnvenderKontekst"]["Cvr"] != MUNICIPALITY_CVR:
                        return self._answer(403, {"error": "unknown organisation"})
                    return self._answer(
                        200,
                        {
                            "RequestedSecurityToken": {"Assertion": "<saml:Assertion/>"},
                            "Lifetime": "12/31/2099 00:00:00",
                        },
                    )
                if received.path == "/service/AccessTokenService_1/token":
                    return self._answer(
                        200,
                        {
                            "token_type": "Bearer",
                            "access_token": "test-access-token",
                            "expires_in": 3600,
                        },
                    )
                if received.path == "/service/KombiPostAfsend_1/memos":
                    if received.headers.get("authorization") != TOKEN:
                        return self._answer(401, {"error": "no token"})
                    if platform.failures > 0:
                        platform.failures -= 1
                        return self._answer(503, {"error": "Serviceplatformen er ikke tilgængelig"})
                    return self._answer(200, {})
                return self._answer(404)

            def do_GET(self):
                received = self._receive()
                if received.path == "/service/PostForespoerg_1/digitalpost":
                    if received.headers.get("authorization") != TOKEN:
                        return self._answer(401, {"error": "no token"})
                    number = (received.query.get("cvrNumber") or received.query.get("cprNumber"))[0]
                    return self._answer(200, {"result": number not in platform.exempt})
                return self._answer(404)

        self.server = serve_over_mutual_tls(self.certificates, Handler)
        return self

    def stop(self) -> None:
        stop_serving(self.server)
        self.server = None
