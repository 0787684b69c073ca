from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from grants.cases.models import Application
from grants.core import access
from grants.core.errors import DomainError
from grants.core.input import parse_id
from grants.core.models import Municipality
from grants.core.refusals import refused_by_domain
from grants.extensions import db
from grants.organisations import operations
from grants.organisations.forms import (
    KIND_CHOICES,
    CancelInvitationForm,
    InviteForm,
    OrganisationAddressForm,
    OrganisationForm,
    RemoveMemberForm,
)
from grants.organisations.models import Membership, Organisation
from grants.people import assurance
from grants.people.assurance import Level, acting_cvr, requires

# Acting on behalf of an association (registering it, inviting, its details, applying for it)
# takes an NSIS assurance level of Substantial: MitID, or MitID Erhverv (grants.people.assurance).
ACTING = Level.SUBSTANTIAL

bp = Blueprint("organisations", __name__)


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    access.require(current_user, "organisation.view", organisation)
    return organisation


@bp.get("/organisationer")
@login_required
def mine():
    return render_template(
        "organisations/mine.html", organisations=operations.organisations_of(current_user)
    )


@bp.route("/organisationer/ny", methods=["GET", "POST"])
@login_required
@requires(ACTING)
def new():
    form = OrganisationForm()
    if form.validate_on_submit():
        cvr = acting_cvr()
        with refused_by_domain(form) as refusal:
            if cvr is not None and form.cvr.data != cvr:
                # Logged in with MitID Erhverv for one company: not registering another.
                raise DomainError(
                    _(
                        "Du er logget ind med MitID Erhverv for CVR-nummer %(cvr)s og kan kun "
                        "handle for den virksomhed.",
                        cvr=cvr,
                    ),
                    field="cvr",
                )
            nemlogin = assurance.NEMLOGIN in current_app.config["AUTHENTICATION_BACKENDS"]
            if cvr is None and form.cvr.data and nemlogin:
                # Only MitID Erhverv proves a CVR number. Registered by anyone else, the
                # company's own people would be made members of their organisation at their
                # first MitID Erhverv login (join_by_cvr), with them in it.
                raise DomainError(
                    _(
                        "Log ind med MitID Erhverv for CVR-nummer %(cvr)s for at oprette en "
                        "organisation med det nummer.",
                        cvr=form.cvr.data,
                    ),
                    field="cvr",
                )
            organisation = operations.register(current_user, form)
        if not refusal:
            flash(
                _(
                    "%(name)s er oprettet. Du kan nu søge tilskud på dens vegne.",
                    name=organisation.name,
                ),
                "success",
            )
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    status = 422 if form.errors else 200
    return render_template("organisations/form.html", form=form), status


@bp.get("/organisationer/<int:organisation_id>")
@login_required
def show(organisation_id: int, invite_form: InviteForm | None = None, status: int = 200):
    organisation = get_organisation(organisation_id)
    applications = db.session.scalars(
        select(Application)
        .where(Application.organisation_id == organisation.id)
        .order_by(Application.updated_at.desc())
    ).all()
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        applications=applications,
        invite_form=invite_form or InviteForm(),
        invitations=operations.pending_invitations(organisation),
        kinds=dict(KIND_CHOICES),
        based_here=organisation.based_in(Municipality.current()),
        register_configured=bool(current_app.config.get("CVR_REGISTER_URL")),
    ), status


@bp.route("/organisationer/<int:organisation_id>/rediger", methods=["GET", "POST"])
@login_required
@requires(ACTING)
def edit(organisation_id: int):
    """The association's address and contact details (an organisation made at its first MitID
    Erhverv login has its CVR number and name only)."""
    organisation = get_organisation(organisation_id)
    access.require(current_user, "organisation.act", organisation)
    form = OrganisationAddressForm(obj=organisation)
    if form.validate_on_submit():
        operations.update(organisation, form)
        flash(_("Oplysningerne om %(name)s er gemt.", name=organisation.name), "success")
        return redirect(url_for("organisations.show", organisation_id=organisation.id))
    status = 422 if form.errors else 200
    return render_template("organisations/edit.html", form=form, organisation=organisation), status


@bp.post("/organisationer/<int:organisation_id>/cvr")
@login_required
def refresh_from_register(organisation_id: int):
    """Fetch the organisation's name and address again from the CVR register."""
    organisation = get_organisation(organisation_id)
    access.require(current_user, "organisation.refresh_from_register", organisation)
    if not current_app.config.get("CVR_REGISTER_URL"):
        flash(_("Kommunen har ikke sat en forbindelse til CVR-registret op."), "info")
        return redirect(url_for("organisations.show", organisation_id=organisation.id))
    with refused_by_domain() as refusal:  # no form: the refusal is flashed
        operations.fill_from_register(organisation)
    if refusal:
        return show(organisation_id, status=refusal.status)
    flash(_("Navn og adresse er hentet fra CVR-registret."), "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.post("/organisationer/<int:organisation_id>/invitationer")
@login_required
@requires(ACTING)
def invite(organisation_id: int):
    organisation = get_organisation(organisation_id)
    access.require(current_user, "organisation.invite", organisation)
    form = InviteForm()
    if form.validate():
        with refused_by_domain(form, "email") as refusal:
            operations.invite(organisation, form.email.data, current_user)
        if not refusal:
            flash(_("Invitationen er sendt til %(email)s.", email=form.email.data), "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return show(organisation_id, invite_form=form, status=422)


@bp.post("/organisationer/<int:organisation_id>/invitationer/annuller")
@login_required
def cancel_invitation(organisation_id: int):
    """One who acts for the organisation, or the secretariat on its request, cancels an
    invitation not yet taken: its link is refused from now on (``accept``), and the invited
    person is told by e-mail."""
    organisation = get_organisation(organisation_id)
    access.require(current_user, "organisation.cancel_invitation", organisation)
    if organisation.has_member(current_user) and assurance.current_level() < ACTING:
        # Acting for the association, at the level inviting asks (the secretariat's own
        # login is the municipality's).
        return assurance.refusal(ACTING)
    form = CancelInvitationForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return show(organisation_id, status=422)
    number = parse_id(form.invitation_id.data)
    if number is None:
        flash(_("Invitationen findes ikke."), "error")
        return show(organisation_id, status=422)
    with refused_by_domain() as refusal:  # no field: the refusal is flashed
        invitation = operations.cancel_invitation(organisation, number, current_user)
    if refusal:
        return show(organisation_id, status=refusal.status)
    flash(
        _(
            "Invitationen til %(email)s er annulleret. Linket i den virker ikke længere.",
            email=invitation.email,
        ),
        "success",
    )
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.post("/organisationer/<int:organisation_id>/medlemmer/fjern")
@login_required
def remove_member(organisation_id: int):
    """A person no longer acts for the organisation: they leave, or another member (or the
    secretariat) removes them. Their cases stay the organisation's (operations.remove_member)."""
    organisation = get_organisation(organisation_id)
    access.require(current_user, "organisation.remove_member", organisation)
    if organisation.has_member(current_user) and assurance.current_level() < ACTING:
        # Acting for the association, at the level inviting asks (the secretariat's own
        # login is the municipality's).
        return assurance.refusal(ACTING)
    form = RemoveMemberForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return show(organisation_id, status=422)
    number = parse_id(form.membership_id.data)
    membership = db.session.get(Membership, number) if number else None
    if membership is None or membership.organisation_id != organisation.id:
        flash(_("Personen handler ikke længere for organisationen."), "info")
        return show(organisation_id, status=422)
    leaving = membership.user_id == current_user.id
    name = membership.user.name
    with refused_by_domain() as refusal:  # no field: the refusal is flashed
        operations.remove_member(organisation, membership, current_user)
    if refusal:
        if not access.may(current_user, "organisation.view", organisation):
            # Removed meanwhile by the person they meant to remove: the refusal says so, on
            # their own organisations' page.
            return redirect(url_for("organisations.mine"))
        return show(organisation_id, status=refusal.status)
    if leaving:
        flash(_("Du handler ikke længere for %(name)s.", name=organisation.name), "success")
        return redirect(url_for("organisations.mine"))
    flash(
        _("%(person)s handler ikke længere for %(name)s.", person=name, name=organisation.name),
        "success",
    )
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.route("/invitationer/<token>", methods=["GET", "POST"])
def accept(token: str):
    invitation = operations.find_invitation(token)
    if invitation is None:
        cancelled = operations.cancelled_invitation(token)
        if cancelled is not None:
            # Said plainly: the person may otherwise think the link was mistyped.
            return render_template(
                "organisations/invitation_invalid.html", cancelled=cancelled
            ), 410
        return render_template("organisations/invitation_invalid.html"), 404
    if not current_user.is_authenticated:
        return render_template(
            "organisations/invitation.html", invitation=invitation, next=request.path
        )
    if request.method == "POST":
        with refused_by_domain() as refusal:
            operations.accept(invitation, current_user)
        if refusal:
            return render_template(
                "organisations/invitation.html", invitation=invitation, next=request.path
            ), 403
        flash(_("Du handler nu for %(name)s.", name=invitation.organisation.name), "success")
        return redirect(url_for("organisations.show", organisation_id=invitation.organisation_id))
    return render_template(
        "organisations/invitation.html", invitation=invitation, next=request.path
    )
