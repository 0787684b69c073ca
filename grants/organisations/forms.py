from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from grants.core.forms import Form
from grants.core.input import cvr_filter, digits_filter
from grants.organisations.cvr import check_digit_ok
from grants.organisations.models import OrganisationKind

# Filled in from the CVR register for an association when the register is configured.
FROM_REGISTER = ("name", "address", "postcode", "city")

KIND_CHOICES = [
    (OrganisationKind.ASSOCIATION.value, _l("Forening")),
    (OrganisationKind.SCHOOL.value, _l("Skole")),
    (OrganisationKind.INSTITUTION.value, _l("Institution")),
]


class OrganisationForm(Form):
    name = StringField(
        _l("Navn"), [DataRequired(_l("Skriv organisationens navn.")), Length(max=200)]
    )
    kind = SelectField(_l("Type"), choices=KIND_CHOICES)
    cvr = StringField(
        _l("CVR-nummer"),
        [Optional(), Regexp(r"^[0-9]{8}$", message=_l("Et CVR-nummer er 8 cifre."))],
        # "٣١٤١٥٩٢٦", "31 41 59 26" and "DK31415926" are the number the person meant.
        filters=[cvr_filter],
        description=_l("Skal udfyldes for foreninger."),
    )
    address = StringField(_l("Adresse"), [DataRequired(_l("Skriv adressen.")), Length(max=200)])
    postcode = StringField(
        _l("Postnummer"),
        [
            DataRequired(_l("Skriv postnummeret.")),
            Regexp(r"^[0-9]{4}$", message=_l("Et postnummer er 4 cifre.")),
        ],
        filters=[digits_filter],  # "٢٧٥٠" is 2750, inside the municipality
    )
    city = StringField(_l("By"), [DataRequired(_l("Skriv byen.")), Length(max=100)])
    email = EmailField(
        _l("E-mail"),
        [
            DataRequired(_l("Skriv organisationens e-mailadresse.")),
            Email(_l("Skriv en gyldig e-mailadresse.")),
            Length(max=254),
        ],
    )
    phone = StringField(_l("Telefon"), [Optional(), Length(max=40)])

    @property
    def filled_from_register(self) -> bool:
        """An association's name and address come from the CVR register, when there is one."""
        return self.kind.data == OrganisationKind.ASSOCIATION.value and bool(
            current_app.config.get("CVR_REGISTER_URL")
        )

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if self.filled_from_register:
            for name in FROM_REGISTER:  # what the register fills in need not be typed
                if not (self[name].data or "").strip():
                    self[name].errors = []
        if self.kind.data == OrganisationKind.ASSOCIATION.value and not self.cvr.data:
            self.cvr.errors.append(_l("En forening skal have et CVR-nummer."))
        elif self.cvr.data and not self.cvr.errors and not check_digit_ok(self.cvr.data):
            self.cvr.errors.append(
                _l(
                    "%(cvr)s er ikke et gyldigt CVR-nummer: kontrolcifret passer ikke. "
                    "Se nummeret efter på virk.dk.",
                    cvr=self.cvr.data,
                )
            )
        return not any(self[name].errors for name in self._fields)


class OrganisationAddressForm(Form):
    """Where the organisation is and how it is reached: what an association fills in after
    its first MitID Erhverv login made it from the CVR number alone. The same fields, with the
    same checks, as when it registers."""

    address = OrganisationForm.address
    postcode = OrganisationForm.postcode
    city = OrganisationForm.city
    email = OrganisationForm.email
    phone = OrganisationForm.phone


class InviteForm(Form):
    email = EmailField(
        _l("E-mailadresse på den, du vil invitere"),
        [
            DataRequired(_l("Skriv en e-mailadresse.")),
            Email(_l("Skriv en gyldig e-mailadresse.")),
            Length(max=254),
        ],
    )


class RemoveMemberForm(Form):
    """One person no longer acts for the organisation: the membership's id, from the button
    beside their name."""

    membership_id = HiddenField(
        validators=[
            DataRequired(_l("Vælg den person, der ikke længere skal handle for organisationen."))
        ]
    )


class CancelInvitationForm(Form):
    """An invitation not yet taken is cancelled: its id, from the button beside it."""

    invitation_id = HiddenField(
        validators=[DataRequired(_l("Vælg den invitation, der skal annulleres."))]
    )
