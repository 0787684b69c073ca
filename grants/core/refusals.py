"""The one error protocol for views: what a view does when an operation raises ``DomainError``.

    with refused_by_domain(form, default="amount") as refusal:
        operations.do_it(...)
    if refusal:
        return page(status=refusal.status)

On a ``DomainError`` the block's writes are rolled back (nothing changes), the message is put
next to the field it names (or next to ``default``), or flashed when the form has no such field,
and the view goes on to re-render. ``refusal.status`` is 403 for ``NotAllowed``, 409 for ``Busy``,
422 otherwise.

A message is always text, never markup (issue 16): it is turned into a plain ``str`` here, so
the templates' autoescaping shows ``<b>`` as ``<b>`` even if a ``Markup`` slipped in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import cast

from flask import abort, flash
from wtforms import Field
from wtforms.form import BaseForm

from grants.core.errors import DomainError, NotAllowed
from grants.core.locks import Busy
from grants.extensions import db


def as_text(message: object) -> str:
    """The message as plain text: a ``Markup`` or lazy string becomes a ``str`` to escape."""
    return "".join([str(message)])


def error_to_field(
    form: BaseForm | None,
    error: DomainError,
    default: str | None = None,
    extra: Mapping[str, Field] | None = None,
) -> bool:
    """Put ``error`` next to the form field it names (``extra`` holds the fund's own questions,
    named ``q-<key>``), else next to ``default``. False when there is no such field."""
    name = error.field
    if name and name.startswith("q-") and extra is not None and name[2:] in extra:
        field = extra[name[2:]]
    elif form is not None and name and name in form:
        field = form[name]
    elif form is not None and default and default in form:
        field = form[default]
    else:
        return False
    field.errors = list(field.errors) + [as_text(message) for message in error.messages]
    return True


def show_error(
    form: BaseForm | None,
    error: DomainError,
    default: str | None = None,
    extra: Mapping[str, Field] | None = None,
) -> None:
    """Beside its field if it has one on this form, otherwise as a flash."""
    if not error_to_field(form, error, default, extra):
        link = getattr(error, "link", None)  # a subclass may keep its own __init__
        if link is not None:
            # The message, and where to act instead (base.html draws the link after it).
            href, text = link
            # Flask keeps any JSON value in the session, though typed for a str.
            shown = {"text": as_text(error.message), "href": href, "link": as_text(text)}
            flash(cast(str, shown), "error")
        else:
            flash(as_text(error.message), "error")


class Refused:
    """What happened in a ``refused_by_domain`` block: falsy when the operation went through."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def status(self) -> int:
        """403 for ``NotAllowed``; 409 for ``Busy`` (a lock not had in time: the same request
        may go through in a moment); 422 for the rest."""
        if isinstance(self.error, NotAllowed):
            return 403
        return 409 if isinstance(self.error, Busy) else 422

    @property
    def message(self) -> str:
        return as_text(self.error.message) if self.error is not None else ""

    def show(
        self,
        form: BaseForm | None,
        default: str | None = None,
        extra: Mapping[str, Field] | None = None,
    ) -> None:
        """Show the error on a form built after the rollback (its choices read again)."""
        if self.error is not None:
            show_error(form, self.error, default, extra)


@contextmanager
def refused_by_domain(
    form: BaseForm | None = None,
    default: str | None = None,
    *,
    extra: Mapping[str, Field] | None = None,
    show: bool = True,
    forbidden_aborts: bool = False,
    rollback: bool = True,
) -> Iterator[Refused]:
    """Run an operation; on ``DomainError`` roll back and show it (see the module's doc).

    ``show=False`` only records the error, for a view that rebuilds its form after the
    rollback and calls ``refusal.show(form)``. ``forbidden_aborts`` answers ``NotAllowed``
    with the plain 403 page. ``rollback=False`` for a read that wrote nothing (a preview)."""
    refusal = Refused()
    try:
        yield refusal
    except DomainError as error:
        if rollback:
            db.session.rollback()
        refusal.error = error
        if forbidden_aborts and isinstance(error, NotAllowed):
            abort(403)
        if show:
            show_error(form, error, default, extra)
