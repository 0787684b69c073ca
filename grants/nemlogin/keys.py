"""A self-signed key pair for development and the tests. NemLog-in's environments want an
OCES3 system certificate instead (docs/login.md); this one is never for production."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from grants.core import certificates


def self_signed(common_name: str, days: int = 365) -> tuple[bytes, bytes]:
    """(private key, certificate), both PEM: RSA 2048 and SHA-256, as NemLog-in signs."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return certificates.self_signed(key, name, days=days)


def write_self_signed(folder: Path, stem: str, common_name: str) -> tuple[Path, Path]:
    """Write ``<stem>.key`` (readable by its owner only) and ``<stem>.crt`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    key_pem, cert_pem = self_signed(common_name)
    key_path, cert_path = folder / f"{stem}.key", folder / f"{stem}.crt"
    key_path.touch(mode=0o600)
    key_path.write_bytes(key_pem)
    cert_path.write_bytes(cert_pem)
    return key_path, cert_path
