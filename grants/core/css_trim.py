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
system lists the regular face's woff first, so browsers fetched 79 KiB instead of 56), and
each face gets its Latin1 subset from the design system's split fonts (``_latin_subset``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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


def _trimmed_rules(rules: list, used: _Used, exists: Callable[[str], bool]) -> list:
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
                tinycss2.parse_rule_list(rule.content, skip_whitespace=True), used, exists
            )
            if inner:
                rule.content = [token for r in inner for token in (r, _NEWLINE)]
                kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword == "font-face" and rule.content:
            declarations = _woff2_first(tinycss2.serialize(rule.content))
            rule.content = tinycss2.parse_component_value_list(declarations)
            kept.append(rule)
            subset = _latin_subset(declarations, exists)
            if subset:
                kept.append(tinycss2.parse_one_rule(f"@font-face{{{subset}}}"))
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


# The characters of IBM Plex's "Latin1" subset (its split fonts): the Danish and English
# letters, their punctuation, the euro sign.
LATIN1 = (
    "U+0000,U+000D,U+0020-007E,U+00A0-00FF,U+0131,U+0152-0153,U+02C6,U+02DA,U+02DC,"
    "U+2013-2014,U+2018-201A,U+201C-201E,U+2020-2022,U+2026,U+2030,U+2039-203A,U+2044,"
    "U+2074,U+20AC,U+2122,U+2212,U+FB01-FB02"
)
_COMPLETE_WOFF2 = re.compile(r"url\(([^)]*?)/complete/woff2/([A-Za-z0-9-]+)\.woff2\)")


def _latin_subset(declarations: str, exists: Callable[[str], bool]) -> str | None:
    """The same face from the design system's split fonts, for the Latin1 characters only:
    a page in Danish or English fetches ~17 KiB a face instead of ~57. It comes after the
    complete face, so browsers take it for the characters in its range; a page with any other
    character (an arrow, Greek) fetches the complete face for those, as before."""
    match = _COMPLETE_WOFF2.search(declarations)
    if match is None:
        return None
    folder, name = match.groups()
    woff2 = f"{folder}/split/woff2/{name}-Latin1.woff2"
    woff = f"{folder}/split/woff/{name}-Latin1.woff"
    if not exists(woff2):
        return None
    sources = [f'url({woff2}) format("woff2")']
    if exists(woff):
        sources.append(f'url({woff}) format("woff")')
    subset = re.sub(r"src:[^;]+", "src:" + ",".join(sources), declarations)
    return f"{subset.rstrip(';')};unicode-range:{LATIN1}"


def trim(css: str, words: set[str], exists: Callable[[str], bool] = lambda _path: False) -> str:
    """``css`` with the rules that use only ``words`` as classes; ``exists`` says whether a
    path the CSS names (relative to it) is there, for the fonts' Latin1 subsets."""
    used = _Used(words)
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    kept = _trimmed_rules(rules, used, exists)
    return "\n".join(tinycss2.serialize([rule]) for rule in kept) + "\n"
