"""The thread's step: the request for information, taken from the case page with a
deadline for the answer (the caseworker's choice, ``forms.REQUEST_DAYS`` by default), registered
into the workflow's registry (grants.workflow.actions) when the app is built
(grants.ACTION_MODULES)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.messages.forms import InformationRequestForm
from grants.messages.operations import request_information
from grants.workflow.actions import Action, register

register(
    Action(
        "request_information",
        _l("Bed om flere oplysninger"),
        applicant_label=_l("Sagsbehandleren beder om flere oplysninger"),
        form=InformationRequestForm,
        fields="messages/_request_deadline.html",
        effect=request_information,
        done=_l("Ansøgeren er bedt om flere oplysninger."),
        news=_l(
            "Sagsbehandleren mangler oplysninger for at kunne behandle din ansøgning "
            "“%(title)s”. Ret ansøgningen, og send den igen."
        ),
        # Where the route gives the request to the fund's board (an official trip), the
        # applicant is told it is the board that asks: in the e-mail, their journal and the
        # notice on the application's form.
        news_by_role=(
            (
                "board_member",
                _l(
                    "Bestyrelsen for %(fund)s mangler oplysninger for at kunne behandle din "
                    "ansøgning “%(title)s”. Ret ansøgningen, og send den igen."
                ),
            ),
        ),
        applicant_label_by_role=(("board_member", _l("Bestyrelsen beder om flere oplysninger")),),
        notice=_l("Sagsbehandleren mangler oplysninger"),
        notice_by_role=(("board_member", _l("Bestyrelsen for %(fund)s mangler oplysninger")),),
    ),
)
