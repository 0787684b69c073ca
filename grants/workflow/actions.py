"""The steps of the routes: what each is called, where it is taken and what it does.

A route (``routes/*.toml``) says who may take which action in which state; this registry
says, for each action the routes name, what the action is:

- ``label``: what staff call it (the button, the journal); ``applicant_label``: what the
  applicant is told in their journal, where that differs (an applicant's own steps have one
  label);
- ``form``: what the case page asks with the button: ``StepForm`` (a comment, required
  where the route says so; ``grants.workflow.forms``) or a form of its own with more fields
  (drawn by the template ``fields``; what they hold goes to ``effect`` as keywords, the
  form's ``facts``), the case's decision form (with
  ``decides``: the action is one choice of the decision form, shown first and confirmed:
  ``workflow.decide``) or ``None`` (a link to ``page``);
- ``page``: the endpoint of the page the step is taken on, where it needs more than a
  comment (the application form, the report, the committee's agenda); none: the step is
  taken by ``workflow.step``, which runs ``effect``;
- ``effect``: what taking the step does, ``effect(application, actor, action, comment,
  **form.facts())``; by default the engine's ``take``;
- ``done``: what the person who took the step is told on the case page afterwards, a
  sentence ("Ansøgningen er anbefalet."); every step taken by ``workflow.step`` has one;
- ``confirm``: for a step that cannot be undone, what taking it means, shown before it is
  taken (on confirming); ``preview`` gives the facts the text names (it checks, and changes
  nothing);
- ``news``: what the applicant's e-mail says when the step is taken on their case (with
  ``%(title)s``, ``%(fund)s``, ``%(case)s``); none: that the case has moved on;
  ``news_by_role``: where the e-mail names who took the step, what it says when the route
  gave the step to another role than the caseworker (the fund's board, ``board_member``);
  ``news_by_next_role``: where the e-mail names who acts next (a step the applicant takes,
  such as sending the application again), what it says when the route gives the next step
  to another role than the caseworker (``next_role`` in ``grants.workflow.engine``);
- ``applicant_label_by_role``: the applicant's journal label by the role the route gave
  the step, where it names who took it (as ``news_by_role``);
- ``notice``: the heading of the notice on the applicant's page while the case waits for
  them after the step (what was asked, what was sent back), with ``%(fund)s``;
  ``notice_by_role``: the same by the role that took the step;

- ``listed``: whether the case page draws the step with the others (the application and the
  report are submitted from their own links on the page).

The loader refuses a route that names an action not registered here, and the case page's
buttons, the step view and the labels are all derived from it: a new step is a
``[[transition]]`` in a route and, for a new action, one ``Action`` below, or one that a
package above the workflow registers with ``register`` when its effect or form is that
package's (the case's steps: ``grants.applications.actions``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from grants.core.forms import Form
from grants.workflow.forms import StepForm
from grants.workflow.models import Step, Transition

if TYPE_CHECKING:
    from grants.cases.models import Application

Effect = Callable[..., object]


MOVED_ON = _l("Din ansøgning “%(title)s” er gået videre.")
# A step registered without its own ``done`` sentence (each of the routes' steps has one).
STEP_DONE = _l("Trinnet er udført: %(action)s.")
DECIDED = _l(
    "Der er truffet afgørelse i din sag “%(title)s”. Afgørelsesbrevet ligger på sagen, hvor du "
    "kan hente det som PDF."
)


@dataclass(frozen=True)
class Action:
    name: str
    label: LazyString
    applicant_label: LazyString | None = None
    form: type[Form] | None = StepForm
    page: str = ""
    # None: the plain step, the engine's own (``engine.take_step``).
    effect: Effect | None = None
    confirm: LazyString | None = None  # what the step means, shown before it is taken
    # What the person who took it is told afterwards (``workflow.step``), a sentence.
    done: LazyString | None = None
    preview: Callable[..., dict] | None = None
    secondary: bool = False  # a way off the usual path, drawn as a secondary button
    news: LazyString | None = None  # the applicant's e-mail
    # The applicant's e-mail by the role the step was taken in, where it differs from
    # ``news`` (pairs, so the action stays hashable): ``(("board_member", _l(...)),)``.
    news_by_role: tuple[tuple[str, LazyString], ...] = ()
    # The applicant's e-mail by the role the route gives the next step, where it names who
    # acts next (a step the applicant takes), in the same pairs.
    news_by_next_role: tuple[tuple[str, LazyString], ...] = ()
    # The applicant's journal label by the role the step was taken in, in the same pairs.
    applicant_label_by_role: tuple[tuple[str, LazyString], ...] = ()
    # The heading of the notice on the applicant's page while the step's request stands,
    # and the same by the role the step was taken in.
    notice: LazyString | None = None
    notice_by_role: tuple[tuple[str, LazyString], ...] = ()
    listed: bool = True
    # The template of the form's fields beside the comment (a form of its own, ``form``),
    # drawn with the step's button; "": the comment alone.
    fields: str = ""
    decides: bool = False  # one choice of the decision form (``workflow.decide``)
    # The step came with a later version of a route (reconsideration): a case on an older
    # version that lacks it may take it on the newest version of its route, and moves onto
    # that version (``engine.newer_route``), if the newer version keeps every step of the
    # case's own.
    on_newer_route: bool = False

    def label_for(self, applicant: bool = False, role: str | None = None) -> str:
        """The step's name as staff or as the applicant reads it; the applicant's, where it
        names who took the step, by ``role`` (the role the route gave the step)."""
        if applicant:
            label = _by_role(self.applicant_label_by_role, role) or self.applicant_label
            if label is not None:
                return str(label)
        return str(self.label)

    def done_message(self) -> str:
        """What the person who took the step is told afterwards: its sentence, or, for a
        step registered without one, the step's name."""
        if self.done is not None:
            return str(self.done)
        return str(STEP_DONE) % {"action": self.label}

    def news_for(
        self, application: Application, role: str | None = None, next_role: str | None = None
    ) -> str:
        """The applicant's e-mail's sentence about this step on ``application``, taken by a
        person in ``role`` (the transition's), the next step the route's to ``next_role``."""
        news = (
            _by_role(self.news_by_role, role)
            or _by_role(self.news_by_next_role, next_role)
            or self.news
            or MOVED_ON
        )
        return str(news) % {
            "title": application.title,
            "fund": application.fund.name,
            "case": application.case_number,
        }

    def notice_for(self, application: Application, role: str | None = None) -> str:
        """The heading of the applicant's notice while the step's request stands, the step
        taken by a person in ``role``; "" for a step without one."""
        notice = _by_role(self.notice_by_role, role) or self.notice
        return str(notice) % {"fund": application.fund.name} if notice is not None else ""

    def url(self, application: Application) -> str:
        """Where the case page's button for this step goes."""
        if not self.page:
            return url_for("workflow.step", application_id=application.id, action=self.name)
        values: dict[str, Any] = {"application_id": application.id}
        if any("action" in rule.arguments for rule in current_app.url_map.iter_rules(self.page)):
            values["action"] = self.name
        return url_for(self.page, **values)


def _by_role(texts: tuple[tuple[str, LazyString], ...], role: str | None) -> LazyString | None:
    """The text of ``texts`` (pairs of a role and its text) for ``role``, if it has one."""
    if role is None:
        return None
    return dict(texts).get(str(role))


# The registry: the generic steps below; the steps whose effect or form is a package's above
# the workflow are registered by it with ``register`` when the app is built (the case's:
# grants.applications.actions, listed in grants.ACTION_MODULES), before any route is loaded.
ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        # The application: submitted (again) from its form, which checks it is complete.
        Action(
            "submit",
            _l("Indsend ansøgning"),
            form=None,
            page="applications.edit",
            listed=False,
            news=_l(
                "Tak for din ansøgning “%(title)s” til %(fund)s. Vi har modtaget den, og den har "
                "fået sagsnummer %(case)s."
            ),
        ),
        Action(
            "resubmit",
            _l("Indsend igen"),
            form=None,
            page="applications.edit",
            listed=False,
            news=_l(
                "Vi har modtaget din rettede ansøgning “%(title)s”, og sagsbehandleren ser på den "
                "igen."
            ),
            # An official trip goes straight back to the fund's board, which asked.
            news_by_next_role=(
                (
                    "board_member",
                    _l(
                        "Vi har modtaget din rettede ansøgning “%(title)s”, og bestyrelsen for "
                        "%(fund)s ser på den igen."
                    ),
                ),
            ),
        ),
        Action(
            "forward_for_decision",
            _l("Send til afgørelse"),
            done=_l("Sagen er sendt til afgørelse."),
        ),
        Action(
            "withdraw",
            _l("Træk ansøgningen tilbage"),
            confirm=_l(
                "Ansøgningen trækkes tilbage og bliver ikke behandlet. Det kan ikke fortrydes: "
                "vil du søge igen, skal du sende en ny ansøgning."
            ),
            secondary=True,
            done=_l("Ansøgningen er trukket tilbage."),
            news=_l("Din ansøgning “%(title)s” er trukket tilbage, og sagen er afsluttet."),
        ),
        # A committee's case: put on a meeting's agenda (the meeting is chosen on its page),
        # decided or postponed by the committee.
        Action(
            "put_on_agenda",
            _l("Sæt på udvalgets dagsorden"),
            form=None,
            page="committees.agenda_for_case",
        ),
        Action(
            "put_report_on_agenda",
            _l("Sæt rapport og regnskab på udvalgets dagsorden"),
            form=None,
            page="committees.agenda_for_case",
            news=_l(
                "Rapporten og regnskabet for “%(title)s” er sat på udvalgets dagsorden til "
                "godkendelse."
            ),
        ),
        # The meeting was cancelled before it was held: the case waits for another meeting
        # (committee_decision v3; taken by ``cancel_meeting`` only, never from the case page).
        Action(
            "take_off_agenda",
            _l("Taget af dagsordenen: mødet er aflyst"),
            listed=False,
            on_newer_route=True,
            done=_l("Sagen er taget af udvalgets dagsorden."),
        ),
        Action(
            "postpone",
            _l("Udsæt sagen"),
            applicant_label=_l("Sagen er udsat"),
            done=_l("Sagen er udsat til et senere møde."),
            news=_l("Udvalget har udsat behandlingen af “%(title)s” til et senere møde."),
        ),
        # After the trip: the report and accounts, reviewed on the report's page.
        Action(
            "submit_report",
            _l("Indsend rapport og regnskab"),
            form=None,
            page="reports.edit",
            listed=False,
            news=_l(
                "Vi har modtaget rapporten og regnskabet for “%(title)s”. Sagsbehandleren "
                "gennemgår dem og afregner tilskuddet."
            ),
            # An official trip's report and accounts are approved by the fund's board.
            news_by_next_role=(
                (
                    "board_member",
                    _l(
                        "Vi har modtaget rapporten og regnskabet for “%(title)s”. Bestyrelsen "
                        "for %(fund)s gennemgår dem og afregner tilskuddet."
                    ),
                ),
            ),
        ),
        Action(
            "approve_report",
            _l("Godkend rapport og regnskab"),
            applicant_label=_l("Rapport og regnskab godkendt"),
            page="reports.review",
            news=_l(
                "Vi har godkendt rapporten og regnskabet for “%(title)s”, og sagen er afsluttet. "
                "Afregningsbrevet med det endelige tilskud ligger på sagen, hvor du kan hente det "
                "som PDF."
            ),
        ),
        Action(
            "return_report",
            _l("Send rapport og regnskab tilbage"),
            applicant_label=_l("Rapport og regnskab sendt tilbage til dig"),
            page="reports.review",
            secondary=True,
            news=_l(
                "Sagsbehandleren har sendt rapporten og regnskabet for “%(title)s” tilbage til "
                "dig. Ret dem som beskrevet i kommentaren nedenfor, og send dem igen."
            ),
            news_by_role=(
                (
                    "board_member",
                    _l(
                        "Bestyrelsen for %(fund)s har sendt rapporten og regnskabet for "
                        "“%(title)s” tilbage til dig. Ret dem som beskrevet i kommentaren "
                        "nedenfor, og send dem igen."
                    ),
                ),
                # On the committees' route the committee sends it back from its meeting (its
                # secretary records it): the committee's fund bears the committee's name.
                (
                    "committee",
                    _l(
                        "%(fund)s har sendt rapporten og regnskabet for “%(title)s” tilbage til "
                        "dig. Ret dem som beskrevet i kommentaren nedenfor, og send dem igen."
                    ),
                ),
            ),
            notice=_l("Sagsbehandleren har sendt rapport og regnskab tilbage"),
            notice_by_role=(
                (
                    "board_member",
                    _l("Bestyrelsen for %(fund)s har sendt rapport og regnskab tilbage"),
                ),
                ("committee", _l("%(fund)s har sendt rapport og regnskab tilbage")),
            ),
        ),
    )
}


def register(*actions: Action) -> None:
    """Add ``actions`` to the registry (again: the same action is kept, a different one by the
    same name is an error)."""
    for new in actions:
        known = ACTIONS.get(new.name)
        if known is not None and known != new:
            raise ValueError(f"The action {new.name!r} is registered twice.")
        ACTIONS[new.name] = new


def action(name: str) -> Action | None:
    return ACTIONS.get(name)


@dataclass(frozen=True)
class CaseStep:
    """A step the case page offers a person: the route's transition and what it is."""

    transition: Transition | Step
    action: Action
    url: str


def case_steps(
    application: Application, transitions: Sequence[Transition | Step]
) -> tuple[list[CaseStep], list]:
    """The case page's buttons, from the transitions a person may take: the steps drawn one
    by one, and the decisions (drawn as one decision form)."""
    steps, decisions = [], []
    for transition in transitions:
        step = ACTIONS[transition.action]
        if step.decides:
            decisions.append(transition)
        elif step.listed:
            steps.append(CaseStep(transition, step, step.url(application)))
    return steps, decisions
