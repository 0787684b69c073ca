"""A self-signed key pair for development and the tests. NemLog-in's environments want an
OCES3 system certificate instead (docs/login.md); this one is never for production."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def self_signed(common_name: str, days: int = 365) -> tuple[bytes, bytes]:
    """(private key, certificate), both PEM: RSA 2048 and SHA-256, as NemLog-in signs."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


def write_self_signed(folder: Path, stem: str, common_name: str) -> tuple[Path, Path]:
    """Write ``<stem>.key`` (readable by its owner only) and ``<stem>.crt`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    key_pem, cert_pem = self_signed(common_name)
    key_path, cert_path = folder / f"{stem}.key", folder / f"{stem}.crt"
    key_path.touch(mode=0o600)
    key_path.write_bytes(key_pem)
    cert_path.write_bytes(cert_pem)
    return key_path, cert_path
