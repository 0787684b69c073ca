"""A real OpenID Connect provider on loopback for the tests: panva's ``oidc-provider`` (npm,
a devDependency in package.json), run by node from tests/oidc/provider.mjs.

``OIDCProvider(...)`` writes the provider's configuration (a signing key made here, the app
as its client, the accounts with their groups), starts it on a free port and waits until it
answers; ``stop()`` ends it. ``sign_in`` plays the person at the provider's sign-in page with
an HTTP client and returns the URL the provider sends the browser back to.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import tempfile
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import requests
from joserfc.jwk import RSAKey

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "rejsetilskud"
CLIENT_SECRET = "a-secret-only-the-tests-know-" + "x" * 20  # nosec B105  # the tests only

# The provider's people: a caseworker, an administrator, one whose groups give no role here,
# and the accounts the provider misbehaves for (tests/oidc/provider.mjs).
ACCOUNTS = {
    "caseworker-1": {
        "name": "Sofie Sagsbehandler",
        "email": "sofie.sag@ballerup.dk",
        "groups": ["rejse-sagsbehandlere", "alle-medarbejdere"],
    },
    "admin-1": {
        "name": "Anders Admin",
        "email": "anders.admin@ballerup.dk",
        "groups": ["rejse-administratorer"],
    },
    "nobody-1": {"name": "Niels Uden", "email": "niels@ballerup.dk", "groups": ["kantinen"]},
    "noemail-1": {"name": "Uden Adresse", "email": None, "groups": ["rejse-sagsbehandlere"]},
}
MISBEHAVIOURS = ("audience", "expired", "signature", "nonce", "issuer")
for how in MISBEHAVIOURS:
    ACCOUNTS[f"bad-{how}"] = {
        "name": f"Bad {how}",
        "email": f"bad-{how}@ballerup.dk",
        "groups": ["rejse-sagsbehandlere"],
    }


def node_missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        return "oidc-provider is not installed (npm ci)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OIDCProvider:
    def __init__(self, redirect_uris: list[str], post_logout_redirect_uris: list[str]):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig"})
        jwk = key.as_dict(private=True)
        jwk.update(kid="test-key-1", use="sig", alg="RS256")
        self.folder = tempfile.TemporaryDirectory(prefix="oidc-provider-")
        config = Path(self.folder.name) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "port": self.port,
                    "jwk": jwk,
                    "client": {
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                        "redirect_uris": redirect_uris,
                        "post_logout_redirect_uris": post_logout_redirect_uris,
                        "grant_types": ["authorization_code"],
                        "response_types": ["code"],
                        "token_endpoint_auth_method": "client_secret_basic",
                    },
                    "accounts": ACCOUNTS,
                    "misbehave": {f"bad-{how}": how for how in MISBEHAVIOURS},
                    "groups_claim": "groups",
                }
            )
        )
        self.process = subprocess.Popen(  # noqa: S603  # node and our own script
            ["node", str(SCRIPT), str(config)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        said = []
        for line in self.process.stdout:  # its warnings first (e.g. on the node version)
            if line.startswith("ready"):
                break
            said.append(line)
        else:
            self.stop()
            raise RuntimeError(f"The OpenID Connect provider did not start: {''.join(said)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.folder.cleanup()

    def config(self) -> dict:
        """The app's settings for this provider."""
        return {
            "AUTHENTICATION_BACKENDS": ("password", "oidc"),
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            # This provider gives the groups for the scope "groups" (Entra ID: always, once
            # the app registration says so).
            "OIDC_SCOPES": "openid profile email groups",
        }


def sign_in(authorize_url: str, account: str, back_to: str, cancel: bool = False) -> str:
    """Follow the provider's pages as a browser would, signing in as ``account`` (or pressing
    its cancel link); return the URL that leads back to the app (it starts with ``back_to``)."""
    browser = requests.Session()
    url = authorize_url
    for _step in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        while response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(back_to):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        if form is None:
            raise AssertionError(f"No sign-in form at the provider: {response.text[:500]}")
        if cancel:
            abort = re.search(r'href="([^"]*/abort)"', response.text)
            url = urljoin(url, unescape(abort.group(1)))
            continue
        response = browser.post(
            urljoin(url, unescape(form.group(1))),
            data={"prompt": "login", "login": account, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        url = urljoin(url, response.headers["Location"])
        if url.startswith(back_to):
            return url
    raise AssertionError("The provider never sent the browser back")
