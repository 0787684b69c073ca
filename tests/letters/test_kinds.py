"""Every kind of letter is in one registry (grants.letters.kinds) and is made by one function,
grants.letters.operations.issue: the decision letter (also when a committee's meeting
issues its agenda), the settlement letter and the approved report."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask_babel import force_locale

from grants.letters import texts
from grants.letters.kinds import KINDS, kind_label
from tests.letters.kinds import every_letter

GRANTS = Path(__file__).resolve().parents[2] / "grants"


@pytest.mark.parametrize("code", sorted(KINDS))
def test_every_kind_has_its_words_in_both_languages(app, code):
    kind = KINDS[code]
    with force_locale("da"):
        danish = kind_label(code)
    with force_locale("en"):
        english = kind_label(code)
    assert danish and english and danish != english, code
    assert (Path(app.root_path).parent / "templates" / kind.template).is_file(), kind.template
    if kind.text_outcome is not None:
        # The fund's own text it carries has a standard text in each language.
        outcomes = {"granted", "partly_granted", "refused"} if code == "decision" else {kind.code}
        for outcome in outcomes:
            assert texts.DEFAULT_TEXTS[outcome] and texts.DEFAULT_TEXTS_EN[outcome]


def test_an_unknown_kind_is_never_issued(app):
    from grants.letters.operations import issue

    with pytest.raises(ValueError, match="no such kind"):
        issue("reminder", None, dict, None)


def test_every_letter_the_app_issues_is_of_a_registered_kind(world, youth, move_clock):
    letters = every_letter(world, youth, move_clock, "en")

    assert {letter.kind for letter in letters.values()} == set(KINDS)
    for name, letter in letters.items():
        kind = KINDS[letter.kind]
        assert letter.template == kind.template, name
        assert letter.filename.startswith(f"{kind.filename}-"), name
        assert letter.language == (kind.language or "en"), name


def _outside_letters():
    for path in sorted(GRANTS.rglob("*.py")):
        if "letters" not in path.relative_to(GRANTS).parts[:1]:
            yield path, ast.parse(path.read_text(), filename=str(path))


def test_no_letter_is_made_outside_the_letters_package():
    """Outside grants/letters, nothing builds a Letter row or reaches into the package's
    private functions: issue() is the one way a letter is made."""
    found = []
    for path, tree in _outside_letters():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Letter"
            ):
                found.append(f"{path.name}:{node.lineno} builds a Letter")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "grants.letters"
            ):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    found.append(f"{path.name}:{node.lineno} imports {private}")
    assert found == []


@pytest.mark.parametrize(
    ("language", "named"), [("da", "(Afgørelsesbrev)"), ("en", "(Decision letter)")]
)
def test_a_second_letter_of_a_kind_is_refused_and_names_it(world, language, named):
    from sqlalchemy import func, select

    from grants.core.errors import DomainError
    from grants.extensions import db
    from grants.letters.models import Letter
    from grants.letters.operations import issue_decision_letter
    from tests.letters.kinds import decision_case

    application = decision_case(world, "grant")
    with force_locale(language), pytest.raises(DomainError) as refused:
        issue_decision_letter(application, world.caseworker)
    assert named in str(refused.value.message)
    assert db.session.scalar(select(func.count(Letter.id))) == 1
