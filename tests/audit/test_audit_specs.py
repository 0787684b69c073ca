"""Every model says how it is audited (``__audit__``, grants.core.auditing), or says on purpose
that it is not: a new model cannot slip past the trail, and the listener knows no model."""

from __future__ import annotations

import ast
from pathlib import Path

from grants.core.auditing import NOT_AUDITED, Audited, Record, audit_of
from grants.extensions import db


def mapped_models() -> list[type]:
    return sorted(
        (mapper.class_ for mapper in db.Model.registry.mappers),
        key=lambda cls: f"{cls.__module__}.{cls.__name__}",
    )


def test_every_model_declares_how_it_is_audited(app):
    undeclared = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in mapped_models()
        if not isinstance(audit_of(cls), Audited) and audit_of(cls) is not NOT_AUDITED
    ]
    assert not undeclared, (
        "Say how these are audited, or that they are not (__audit__ = NOT_AUDITED with the "
        f"reason): {undeclared}"
    )


def test_the_declarations_name_real_columns(app):
    """A detail, an actor or a case named by a column the model does not have would fail
    only when such a row is written: catch it here."""
    for cls in mapped_models():
        spec = audit_of(cls)
        if not isinstance(spec, Audited):
            continue
        for record in (spec.added, spec.changed, spec.removed):
            if record is None:
                continue
            assert isinstance(record, Record)
            names = [] if callable(record.details) else list(record.details)
            names += [n for n in (record.actor, record.case) if isinstance(n, str)]
            for name in names:
                assert hasattr(cls, name), f"{cls.__name__}.__audit__ names {name!r}"
        columns = {attr.key for attr in db.inspect(cls).column_attrs}
        assert spec.personal <= columns, cls.__name__
        assert spec.quiet <= columns, cls.__name__
        if spec.personal:
            assert spec.subject is not None, f"{cls.__name__}: whose personal values?"


def test_the_listener_knows_no_model():
    """The listener reads ``__audit__``: no isinstance branch, no model imported."""
    source = Path(__file__).resolve().parents[2] / "grants" / "audit" / "listeners.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grants.")
    }
    assert not {m for m in imported if m.endswith(".models")} - {"grants.audit.models"}
