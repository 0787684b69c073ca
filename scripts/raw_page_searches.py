"""Counts the places in tests/ (not tests/browser) that search a response's raw text
instead of reading the page through tests/html.py: ``... in response.get_data(as_text=True)``,
``in response.data``, ``in response.text``, or ``in page`` where ``page`` was last assigned
one of those in the same function.

Some of them are right as they are (a PDF's or a feed's bytes, XML metadata, checks that
markup is escaped, a secret that must be nowhere in the answer): the count is a place to
look, not a verdict.

    .venv/bin/python scripts/raw_page_searches.py          # per file, and the total
    .venv/bin/python scripts/raw_page_searches.py --list   # every place
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"


def _raw(node: ast.expr) -> bool:
    """Whether ``node`` is a response's raw text: ``x.get_data(...)``, ``x.data``,
    ``x.text`` (not the helpers' ``html.text``), a ``.decode()`` of one, or a slice of one."""
    if isinstance(node, ast.Subscript):
        return _raw(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "get_data":
            return True
        if node.func.attr == "decode":
            return _raw(node.func.value)
    if isinstance(node, ast.Attribute) and node.attr in ("data", "text"):
        return not (isinstance(node.value, ast.Name) and node.value.id in ("html", "st"))
    return False


def _scopes(tree: ast.Module):
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def searches(path: Path) -> list[tuple[int, str]]:
    """The line and source of each comparison in ``path`` that searches raw text."""
    source = path.read_text()
    tree = ast.parse(source)
    found: dict[int, tuple[int, str]] = {}
    for scope in _scopes(tree):
        assigned: dict[str, list[tuple[int, bool]]] = {}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append((node.lineno, _raw(node.value)))

        def raw_name(name: str, line: int, assigned=assigned) -> bool:
            before = [raw for at, raw in sorted(assigned.get(name, [])) if at <= line]
            return bool(before) and before[-1]

        for node in ast.walk(scope):
            if not isinstance(node, ast.Compare) or id(node) in found:
                continue
            for op, right in zip(node.ops, node.comparators, strict=True):
                if not isinstance(op, ast.In | ast.NotIn):
                    continue
                target = right.value if isinstance(right, ast.Subscript) else right
                if _raw(right) or (
                    isinstance(target, ast.Name) and raw_name(target.id, node.lineno)
                ):
                    found[id(node)] = (node.lineno, ast.get_source_segment(source, node) or "")
                    break
    return sorted(found.values())


def main() -> None:
    per_file: Counter[str] = Counter()
    for path in sorted(TESTS.rglob("*.py")):
        if "browser" in path.parts or path.name == "html.py":
            continue
        for line, text in searches(path):
            per_file[str(path.relative_to(TESTS.parent))] += 1
            if "--list" in sys.argv:
                print(f"{path.relative_to(TESTS.parent)}:{line}: {text}")
    if "--list" not in sys.argv:
        for name, count in per_file.most_common():
            print(count, name)
    print("total", sum(per_file.values()))


if __name__ == "__main__":
    main()
