"""The letters' seal: a PAdES signature with the municipality's organisation certificate.

A letter is rendered first (``grants.letters.render``) and sealed after, as one incremental
update of the PDF/A file, so what is stored, sent and downloaded is the sealed file itself
and a PDF reader shows who issued it and that nothing has changed since.

The key and certificate come from configuration (``LETTER_SEAL_*`` in config.py): a PKCS#12
file, or a PEM key and a PEM certificate, normally the municipality's OCES organisation
certificate (MitID Erhverv) for sealing (docs/letters.md). Without one, a self-signed
*test* organisation certificate is made once under the instance folder and used: good for
development and the tests, and it still proves a letter unchanged, but a PDF reader will
not trust it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import io
import logging
import os
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The name of the signature field in every sealed letter.
FIELD_NAME = "Segl"
#: The room set aside in the PDF for a timestamped signature, in hex digits as pyHanko counts
#: it (so 8 KB of DER): the seal and its certificate, the authority's token with its
#: certificate chain (a longer chain than the tests' needs more: raise it if pyHanko says so).
TIMESTAMPED_SIGNATURE_BYTES = 16384
#: Where the test certificate is kept, under the instance folder (never committed).
TEST_SEAL_DIR = "letter-seal"


@dataclass(frozen=True)
class SealConfig:
    """Where the seal's key and certificate are: a PKCS#12 file, or a PEM pair."""

    pkcs12: str = ""
    key: str = ""
    cert: str = ""
    password: str = ""


class TimestampUnavailable(RuntimeError):
    """The configured timestamp authority did not stamp the seal: the letter is not made."""


def seal(pdf: bytes, reason: str = "", location: str = "", *, timestamp: bool = True) -> bytes:
    """``pdf`` sealed with the configured organisation certificate: the same document with
    a signature over all its bytes appended as an incremental update. PAdES B-B, or B-T with
    the timestamp authority's token on the signature when ``LETTER_SEAL_TIMESTAMP_URL`` is
    set (``TimestampUnavailable`` if it does not answer) unless ``timestamp`` is False."""
    import aiohttp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import TimestampRequestError

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    chosen = signer()
    stamps = timestamp_settings() if timestamp else None

    async def sign():
        if stamps is None:
            return await signers.async_sign_pdf(writer, metadata, signer=chosen)
        # The authority's HTTP session lives in the loop that signs (pyHanko's aiohttp
        # client), so it is made and closed here.
        from pyhanko.sign.timestamps import HTTPTimeStamper

        auth = aiohttp.BasicAuth(stamps.user, stamps.password) if stamps.user else None
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=stamps.timeout)
        ) as session:
            timestamper = HTTPTimeStamper(
                stamps.url, timeout=stamps.timeout, auth=auth, session=session
            )
            # Room for the signature and the token set aside at once: else pyHanko asks the
            # authority twice per letter, once only to measure the token's size.
            return await signers.async_sign_pdf(
                writer,
                metadata,
                signer=chosen,
                timestamper=timestamper,
                bytes_reserved=TIMESTAMPED_SIGNATURE_BYTES,
            )

    try:
        out = run_to_end(sign)
    except (TimestampRequestError, aiohttp.ClientError, OSError, TimeoutError) as error:
        if stamps is None:
            raise
        log.warning("timestamp authority %s did not stamp the seal: %s", stamps.url, error)
        raise TimestampUnavailable(str(error) or type(error).__name__) from error
    return out.getvalue()


@dataclass(frozen=True)
class TimestampSettings:
    url: str
    user: str = ""
    password: str = ""
    timeout: float = 10.0


#: LETTER_SEAL_TIMESTAMP_WHEN_DOWN: the letter (and the step that makes it) waits for the
#: authority, or the letter is sealed without the timestamp and the journal says so.
WAIT = "wait"
SEAL_WITHOUT = "seal"


def seal_without_timestamp_when_down() -> bool:
    """The municipality's choice for an authority that does not answer (config.py)."""
    return current_app.config.get("LETTER_SEAL_TIMESTAMP_WHEN_DOWN", WAIT) == SEAL_WITHOUT


def timestamp_settings() -> TimestampSettings | None:
    """The timestamp authority the seals are stamped by; None: no timestamp (B-B)."""
    config = current_app.config
    url = config.get("LETTER_SEAL_TIMESTAMP_URL", "")
    if not url:
        return None
    return TimestampSettings(
        url=url,
        user=config.get("LETTER_SEAL_TIMESTAMP_USER", ""),
        password=config.get("LETTER_SEAL_TIMESTAMP_PASSWORD", ""),
        timeout=float(config.get("LETTER_SEAL_TIMESTAMP_TIMEOUT", 10)),
    )


def run_to_end(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run pyHanko's signing coroutine to its end. Its synchronous API calls asyncio.run,
    which fails where an event loop already runs in this thread (an async server, a test
    driven by Playwright); there it gets a loop of its own in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def signer():
    """The configured signer, loaded once per process for each configuration."""
    return _load_signer(configured(), current_app.instance_path)


def configured() -> SealConfig:
    config = current_app.config
    return SealConfig(
        pkcs12=config.get("LETTER_SEAL_PKCS12", ""),
        key=config.get("LETTER_SEAL_KEY", ""),
        cert=config.get("LETTER_SEAL_CERT", ""),
        password=config.get("LETTER_SEAL_PASSWORD", ""),
    )


def is_test_certificate() -> bool:
    """Whether letters are sealed with the self-signed test certificate (nothing
    configured)."""
    seal_config = configured()
    return not (seal_config.pkcs12 or (seal_config.key and seal_config.cert))


@functools.cache
def _load_signer(seal_config: SealConfig, instance_path: str):
    from pyhanko.sign import signers

    password = seal_config.password.encode() if seal_config.password else None
    if seal_config.pkcs12:
        loaded = signers.SimpleSigner.load_pkcs12(seal_config.pkcs12, passphrase=password)
    elif seal_config.key and seal_config.cert:
        loaded = signers.SimpleSigner.load(
            seal_config.key, seal_config.cert, key_passphrase=password
        )
    else:
        loaded = _test_signer(test_certificate(Path(instance_path)).read_bytes())
    if loaded is None:  # pyHanko logs why; the letters cannot go out unsealed
        raise RuntimeError("the letters' seal certificate could not be loaded (LETTER_SEAL_*)")
    return loaded


def _test_signer(pem: bytes):
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = next(iter(load_certs_from_pemder_data(pem)))
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=load_private_key_from_pemder_data(pem, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs([cert]),
    )


def test_certificate(instance: Path) -> Path:
    """The self-signed test organisation certificate with its key, made the first time it
    is needed: one PEM file under ``instance/letter-seal/``, written whole in one rename, so
    two processes starting at once never pair one's key with the other's certificate."""
    path = instance / TEST_SEAL_DIR / "test-seal.pem"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    key_pem, cert_pem = make_test_certificate()
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.touch(mode=0o600)  # the key: for the app's own user only
    partial.write_bytes(key_pem + cert_pem)
    partial.replace(path)
    log.warning(
        "The letters are sealed with a self-signed test certificate (%s); configure the "
        "municipality's organisation certificate with LETTER_SEAL_* (docs/letters.md).",
        path,
    )
    return path


def make_test_certificate(
    name: str = "Testkommune – testsegl (ikke gyldigt)",
) -> tuple[bytes, bytes]:
    """A new key and a self-signed certificate for sealing, as PEM: an organisation
    certificate's shape (organisation name, key usage for non-repudiation), for tests and
    development only."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from grants.core import certificates

    # P-256: quick to make, and pyHanko seals and validates with it as with RSA.
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Testkommune"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    usage = certificates.signing_usage()
    return certificates.self_signed(
        key,
        subject,
        days=3650,
        valid_from=dt.timedelta(days=1),
        extensions=[(x509.BasicConstraints(ca=True, path_length=None), True), (usage, True)],
    )


def certificate_pem() -> bytes:
    """The sealing certificate, as PEM (to trust it when validating, in the tests)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    der = signer().signing_cert.dump()
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
