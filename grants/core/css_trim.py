"""The design system's CSS cut down to what the app uses, at build time.

dkfds.min.css is 215 KiB with rules for every component of the design system; a page uses a
small part of it, and a phone spends its time matching every rule against every element
(Lighthouse: 1.3 s of "style and layout" at 4x slowdown for the front page). ``trim`` keeps
a rule when each class its selector names is one the app can put on a page: a word of a
template, of a script (the design system's own JavaScript adds classes such as ``is-open``)
or of the Python code (forms' classes). A word ending in "-" in a template (``alert-{{
variant }}``) keeps every class that starts with it. Rules without classes (elements,
attributes) are kept, as are @font-face, @keyframes and the like; a @media or @supports
block keeps what it holds that is kept. The fonts are listed woff2 first (the design
system lists the regular face's woff first, so browsers fetched 79 KiB instead of 56).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import tinycss2

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_CLASS = re.compile(r"\.(-?[_a-zA-Z](?:[_a-zA-Z0-9-]|\\.)*)")
_NOT = re.compile(r":not\([^)]*\)")
_KEEP_INSIDE = {"media", "supports", "layer", "document"}


def words_in(paths: Iterable[Path]) -> set[str]:
    """Every word that could be a class name, in the files under ``paths``."""
    words: set[str] = set()
    for root in paths:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            if path.suffix not in (".html", ".js", ".py", ".txt", ".xml", ".svg"):
                continue
            words.update(_WORD.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return words


class _Used:
    def __init__(self, words: set[str]):
        self.words = words
        # "alert-" from "alert-{{ variant }}": a class built in a template.
        self.prefixes = tuple(w for w in words if w.endswith("-") and len(w) > 3)

    def __call__(self, name: str) -> bool:
        return name in self.words or name.startswith(self.prefixes)

    def selector(self, selector: str) -> bool:
        # A class inside :not() is one the element must not have: no reason to drop the rule.
        names = [n.replace("\\", "") for n in _CLASS.findall(_NOT.sub("", selector))]
        return all(self(name) for name in names)


def _trimmed_rules(rules: list, used: _Used) -> list:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
            keep = [s for s in selectors if used.selector(s)]
            if not keep:
                continue
            if len(keep) < len(selectors):
                rule.prelude = tinycss2.parse_component_value_list(",".join(keep))
            kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword in _KEEP_INSIDE and rule.content:
            inner = _trimmed_rules(
                tinycss2.parse_rule_list(rule.content, skip_whitespace=True), used
            )
            if inner:
                rule.content = [token for r in inner for token in (r, _NEWLINE)]
                kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword == "font-face" and rule.content:
            rule.content = tinycss2.parse_component_value_list(
                _woff2_first(tinycss2.serialize(rule.content))
            )
            kept.append(rule)
        elif rule.type != "error":
            kept.append(rule)
    return kept


_NEWLINE = tinycss2.ast.WhitespaceToken(0, 0, "\n")


def _woff2_first(declarations: str) -> str:
    def src(match: re.Match) -> str:
        sources = [s.strip() for s in match.group(1).split(",")]
        modern = [s for s in sources if 'format("woff2")' in s] + [
            s for s in sources if 'format("woff")' in s
        ]
        return f"src:{','.join(modern or sources)}"

    return re.sub(r"src:([^;]+)", src, declarations)


def trim(css: str, words: set[str]) -> str:
    used = _Used(words)
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    return "\n".join(tinycss2.serialize([rule]) for rule in _trimmed_rules(rules, used)) + "\n"
