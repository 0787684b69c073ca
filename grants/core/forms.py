"""The base of every form: WTForms' own messages in the person's language, and the one
policy for control characters in every text a person types (``grants.core.input``).

WTForms ships no Danish catalogue, so its built-in messages are mapped here to our own
strings, which go through Flask-Babel like every other string in the app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import wtforms.widgets.core
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from jinja2 import Undefined
from markupsafe import Markup, escape
from wtforms import Field, StringField, TextAreaField
from wtforms.form import BaseForm
from wtforms.validators import ValidationError

from grants.core.input import has_control_characters

_QUOTE = Markup('"')
_ESCAPED_QUOTE = Markup("&quot;")


def html_params(**kwargs: Any) -> Markup:
    """WTForms' ``html_params`` (every widget's attributes), the same text made without
    ``Markup.format``: its escaping formatter cost ~35 calls into Python an attribute, a
    twentieth of a page with three forms (the case page). As WTForms': sorted by name, a
    trailing ``_`` dropped, ``data_``/``aria_`` names with hyphens, ``True`` a bare name,
    ``False`` left out, values escaped and their quotes ``&quot;``. Installed in
    ``wtforms.widgets.core`` below; ``tests/core/test_forms.py`` holds it to WTForms' own."""
    params = []
    for key, value in sorted(kwargs.items()):
        name = _NAMES.get(key)
        if name is None:
            name = _NAMES[key] = str(escape(wtforms.widgets.core.clean_key(key)))  # type: ignore[attr-defined]
        if value is True:
            params.append(name)
        elif value is not False:
            params.append(f'{name}="{escape(value).replace(_QUOTE, _ESCAPED_QUOTE)}"')
    # Every name and value above is escaped; the join adds only spaces.
    return Markup(" ".join(params))  # nosec B704


# An attribute's name as written, by the keyword it was given as (a few dozen in all).
_NAMES: dict[str, str] = {}


def form_control(
    f: Field,
    hint: Any,
    classes: Sequence[str],
    extra: Mapping[str, Any],
    attrs: Mapping[str, Any],
    fid: str | None = None,
) -> Markup:
    """A field's control as macros/forms.html draws it (its ``_control``): dkfds classes, the
    aria wiring (the hint's and the error's ids, invalid, required), then ``attrs`` ("class"
    added to ours; anything else overrides). Made here, not in the macro: its dozen
    ``kw.update`` calls through Jinja cost ~90 calls into Python a field."""
    fid = fid or f.id
    described = ([fid + "-hint"] if hint else []) + ([fid + "-error"] if f.errors else [])
    kw: dict[str, Any] = {"required": False, "id": fid, **extra}
    if described:
        kw["aria-describedby"] = " ".join(described)
    if f.errors:
        kw["aria-invalid"] = "true"
    if f.flags.required:
        kw["aria-required"] = "true"
    classes = [*classes, attrs["class"]] if attrs.get("class") else list(classes)
    if classes:
        kw["class"] = " ".join(classes)
    kw.update((key, value) for key, value in attrs.items() if key != "class")
    # The field's widget escapes every value (html_params above).
    return f(**kw)


def form_hint(hint: Any, fid: str) -> Markup:
    """A field's hint under its label, as macros/forms.html shows it (empty without one)."""
    if not hint:
        return Markup()
    # Both escaped here (Markup's % formatting costs ~20 calls into Python more).
    return Markup(f'\n  <span class="form-hint" id="{escape(fid)}-hint">{escape(hint)}</span>')  # nosec B704


def hidden_input(f: Field) -> Markup:
    """A hidden field (a form's CSRF token) as WTForms' widget draws it, ``{{ form.csrf_token
    |hidden_input }}``: the widget costs ~100 calls into Python, three forms a case page.
    Nothing where the form has no such field (CSRF turned off, in tests), as ``{{ }}`` of an
    undefined attribute."""
    if isinstance(f, Undefined):
        return Markup()
    return Markup(  # nosec B704  # every value escaped
        f'<input id="{escape(f.id)}" name="{escape(f.name)}" type="hidden"'
        f' value="{escape(f._value())}">'  # type: ignore[attr-defined]
    )


def form_error(f: Field, fid: str) -> Markup:
    """A field's error messages next to it, as macros/forms.html shows them (empty without)."""
    if not f.errors:
        return Markup()
    return Markup(
        '\n  <span class="form-error-message" id="%s-error">'
        '<span class="sr-only">%s </span>%s</span>'
    ) % (fid, _("Fejl:"), Markup("<br>").join(f.errors))


wtforms_html_params = wtforms.widgets.core.html_params
wtforms.widgets.core.html_params = html_params
for _widget in vars(wtforms.widgets.core).values():  # Input and Button keep it as their own
    if isinstance(_widget, type) and "html_params" in vars(_widget):
        _widget.html_params = staticmethod(html_params)  # type: ignore[attr-defined]

WTFORMS_MESSAGES = {
    "This field is required.": _l("Feltet skal udfyldes."),
    "Not a valid date value.": _l("Skriv en gyldig dato."),
    "Not a valid datetime value.": _l("Skriv en gyldig dato og et gyldigt klokkeslæt."),
    "Not a valid integer value.": _l("Skriv et helt tal."),
    "Not a valid decimal value.": _l("Skriv et tal."),
    "Not a valid float value.": _l("Skriv et tal."),
    "Not a valid choice.": _l("Vælg en af mulighederne."),
    "Invalid Choice: could not coerce.": _l("Vælg en af mulighederne."),
    # A choice of several (check boxes) with a value that is not offered: the value sent is
    # not repeated back.
    "'%(value)s' is not a valid choice for this field.": _l("Vælg kun blandt mulighederne."),
    "'%(value)s' are not valid choices for this field.": _l("Vælg kun blandt mulighederne."),
    "Invalid email address.": _l("Skriv en gyldig e-mailadresse."),
    "Field cannot be longer than %(max)d characters.": _l("Teksten må højst være %(max)d tegn."),
    "Field must be at least %(min)d characters long.": _l("Teksten skal være mindst %(min)d tegn."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Teksten skal være mellem %(min)d og %(max)d tegn."
    ),
    "Number must be at least %(min)s.": _l("Tallet skal være mindst %(min)s."),
    "Number must be at most %(max)s.": _l("Tallet må højst være %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l(
        "Tallet skal være mellem %(min)s og %(max)s."
    ),
    "The CSRF token is missing.": _l("Siden var udløbet. Send formularen igen."),
    "The CSRF token has expired.": _l("Siden var udløbet. Send formularen igen."),
    "The CSRF token is invalid.": _l("Siden var udløbet. Send formularen igen."),
    "The CSRF tokens do not match.": _l("Siden var udløbet. Send formularen igen."),
    "File does not have an approved extension: {extensions}": _l("Filtypen kan ikke bruges."),
}


class _Translations:
    def gettext(self, string: str) -> str:
        return str(WTFORMS_MESSAGES.get(string, string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form: FlaskForm) -> _Translations:
            return _Translations()

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """Every text field of every form refuses control characters, next to the field:
        tab, newline and CR only in a text of several lines (``TextAreaField``)."""
        extra = {name: list(chain) for name, chain in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, StringField):
                extra.setdefault(name, []).append(refuse_control_characters)
        return super().validate(extra)


def refuse_control_characters(form: BaseForm, field: Field) -> None:
    """The control-character policy as a WTForms validator (see ``Form.validate``)."""
    multiline = isinstance(field, TextAreaField)
    if isinstance(field.data, str) and has_control_characters(field.data, multiline=multiline):
        raise ValidationError(
            _l("Teksten indeholder et tegn, der ikke kan skrives (et styretegn). Skriv den igen.")
        )
