"""Save, find and discard a person's draft of a form. Drafts are not case events: nothing is
written in a journal and nobody is told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from grants.core import clock
from grants.drafts.models import FormDraft
from grants.extensions import db

# Fields a draft never holds: files (a browser cannot be given a file back), the CSRF token
# and the hidden keys a form is shown with, and buttons.
NOT_KEPT = {"FileField", "MultipleFileField", "CSRFTokenField", "HiddenField", "SubmitField"}


def draft_fields(*forms: Any) -> set[str]:
    """The names of the fields of ``forms`` (WTForms forms, None skipped) a draft may hold."""
    return {
        field.name
        for form in forms
        if form is not None
        for field in form
        if field.type not in NOT_KEPT
    }


def kept_values(values: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """The values of the allowed fields only, each a text or a list of texts; anything else
    (another field's name, a number, an object) is left out."""
    allowed = set(allowed)
    kept: dict[str, Any] = {}
    for name, value in values.items():
        if name not in allowed:
            continue
        if isinstance(value, str):
            kept[name] = value
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            kept[name] = list(value)
    return kept


def from_formdata(formdata: MultiDict, allowed: Iterable[str]) -> dict[str, Any]:
    """The allowed fields of a sent form, as a draft holds them."""
    values = {}
    for name in set(allowed) & set(formdata.keys()):
        items = formdata.getlist(name)
        values[name] = items[0] if len(items) == 1 else items
    return values


def find(user_id: int, form_key: str) -> FormDraft | None:
    return db.session.scalar(
        select(FormDraft).where(FormDraft.user_id == user_id, FormDraft.form_key == form_key)
    )


def save(user_id: int, form_key: str, values: dict[str, Any]) -> FormDraft:
    """The person's draft of the form, replaced by ``values`` (already cut to the form's
    fields: ``kept_values``)."""
    draft = find(user_id, form_key)
    if draft is None:
        draft = FormDraft(user_id=user_id, form_key=form_key, fields=values)
        db.session.add(draft)
    else:
        draft.fields = values
    draft.saved_at = clock.now()
    db.session.flush()
    return draft


def discard(user_id: int, form_key: str) -> bool:
    """Throw the person's draft of the form away; False if there was none."""
    result = db.session.execute(
        delete(FormDraft).where(FormDraft.user_id == user_id, FormDraft.form_key == form_key)
    )
    return bool(getattr(result, "rowcount", 0))


def as_formdata(draft: FormDraft) -> MultiDict:
    """The draft as a sent form, for a WTForms form to be filled from (``formdata=``)."""
    data: MultiDict = MultiDict()
    for name, value in (draft.fields or {}).items():
        for item in value if isinstance(value, list) else [value]:
            data.add(name, item)
    return data


def purge_older_than(cutoff: dt.datetime) -> int:
    """Delete the drafts last saved before ``cutoff`` (the privacy purge); how many."""
    result = db.session.execute(
        delete(FormDraft)
        .where(FormDraft.saved_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def forget_person(user_id: int) -> None:
    """Every draft of a person (their data purged)."""
    db.session.execute(
        delete(FormDraft)
        .where(FormDraft.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
