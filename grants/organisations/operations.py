"""Registering organisations and inviting the people who act for them. Nothing commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from grants.cases.models import Application
from grants.core import access, clock
from grants.core.errors import DomainError, NotAllowed
from grants.extensions import db
from grants.notifications.operations import queue_mail, queue_mail_in
from grants.organisations import cvr as cvr_register
from grants.organisations.lock import lock_members
from grants.organisations.models import Invitation, Membership, Organisation, OrganisationKind
from grants.organisations.signals import representative_removed
from grants.people.models import User

INVITATION_DAYS = 14
# Each invitation is the municipality's own e-mail, with the names the inviter typed, and
# anyone can sign up and register a school: at most this many a day to one address for one
# organisation, and from one person.
INVITATION_WINDOW = dt.timedelta(days=1)
MAX_INVITATIONS_PER_ADDRESS = 3
MAX_INVITATIONS_PER_PERSON = 20


def register(founder: User, form) -> Organisation:
    cvr = (form.cvr.data or "").strip() or None
    if cvr and db.session.scalar(select(Organisation.id).where(Organisation.cvr == cvr)):
        raise DomainError(
            _(
                "En organisation med dette CVR-nummer er allerede oprettet. Bed en af dem, der "
                "handler for den, om at invitere dig."
            ),
            field="cvr",
        )
    organisation = Organisation(
        name=(form.name.data or "").strip(),
        kind=form.kind.data,
        cvr=cvr,
        address=(form.address.data or "").strip(),
        postcode=(form.postcode.data or "").strip(),
        city=(form.city.data or "").strip(),
        email=form.email.data.strip(),
        phone=(form.phone.data or "").strip(),
    )
    if cvr and form.filled_from_register:
        fill_from_register(organisation)
    organisation.members.append(Membership(user=founder))
    db.session.add(organisation)
    db.session.flush()
    return organisation


def fill_from_register(organisation: Organisation) -> None:
    """Take the name and address the CVR register has for the organisation's number. A number
    the register does not know, or a company that has ceased, is refused; so is any answer
    when the register cannot be asked (the association tries again later: nothing is
    guessed)."""
    register = cvr_register.configured_register()
    if register is None or not organisation.cvr:
        return
    try:
        company = register.lookup(organisation.cvr)
    except cvr_register.RegisterUnavailable as error:
        raise DomainError(
            _(
                "CVR-registret svarer ikke lige nu, så navn og adresse kan ikke hentes. "
                "Prøv igen om lidt."
            ),
            field="cvr",
        ) from error
    if company is None:
        raise DomainError(
            _(
                "CVR-registret kender ikke nummeret %(cvr)s. Se nummeret efter på virk.dk.",
                cvr=organisation.cvr,
            ),
            field="cvr",
        )
    if company.ceased:
        raise DomainError(
            _(
                "%(name)s (CVR %(cvr)s) er ophørt ifølge CVR-registret og kan ikke få tilskud.",
                name=company.name,
                cvr=company.cvr,
            ),
            field="cvr",
        )
    organisation.name = company.name
    organisation.address = company.address
    organisation.postcode = company.postcode
    organisation.city = company.city
    organisation.register_fetched_at = clock.now()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(organisation: Organisation, email: str, actor: User) -> Invitation:
    """Invite a person by e-mail; the link in the mail is the only copy of the token."""
    email = email.strip()
    existing = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if existing is not None and organisation.has_member(existing):
        raise DomainError(
            _("%(email)s handler allerede for organisationen.", email=email), field="email"
        )
    _check_invitation_limits(organisation, email, actor)
    token = secrets.token_urlsafe(32)
    recipient = existing or User(email=email, name=email, locale=actor.locale)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        locale=recipient.locale or "da",
        token_hash=_hash(token),
        invited_by_id=actor.id,
        created_at=clock.now(),  # the app's clock, as the limits count it
        expires_at=clock.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    queue_mail(
        recipient,
        "mail/invitation_subject.txt",
        "mail/invitation.txt",
        organisation=organisation,
        actor=actor,
        link=url_for("organisations.accept", token=token, _external=True),
        days=INVITATION_DAYS,
    )
    return invitation


def _check_invitation_limits(organisation: Organisation, email: str, actor: User) -> None:
    since = clock.now() - INVITATION_WINDOW
    sent = select(func.count()).select_from(Invitation).where(Invitation.created_at > since)
    to_address = sent.where(
        Invitation.organisation_id == organisation.id,
        func.lower(Invitation.email) == email.lower(),
    )
    if (db.session.scalar(to_address) or 0) >= MAX_INVITATIONS_PER_ADDRESS:
        raise DomainError(
            _(
                "%(email)s har fået %(count)s invitationer til organisationen det seneste døgn. "
                "Bed personen se efter dem, også i spam-mappen.",
                email=email,
                count=MAX_INVITATIONS_PER_ADDRESS,
            ),
            field="email",
        )
    by_actor = sent.where(Invitation.invited_by_id == actor.id)
    if (db.session.scalar(by_actor) or 0) >= MAX_INVITATIONS_PER_PERSON:
        raise DomainError(
            _(
                "Du har sendt %(count)s invitationer det seneste døgn. Du kan sende flere i "
                "morgen.",
                count=MAX_INVITATIONS_PER_PERSON,
            ),
            field="email",
        )


def _expired(invitation: Invitation) -> bool:
    expires = invitation.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    return expires <= clock.now()


def find_invitation(token: str) -> Invitation | None:
    """The pending invitation the link's token is for: not taken, not cancelled, not run
    out."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token)))
    if invitation is None or invitation.accepted_at is not None:
        return None
    if invitation.cancelled_at is not None or _expired(invitation):
        return None
    return invitation


def cancelled_invitation(token: str) -> Invitation | None:
    """The invitation the link's token is for, if it was cancelled (its link then says so,
    rather than that it is wrong or used)."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token)))
    if invitation is None or invitation.cancelled_at is None:
        return None
    return invitation


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    """The invitations to the organisation not yet taken, cancelled or run out, oldest
    first, with who sent them."""
    return list(
        db.session.scalars(
            select(Invitation)
            .options(selectinload(Invitation.invited_by))
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.cancelled_at.is_(None),
                Invitation.expires_at > clock.now(),
            )
            .order_by(Invitation.created_at, Invitation.id)
        )
    )


def cancel_invitation(organisation: Organisation, invitation_id: int, actor: User) -> Invitation:
    """One who acts for the organisation, or the secretariat on its request, cancels an
    invitation not yet taken (sent to a wrong address, or to someone who will not act for it
    after all): its link is refused from now on, and the invited person is told by e-mail.
    The invitation's row is locked first, as taking it locks it: of a cancel
    and an acceptance at the same moment, one wins and the other is refused."""
    if not access.may(actor, "organisation.cancel_invitation", organisation):
        raise NotAllowed(_("Du kan ikke annullere invitationer til denne organisation."))
    invitation = db.session.scalar(
        select(Invitation)
        .where(Invitation.id == invitation_id, Invitation.organisation_id == organisation.id)
        .with_for_update()
        .execution_options(populate_existing=True)  # as the lock found it
    )
    if invitation is None:
        raise DomainError(_("Invitationen findes ikke."))
    if invitation.accepted_at is not None:
        raise DomainError(
            _("%(email)s har allerede taget imod invitationen.", email=invitation.email)
        )
    if invitation.cancelled_at is not None:
        raise DomainError(
            _("Invitationen til %(email)s er allerede annulleret.", email=invitation.email)
        )
    if _expired(invitation):
        raise DomainError(_("Invitationen til %(email)s er udløbet.", email=invitation.email))
    invitation.cancelled_at = clock.now()
    invitation.cancelled_by_id = actor.id
    db.session.flush()
    _tell_cancelled(invitation, actor)
    return invitation


def _tell_cancelled(invitation: Invitation, actor: User) -> None:
    """The invited person is told that the link no longer works, in the language the
    invitation was written in (a person with an account who has changed theirs since gets
    the word in the language of the e-mail it follows up)."""
    existing = db.session.scalar(
        select(User).where(func.lower(User.email) == invitation.email.strip().lower())
    )
    queue_mail_in(
        invitation.locale,
        existing or User(email=invitation.email, name=invitation.email),
        "mail/invitation_cancelled_subject.txt",
        "mail/invitation_cancelled.txt",
        organisation=invitation.organisation,
        actor=actor,
        by_secretariat=not invitation.organisation.has_member(actor),
    )


def accept(invitation: Invitation, user: User) -> Membership:
    """Only the person the invitation was sent to can take it: a forwarded link is no key
    to the organisation's cases. The invitation's row is locked and read again first: one
    cancelled (or taken) meanwhile is refused."""
    db.session.refresh(invitation, with_for_update=True)
    if invitation.cancelled_at is not None:
        raise DomainError(
            _(
                "Invitationen til at handle for %(name)s er annulleret.",
                name=invitation.organisation.name,
            )
        )
    if invitation.accepted_at is not None and invitation.accepted_by_id != user.id:
        raise DomainError(_("Invitationen er allerede brugt."))
    if user.email.strip().lower() != invitation.email.strip().lower():
        raise DomainError(
            _(
                "Invitationen er sendt til %(email)s. Log ind med den e-mailadresse for at tage "
                "imod den.",
                email=invitation.email,
            )
        )
    organisation = invitation.organisation
    invitation.accepted_at = clock.now()
    invitation.accepted_by_id = user.id
    if organisation.has_member(user):
        return next(m for m in organisation.members if m.user_id == user.id)
    membership = Membership(user=user, invited_by_id=invitation.invited_by_id)
    organisation.members.append(membership)
    return membership


def applicant_side(application: Application) -> list[User]:
    """Who hears from the municipality about a case: the applicant (the contact person)
    and, for an organisation's case, everyone who acts for the organisation now; active,
    with an e-mail address, the contact person first. An association's board shares the
    responsibility for its applications and the contact person may be away: each of them
    is told of every step and message, in their own language (README.md, "The youth
    association's journey")."""
    people = {application.applicant.id: application.applicant}
    if application.organisation is not None:
        for membership in application.organisation.members:
            people.setdefault(membership.user.id, membership.user)
    return [p for p in people.values() if p.active and p.email]


def organisations_of(user: User) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Membership)
            .where(Membership.user_id == user.id)
            .order_by(Organisation.name)
        )
    )


def acting_for(user: User) -> list[Organisation]:
    """The organisations the person may act for in this session: those they are a member of,
    or, after a MitID Erhverv login for a CVR number, that company alone."""
    from grants.core import access

    return [o for o in organisations_of(user) if access.may(user, "organisation.act", o)]


def join_by_cvr(user: User, cvr: str, name: str) -> tuple[Organisation, bool]:
    """MitID Erhverv says ``user`` acts for the company with this CVR number: make them a
    member of its organisation, registering it (as an association, from the name NemLog-in
    gives) the first time anyone logs in for it; the address is for the association to fill
    in. Returns the organisation and whether it was made now."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.cvr == cvr))
    made = organisation is None
    if made:
        organisation = Organisation(
            name=(name.strip() or f"CVR {cvr}")[:200], kind=OrganisationKind.ASSOCIATION, cvr=cvr
        )
        db.session.add(organisation)
    if not organisation.has_member(user):
        organisation.members.append(Membership(user=user))
    db.session.flush()
    return organisation, made


def update(organisation: Organisation, form) -> None:
    """The association fills in (or corrects) its address and contact details. The name, kind
    and CVR number are not changed here: the CVR number is what MitID Erhverv links to."""
    organisation.address = form.address.data.strip()
    organisation.postcode = form.postcode.data.strip()
    organisation.city = form.city.data.strip()
    organisation.email = form.email.data.strip()
    organisation.phone = (form.phone.data or "").strip()
    db.session.flush()


def remove_member(organisation: Organisation, membership: Membership, actor: User) -> list:
    """The person of ``membership`` no longer acts for the organisation: they left, another
    member removed them, or the secretariat did. They lose its cases at once (seeing them,
    acting on them, their e-mails), also the ones they applied for: every case of the
    organisation that named them as its contact person names another member from now on
    (the one who removed them, else the member who has acted for it longest), and its
    journal says so; the invitations they sent that nobody has taken end. The organisation
    keeps at least one active person: two members removing each other at the same moment
    cannot both go (the organisation's lock, then its members read again). Returns the
    cases whose contact person changed."""
    if membership.organisation_id != organisation.id:
        raise DomainError(_("Personen handler ikke for organisationen."))
    membership_id = membership.id
    lock_members(organisation)
    members = list(organisation.members)  # as the last change left them, under the lock
    if not any(m.id == membership_id for m in members):
        raise DomainError(_("Personen handler ikke længere for organisationen."))
    if not access.may(actor, "organisation.remove_member", organisation):
        # The actor was removed meanwhile, by the person they meant to remove.
        raise NotAllowed(
            _("Du handler ikke længere for %(organisation)s.", organisation=organisation.name)
        )
    removed = membership.user
    remaining = [
        m.user for m in members if m.id != membership_id and m.user is not None and m.user.active
    ]
    if not remaining:
        raise DomainError(
            _(
                "%(name)s er den eneste, der handler for %(organisation)s. Invitér en anden, "
                "før %(name)s forlader organisationen.",
                name=removed.name,
                organisation=organisation.name,
            )
        )
    contact = actor if any(user.id == actor.id for user in remaining) else remaining[0]
    cases = list(
        db.session.scalars(
            select(Application)
            .where(
                Application.organisation_id == organisation.id,
                Application.applicant_id == removed.id,
            )
            .order_by(Application.id)
        )
    )
    for application in cases:
        application.applicant = contact
    # The invitations they sent and nobody has taken yet end with them: a person removed
    # brings no one in after they are gone.
    for invitation in db.session.scalars(
        select(Invitation).where(
            Invitation.organisation_id == organisation.id,
            Invitation.invited_by_id == removed.id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > clock.now(),
        )
    ):
        invitation.expires_at = clock.now()
    organisation.members.remove(membership)
    db.session.flush()
    for application in cases:
        representative_removed.send(application, removed=removed, contact=contact, actor=actor)
    if removed.id != actor.id:
        queue_mail(
            removed,
            "mail/membership_removed_subject.txt",
            "mail/membership_removed.txt",
            organisation=organisation,
            actor=actor,
        )
    if cases and contact.id != actor.id:
        queue_mail(
            contact,
            "mail/contact_person_subject.txt",
            "mail/contact_person.txt",
            organisation=organisation,
            removed=removed,
            cases=cases,
            link=url_for("organisations.show", organisation_id=organisation.id, _external=True),
        )
    return cases
