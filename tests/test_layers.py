"""The layer check (scripts/layers.py) passes, and it catches what it is for."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def layers():
    spec = importlib.util.spec_from_file_location("layers", ROOT / "scripts" / "layers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["layers"] = module
    spec.loader.exec_module(module)
    return module


def test_the_packages_depend_downwards_only(layers):
    assert layers.check() == []


def test_an_import_inside_a_function_counts(layers, tmp_path):
    source = tmp_path / "grants" / "core" / "thing.py"
    source.parent.mkdir(parents=True)
    source.write_text("def f():\n    from grants.payments import views\n", encoding="utf-8")
    (found,) = [i for i in layers.imports_of(source, tmp_path) if i.target.startswith("grants")]
    assert found.in_function and found.line == 2


def test_a_new_upward_import_fails(layers, monkeypatch):
    # Pretend the known debt core -> committees is paid: its imports are then reported.
    known = dict(layers.KNOWN)
    known.pop(("core", "committees"), None)
    monkeypatch.setattr(layers, "KNOWN", known)
    monkeypatch.setattr(
        layers,
        "cross_package_imports",
        lambda: [
            ("core", "committees", layers.Import("grants.core.x", 3, "grants.committees", True))
        ],
    )
    errors = layers.check()
    assert any("grants.core.x:3" in e and "core imports a domain" in e for e in errors)


def test_a_stale_known_entry_fails(layers, monkeypatch):
    monkeypatch.setattr(layers, "KNOWN", {("questions", "people"): "paid off"})
    monkeypatch.setattr(layers, "cross_package_imports", list)
    assert layers.check() == ["KNOWN lists questions -> people, which is gone: remove it."]


def test_cycles_are_found(layers):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert layers.cycles(graph) == [["a", "b", "c"]]


def test_a_cycle_between_modules_of_one_package_fails(layers, monkeypatch):
    # As the subsidies' rule file, engine, examples and wording were: each needed another.
    monkeypatch.setattr(
        layers,
        "module_graph",
        lambda: {
            "grants.subsidies.rulefile": {"grants.subsidies.examples"},
            "grants.subsidies.examples": {"grants.subsidies.engine"},
            "grants.subsidies.engine": {"grants.subsidies.rulefile"},
        },
    )
    (error,) = layers.check()
    assert error.startswith("modules in an import cycle") and "subsidies.engine" in error
