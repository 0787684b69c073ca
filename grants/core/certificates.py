"""Self-signed certificates for development and the tests (the NemLog-in service provider's
keys, the letters' test seal): never for production, where the municipality's OCES3 system
or organisation certificate is configured instead (docs/login.md, docs/letters.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes


def self_signed(
    key: CertificateIssuerPrivateKeyTypes,
    subject: x509.Name,
    *,
    days: int,
    valid_from: dt.timedelta = dt.timedelta(minutes=5),
    extensions: Iterable[tuple[x509.ExtensionType, bool]] = (),
) -> tuple[bytes, bytes]:
    """(private key, certificate), both PEM: ``subject`` signs its own certificate (SHA-256),
    valid from ``valid_from`` ago for ``days`` days, with each (extension, critical)."""
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - valid_from)
        .not_valid_after(now + dt.timedelta(days=days))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    certificate = builder.sign(key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


def signing_usage() -> x509.KeyUsage:
    """The key usage of a certificate that signs for itself (a seal, a timestamp authority):
    signatures that bind (non-repudiation), and, being self-signed, its own certificate."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
