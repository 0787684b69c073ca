"""A timestamp authority on loopback: RFC 3161 over HTTP (a POST of an
``application/timestamp-query``, answered with an ``application/timestamp-reply``), the
tokens made and signed by pyHanko's own responder (``DummyTimeStamper``, RSA) with a TSA
certificate the tests make (extended key usage timeStamping, critical, as RFC 3161 asks).
It can be told to refuse, as an authority that is down answers."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.sign.timestamps import DummyTimeStamper

from grants.core import certificates
from tests.serving import SERVE


def make_tsa_certificate() -> tuple[keys.PrivateKeyInfo, asn1_x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Testtidsstempel"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Testtidsstempel TSA (ikke gyldig)"),
        ]
    )
    key_pem, cert_pem = certificates.self_signed(
        key,
        subject,
        days=30,
        extensions=[
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
            (certificates.signing_usage(), True),
        ],
    )
    (certificate,) = load_certs_from_pemder_data(cert_pem)
    return load_private_key_from_pemder_data(key_pem, passphrase=None), certificate


class TimestampAuthority:
    def __init__(self):
        self.key, self.certificate = make_tsa_certificate()
        self.responder = DummyTimeStamper(tsa_cert=self.certificate, tsa_key=self.key)
        self.requests: list[tsp.TimeStampReq] = []
        self.refusing = False
        authority = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if authority.refusing:
                    self.send_error(503, "down for maintenance")
                    return
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                request = tsp.TimeStampReq.load(body)
                authority.requests.append(request)
                reply = authority.responder.request_tsa_response(request).dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/tsa"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs=SERVE, daemon=True
        )

    def __enter__(self) -> TimestampAuthority:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
