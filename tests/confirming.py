"""Confirming a step that cannot be undone, as a person does without JavaScript: the first
post shows what will happen (nothing changes), the second confirms it with the page's token
(grants.core.confirmation)."""

from __future__ import annotations

import re
from html import unescape

TOKEN = re.compile(r'name="confirmation" value="([^"]+)"')


def token_in(response) -> str:
    found = TOKEN.search(response.get_data(as_text=True))
    assert found, f"no confirmation on the page ({response.status_code})"
    return unescape(found.group(1))


def confirm(client, url: str, data: dict | None = None, **extra):
    """Post ``data`` to ``url``; if a confirmation is shown, confirm it. Returns the last
    response (the refusal, with errors, if the first post was refused)."""
    shown = client.post(url, data=data or {})
    if shown.status_code != 200 or not TOKEN.search(shown.get_data(as_text=True)):
        return shown
    return client.post(url, data={"confirmation": token_in(shown), **extra})


def decide(client, application_id: int, **data):
    """A decision, shown and confirmed."""
    data.setdefault("amount", "")
    data.setdefault("reasons", "")
    return confirm(client, f"/ansoegninger/{application_id}/afgoerelse", data)


def take_confirmed_step(client, application_id: int, action: str, comment: str = ""):
    return confirm(client, f"/ansoegninger/{application_id}/trin/{action}", {"comment": comment})
