"""A fund's kind cannot change while cases of the old kind are drafts or under way; a fund
code taken by another save between the check and the insert is said beside the code field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.administration import views
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund
from tests.administration.test_admin_pages import fund_data, save_fund
from tests.factories import make_application
from tests.html import field_error


def _other_kind(fund) -> str:
    return next(kind.code for kind in kinds.all_kinds() if kind.code != fund.kind)


@pytest.mark.parametrize("state", ["draft", "screening", "granted"])
def test_the_kind_is_not_changed_while_cases_are_open(world, client, auth, state):
    make_application(world.employee, world.fund, state=state)
    make_application(world.employee, world.fund, state="settled")
    db.session.commit()
    before = world.fund.kind
    auth.login(world.admin)
    response = save_fund(client, world.fund, kind=_other_kind(world.fund))
    assert response.status_code == 422
    assert "1 sag" in (field_error(response, "kind") or "")
    db.session.expire_all()
    assert world.fund.kind == before


def test_the_kind_changes_when_every_case_is_finished(world, client, auth):
    make_application(world.employee, world.fund, state="refused")
    db.session.commit()
    other = _other_kind(world.fund)
    auth.login(world.admin)
    response = save_fund(client, world.fund, kind=other)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert world.fund.kind == other


def test_a_code_taken_between_the_check_and_the_insert_is_said_beside_the_field(
    world, client, auth, monkeypatch
):
    """The other save commits after this one's check: the unique index refuses the insert."""
    data = fund_data(world.fund, code="kulturpuljen", name="Kulturpuljen", yearly_budget="30000")
    real_select = views.select
    taken = {"done": False}

    def select_then_other_save(*args, **kwargs):
        statement = real_select(*args, **kwargs)
        if args and args[0] is Fund.id and not taken["done"]:
            taken["done"] = True
            with db.engine.begin() as other:  # another request's connection
                other.execute(
                    Fund.__table__.insert().from_select(
                        [k for k, _c in Fund.__table__.c.items() if k not in ("id", "code", "name")]
                        + ["code", "name"],
                        real_select(
                            *[
                                c
                                for k, c in Fund.__table__.c.items()
                                if k not in ("id", "code", "name")
                            ],
                            func.cast("kulturpuljen", Fund.__table__.c.code.type),
                            func.cast("Anden", Fund.__table__.c.name.type),
                        ).where(Fund.id == world.fund.id),
                    )
                )
            return real_select(Fund.id).where(Fund.code == "ingen-endnu")
        return statement

    monkeypatch.setattr(views, "select", select_then_other_save)
    auth.login(world.admin)
    response = client.post("/administration/puljer/ny", data=data)
    assert response.status_code == 422
    assert field_error(response, "code") == "Der er allerede en pulje med den kode."
    assert (
        db.session.scalar(select(func.count()).select_from(Fund).where(Fund.name == "Kulturpuljen"))
        == 0
    )


def test_questions_saved_by_another_at_the_same_moment_are_said_beside_the_field(
    world, client, auth, monkeypatch
):
    """Two saves of the fund's questions take the same next version: the second is refused
    beside the question, not a server error, and nothing of it is saved."""
    from grants.administration import operations
    from grants.questions.models import FormVersion

    auth.login(world.admin)
    url = f"/administration/puljer/{world.fund.id}/spoergsmaal"
    client.post(url, data={"label": "Hvilken skole?", "kind": "short_text"})
    assert db.session.scalar(select(func.count()).select_from(FormVersion)) == 1
    # The other save read the same version number before this one's insert.
    monkeypatch.setattr(operations, "next_version", lambda _fund_id: 1)
    response = client.post(url, data={"label": "Antal elever", "kind": "number"})
    assert response.status_code == 422
    assert "blev ændret af en anden" in (field_error(response, "label") or "")
    assert db.session.scalar(select(func.count()).select_from(FormVersion)) == 1


@pytest.mark.parametrize(
    "locale, expected",
    [
        ("da", "Teksten kan ikke læses: der er en fejl i linje 4."),
        ("en", "The text cannot be read: there is an error on line 4."),
    ],
)
def test_a_letter_text_that_cannot_be_parsed_is_said_in_the_persons_language(
    world, client, auth, locale, expected
):
    from grants.letters.models import LetterText

    world.admin.locale = locale
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(LetterText))
    auth.login(world.admin)
    response = client.post(
        f"/administration/puljer/{world.fund.id}/breve/granted",
        data={"body": "Kære ansøger\n\n{% if sagsnummer %}\nSag {{ sagsnummer }"},
    )
    assert response.status_code == 422
    message = field_error(response, "body") or ""
    assert message.startswith(expected), message
    assert db.session.scalar(select(func.count()).select_from(LetterText)) == before
