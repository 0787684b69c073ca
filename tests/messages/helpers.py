"""What the messages' tests do on a case's thread."""

from __future__ import annotations


def post_message(client, application, **data):
    """A message (its body, and a file or a request for information) written on the case's
    thread by whoever is logged in; the response."""
    return client.post(
        f"/ansoegninger/{application.id}/beskeder",
        data=data,
        content_type="multipart/form-data",
    )
