"""The case's steps: the actions of the routes whose effect or form is the applications' (the
manager's endorsement, the decision, giving up a grant), registered into the workflow's
registry (grants.workflow.actions) when the app is built (grants.ACTION_MODULES)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from grants.applications import operations
from grants.applications.forms import DecisionForm
from grants.applications.operations import give_up_grant
from grants.core.formatting import money
from grants.workflow.actions import DECIDED, Action, register

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.people.models import User


def endorse(application: Application, actor: User, action: str, comment: str) -> None:
    """The manager's answer, kept on the case as well as in the journal."""
    operations.endorse(application, actor, True, comment)


def not_endorse(application: Application, actor: User, action: str, comment: str) -> None:
    operations.endorse(application, actor, False, comment)


def giving_up_preview(application: Application, actor: User, action: str) -> dict:
    """What giving up or cancelling a grant gives back to the fund; refused if anything is
    paid."""
    from grants.budgets.closing import where_released_money_goes

    money_held = operations.check_giving_up(application, actor, action)
    return {
        "amount": money(money_held.granted if money_held else application.granted_amount),
        "money_goes": where_released_money_goes(application.fund, application.budget_year),
    }


def _decision(name: str, label, applicant_label) -> Action:
    """One outcome of the decision form (grant in full, in part, refuse)."""
    return Action(
        name,
        label,
        applicant_label=applicant_label,
        form=DecisionForm,
        decides=True,
        page="workflow.decide",
        news=DECIDED,
    )


register(
    Action(
        "endorse",
        _l("Anbefal"),
        applicant_label=_l("Anbefalet af din leder"),
        effect=endorse,
        done=_l("Ansøgningen er anbefalet."),
        news=_l(
            "Din leder har anbefalet din ansøgning “%(title)s”. Den er sendt videre til "
            "sagsbehandleren."
        ),
    ),
    Action(
        "not_endorse",
        _l("Anbefal ikke"),
        applicant_label=_l("Ikke anbefalet af din leder"),
        effect=not_endorse,
        done=_l("Ansøgningen er sendt videre uden din anbefaling."),
        secondary=True,
        news=_l(
            "Din leder har ikke anbefalet din ansøgning “%(title)s”. Begrundelsen står nedenfor."
        ),
    ),
    # The decision: one form, its outcome chosen among the actions the person may take.
    _decision("grant", _l("Bevil fuldt ud"), _l("Bevilget fuldt ud")),
    _decision("grant_part", _l("Bevil delvist"), _l("Bevilget delvist")),
    _decision("refuse", _l("Giv afslag"), _l("Afslag")),
    # A grant given up or cancelled before anything is paid: the money goes back.
    Action(
        "give_up_grant",
        _l("Giv afkald på bevillingen"),
        effect=give_up_grant,
        confirm=_l(
            "Du giver afkald på bevillingen på %(amount)s. %(money_goes)s Det kan ikke fortrydes."
        ),
        preview=giving_up_preview,
        secondary=True,
        done=_l("Du har givet afkald på bevillingen."),
        news=_l("Du har givet afkald på bevillingen til “%(title)s”, og sagen er afsluttet."),
    ),
    # Reconsideration (genoptagelse): the applicant asks with reasons; the decision form
    # then decides again (``operations.take_decision`` replaces the letter).
    Action(
        "request_reconsideration",
        _l("Bed om genoptagelse"),
        effect=operations.request_reconsideration,
        form=None,
        page="applications.reconsideration",
        secondary=True,
        # Reconsideration came with committee_decision v2 and screening_decision v3: a case
        # decided on an older version asks on the newest one and moves onto it.
        on_newer_route=True,
        news=_l(
            "Vi har modtaget din anmodning om genoptagelse af afgørelsen i “%(title)s”. Du får "
            "en ny afgørelse, når sagen er behandlet igen."
        ),
    ),
    Action(
        "cancel_grant",
        _l("Annullér bevillingen"),
        applicant_label=_l("Bevillingen er annulleret"),
        effect=give_up_grant,
        confirm=_l(
            "Bevillingen på %(amount)s annulleres. %(money_goes)s Ansøgeren får besked. "
            "Det kan ikke fortrydes."
        ),
        preview=giving_up_preview,
        secondary=True,
        done=_l("Bevillingen er annulleret. Ansøgeren får besked."),
        news=_l("Bevillingen til “%(title)s” er annulleret, og sagen er afsluttet."),
    ),
)
