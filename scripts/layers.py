"""The layer check: the packages of grants/ depend downwards only, in one declared order.

Run by ``make lint`` (and by tests/test_layers.py in ``make test``):

    .venv/bin/python scripts/layers.py            # fails on a new violation
    .venv/bin/python scripts/layers.py --report   # the figures and every edge that goes up

Every module under grants/ is parsed with ``ast``; every import counts, the ones inside
functions too (an import moved into a function still makes the dependency, it only hides the
cycle from Python). Each import is mapped to the package it reaches (``grants.<package>``;
``grants/extensions.py`` belongs to ``core``; ``grants/__init__.py``, ``grants/models.py`` and
``grants/worker.py`` to ``app``; ``grants/demo*.py`` to ``demo``). The check then fails on

  (a) an import from ``core`` into any domain package (core is mechanism only),
  (b) an import of a package that stands higher in ``LAYERS`` than the importer, or of a
      sibling in the same layer,
  (c) a cycle between packages (with a total order every cycle has an upward edge, so (b)
      catches it; the cycles are still counted and shown for the report),
  (d) a cycle between modules, inside one package too (a module that needs another's
      names and is needed by it: the shared part belongs in a module below both),

except for the edges in ``KNOWN``: the violations there were when the check was written, each
with a reason. The list only shrinks: an entry no longer needed is an error too, so it is
removed when the import is.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "grants"

# Top to bottom. A package may import the packages in the layers below its own, nothing else.
# A layer of several packages: siblings that do not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("app",),  # create_app and grants/models.py: the composition root, wires every package
    ("demo",),  # the demo data (grants/demo*.py): uses every domain
    ("profiles",),  # a municipality's profile: loads funds, texts, routes, rules
    ("api",),  # the API for other systems: reads every domain, the published trips too
    ("administration", "desk", "privacy", "publication"),  # whole-system pages over the domains
    ("audit",),  # the audit trail's flush listener knows every model
    ("payments",),
    ("committees",),  # a meeting rules on cases and on their trip reports
    ("reports",),  # the trip report, settlement and the letters that follow it
    # A letter to its recipient (Digital Post, e-mail, print); the case to the ESDH.
    ("delivery", "esdh"),
    ("messages",),  # the case's thread with the applicant, its requests and internal notes
    ("applications",),  # the case: its pages, operations and steps (the route's actions)
    ("workflow",),  # the routes and the engine that moves a case along them
    ("letters",),
    ("subsidies",),  # the youth subsidies' rule sets and calculation
    ("budgets",),  # the money: an append-only ledger
    ("nemlogin",),  # logging in with MitID (NemLog-in): links a CVR to its organisation
    ("organisations",),
    ("notifications",),
    ("jobs",),
    ("funds",),
    ("cases",),  # the case as a record (the application, its states): data, no behaviour
    ("people", "partners", "questions", "drafts"),  # drafts: a person's unsent form
    ("core",),  # mechanism only: money, time, files, forms, the commit protocol, access
]

# The violations there were when the check was written, as (importer, imported): each one a
# debt of issue 18, to be removed, never added to.
KNOWN: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, grants.x.y
    line: int
    target: str  # the imported module
    in_function: bool


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "grants":
        return None
    if len(parts) == 1 or parts[1] in ("models", "worker"):
        return "app"
    if parts[1] == "extensions":
        return "core"
    if parts[1] in ("demo", "demo_cases", "demo_committees"):
        return "demo"
    return parts[1]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path, root: Path = ROOT) -> list[Import]:
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(module, child.lineno, alias.name, inside))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = set()
                for alias in child.names:
                    # ``from grants import demo`` imports the module grants.demo.
                    full = f"{base}.{alias.name}"
                    targets.add(full if is_module(full) else base)
                for target in sorted(targets):
                    found.append(Import(module, child.lineno, target, inside))
            visit(child, inside)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), False)
    return found


def rank() -> dict[str, int]:
    return {package: level for level, layer in enumerate(LAYERS) for package in layer}


def cross_package_imports() -> list[tuple[str, str, Import]]:
    edges = []
    for path in sorted(SOURCE.rglob("*.py")):
        for imp in imports_of(path):
            source, target = package_of(imp.module), package_of(imp.target)
            if source and target and source != target:
                edges.append((source, target, imp))
    return edges


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def module_graph() -> dict[str, set[str]]:
    """Which module of grants imports which, the imports inside functions too."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted(SOURCE.rglob("*.py")):
        for imp in imports_of(path):
            if imp.target.startswith("grants.") and imp.target != imp.module:
                graph[imp.module].add(imp.target)
    return graph


def violations(edges) -> dict[tuple[str, str], list[Import]]:
    """The edges that go up (or sideways), each with the imports that make it."""
    ranks = rank()
    wrong: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for source, target, imp in edges:
        if ranks[target] <= ranks[source]:
            wrong[(source, target)].append(imp)
    return wrong


def check(report: bool = False) -> list[str]:
    """The errors; an empty list when the layers hold."""
    errors: list[str] = []
    ranks = rank()
    packages = {p.name for p in SOURCE.iterdir() if (p / "__init__.py").is_file()}
    packages |= {"app", "demo", "core"}
    for missing in sorted(packages - set(ranks) - {"translations"}):
        errors.append(f"The package {missing!r} has no place in LAYERS (scripts/layers.py).")
    if errors:
        return errors
    edges = cross_package_imports()
    wrong = violations(edges)
    for (source, target), imports in sorted(wrong.items()):
        if (source, target) in KNOWN:
            continue
        why = "core imports a domain" if source == "core" else "an upward import"
        for imp in imports:
            errors.append(
                f"{imp.module}:{imp.line} imports {imp.target}: {why} ({source} -> {target};"
                " see LAYERS in scripts/layers.py)"
            )
    for stale in sorted(set(KNOWN) - set(wrong)):
        errors.append(f"KNOWN lists {stale[0]} -> {stale[1]}, which is gone: remove it.")
    modules = module_graph()
    for component in cycles(modules):
        errors.append(
            f"modules in an import cycle (imports in functions counted): {' '.join(component)};"
            " move what they share into a module below them"
        )
    allowed = defaultdict(set)
    for source, target, _ in edges:
        if (source, target) not in wrong or (source, target) in KNOWN:
            allowed[source].add(target)
    if report:
        graph = defaultdict(set)
        for source, target, _ in edges:
            graph[source].add(target)
        in_function = sum(1 for *_, imp in edges if imp.in_function)
        hidden = {
            (imp.module, imp.line)
            for path in sorted(SOURCE.rglob("*.py"))
            for imp in imports_of(path)
            if imp.in_function and imp.target.startswith("grants")
        }
        tangled = sum(len(c) for c in cycles(modules))
        upward = sum(len(v) for v in wrong.values())
        print(f"cross-package imports: {len(edges)} ({in_function} inside functions)")
        print(f"import statements of grants inside functions: {len(hidden)}")
        print(f"package edges going up: {len(wrong)} ({upward} imports); known: {len(KNOWN)}")
        for component in cycles(graph):
            print(f"cycle of {len(component)} packages: {' '.join(component)}")
        print(f"modules in an import cycle (imports in functions counted): {tangled}")
        for (source, target), imports in sorted(wrong.items()):
            where = ", ".join(f"{i.module}:{i.line}" for i in imports[:3])
            more = f" (+{len(imports) - 3})" if len(imports) > 3 else ""
            print(f"  {source} -> {target}: {len(imports)} import(s): {where}{more}")
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="print the figures and edges")
    errors = check(report=parser.parse_args().report)
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
