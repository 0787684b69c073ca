"""What every template may use beyond Flask's own: the municipality's profile (for the header
and footer) and whole-kroner amounts. The domains add their own (``Role``: grants.people.views).

``create_app`` calls ``register(app)``.
"""

from __future__ import annotations

import re
import secrets
import types
from collections import ChainMap
from collections.abc import Callable, Iterator, MutableMapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import flask_babel
from flask import Flask, current_app, has_app_context
from flask.globals import _cv_app
from flask_babel import get_translations
from flask_babel.speaklater import LazyString
from jinja2 import Environment, pass_eval_context
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg
from markupsafe import Markup, escape

from grants.core.formatting import _locale, grouped
from grants.core.models import current_municipality

if TYPE_CHECKING:
    from babel.support import NullTranslations


def whole_kroner(value: Decimal | float | None) -> str:
    """A round amount without øre: "100.000 kr." (Danish), "100,000 kr." (English)."""
    if value is None:
        return ""
    return f"{grouped(Decimal(str(value)), 0, _locale())} kr."


def request_translations() -> NullTranslations:
    """The request's translations, found once per request.

    Flask-Babel's own template ``_()`` finds the request's context, locale and catalogue
    anew for each of the ~100 texts of a page (~20 µs each). The catalogue is kept in
    Flask-Babel's per-request context under ``babel_translations``, the attribute that its
    ``force_locale`` and ``refresh`` reset, so an e-mail in another language, or a page
    after a change of language, still gets the right one."""
    # The app context's g read directly, not through the ``g`` proxy: ~150 texts a page.
    app_context = _cv_app.get(None)
    context = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    translations = getattr(context, "babel_translations", None)
    if translations is None:
        translations = get_translations()
        if context is not None:
            context.babel_translations = translations
    return translations


def _lazy_string_as_text(self: LazyString) -> Markup:
    """A lazy translation in a template is text, escaped like any other value.

    Flask-Babel's ``LazyString.__html__`` returns the translation as it is, so Jinja took a
    ``lazy_gettext`` message for safe markup, and a message built with a person's value
    (``_l("“%(value)s” er ikke et årstal", value=typed)``) put what they typed into the page
    unescaped (issue 16 point 1). No message of ours is markup (a test in
    tests/core/test_fuzz_forms.py holds the catalogue to it), so the whole translation is
    escaped, the person's value with it."""
    return escape(str(self))


def _lazy_string_str(self: LazyString) -> str:
    """A ``lazy_gettext`` text (a state's, a step's or a form field's name) in the request's
    language, through the request's catalogue as ``request_translations`` keeps it.

    Flask-Babel's own ``__str__`` calls ``gettext``, which finds the request's context,
    locale, domain and catalogue anew each time (~40 µs): 40-130 times a page, a state's
    name on every row. Other lazy texts (another domain, ``pgettext``, ``ngettext``) and
    any outside a request take Flask-Babel's way, as before."""
    if self._func is flask_babel.gettext and len(self._args) == 1 and has_app_context():
        text = request_translations().ugettext(self._args[0])
        return text % self._kwargs if self._kwargs else text
    return str(self._func(*self._args, **self._kwargs))


# Parts of the layout kept as rendered (``kept_fragment``). A fragment is the same for every
# request with the same key; what differs within it (the CSRF token, the person's name, the
# page's own address) is a slot, marked in the kept text and filled on every request. The
# mark carries a secret of this process, so no text a person typed can pose as a slot.
_SLOT_MARK = "\x00" + secrets.token_hex(8) + ":"
_SLOT = re.compile(re.escape(_SLOT_MARK) + r"([a-z_]+)\x00")
FRAGMENTS_KEPT = 1024


def slot(name: str) -> Markup:
    """In a kept fragment, the place of a value given to ``kept_fragment`` on each request."""
    return Markup(_SLOT_MARK + name + "\x00")  # nosec B704  # the template's own slot name


def _hashable(part: Any) -> Any:
    if isinstance(part, set):
        return frozenset(part)
    if isinstance(part, (tuple, list)):
        return tuple(_hashable(each) for each in part)
    return part


def kept_fragment(name: str, /, *key: Any, caller: Callable[[], str], **values: Any) -> Markup:
    """``{% call kept_fragment('header', locale, ...) %}...{% endcall %}``: the block's HTML,
    rendered once for its name and ``key`` and kept (per app, at most ``FRAGMENTS_KEPT``);
    the key must hold everything the block shows but its ``slot``s. ``values`` fill the
    slots, escaped as ``{{ value }}`` would be; a callable value is called only when the
    fragment has its slot (the CSRF token, which would start a session)."""
    kept: dict[tuple[Any, ...], tuple[str, ...]] = current_app.extensions.setdefault(
        "layout_fragments", {}
    )
    full_key = (name, *(_hashable(k) for k in key))
    parts = kept.get(full_key)
    if parts is None:
        # Literal text and slot names alternate: text, name, text, ... text.
        parts = tuple(_SLOT.split(str(caller())))
        if len(kept) >= FRAGMENTS_KEPT:
            kept.clear()
        kept[full_key] = parts
    if len(parts) == 1:
        return Markup(parts[0])  # nosec B704  # Jinja's rendering, escaped as it was made
    pieces = list(parts)
    filled: dict[str, Markup] = {}  # a slot used twice (the token of two forms): asked once
    for index in range(1, len(pieces), 2):
        slot_name = pieces[index]
        if slot_name not in filled:
            value = values[slot_name]
            filled[slot_name] = escape(value() if callable(value) else value)
        pieces[index] = filled[slot_name]
    return Markup("".join(pieces))  # nosec B704  # the kept rendering, the values escaped


class TemplateContext(Context):
    """Jinja's rendering context, with a shorter way through ``{{ f(x) }}``.

    Jinja compiles every call in a template to ``context.call(f, x)``, which asks the
    callable, and its ``__call__``, whether it wants the context, the evaluation context or
    the environment passed (``pass_context`` and friends) before calling it: five more
    Python calls for each of the 150-550 calls a page makes. A plain function or a macro
    that wants none of them, or only the evaluation context (``template_gettext``), is
    called here straight away, exactly as ``Context.call`` would call it; everything else
    takes Jinja's own way."""

    def __init__(
        self,
        environment: Environment,
        parent: dict[str, Any],
        name: str | None,
        blocks: dict[str, Callable[[Context], Iterator[str]]],
        globals: MutableMapping[str, Any] | None = None,  # noqa: A002  # Jinja's name
    ) -> None:
        super().__init__(environment, parent, name, blocks)
        # Jinja keeps the names of the template's globals, to see at each ``{% import %}``
        # whether the importing template has globals the imported one lacks (then the macros
        # are made anew instead of reused). Every template has the environment's globals
        # (its globals are ``ChainMap(its own, the environment's)``), so only its own can be
        # missing: the same answer, without testing ~60 names through a ChainMap at each of
        # a page's 10-40 imports (~4,000 Python calls on the case page).
        if globals is not None:
            self.globals_keys = (
                {key for mapping in globals.maps[:-1] for key in mapping}
                if isinstance(globals, ChainMap) and globals.maps[-1] is environment.globals
                else set(globals)
            )

    def call(self, callable_: Any, /, *args: Any, **kwargs: Any) -> Any:
        pass_arg = getattr(callable_, "jinja_pass_arg", None)
        if type(callable_) in _CALLED_AS_THEY_ARE and (
            pass_arg is None or pass_arg is _PassArg.eval_context
        ):
            # What a call inside a loop or a block is given for ``pass_context`` callables.
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            if pass_arg is not None:  # ``pass_eval_context``: the texts' ``_()``
                args = (self.eval_ctx, *args)
            try:
                return callable_(*args, **kwargs)
            except StopIteration:
                return self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(callable_, *args, **kwargs)


# Callables whose ``__call__`` cannot ask for the context: functions, methods, macros.
_CALLED_AS_THEY_ARE = frozenset(
    {types.FunctionType, types.BuiltinFunctionType, types.MethodType, Macro}
)


@pass_eval_context
def template_gettext(eval_context: EvalContext, string: str, /, **variables: Any) -> str:
    """A template's ``_("...")`` and ``{% trans %}``: what Jinja's i18n extension does in its
    "newstyle" (the text marked safe where autoescaping, then ``%`` with the variables
    escaped; a text is always a format string), in one call instead of three.

    Jinja's ``_`` is an alias that looks up ``gettext``, which calls the function given to
    ``install_gettext_callables``: three trips through ``Context.call`` (~20 Python calls)
    for each of the 40-180 texts of a page, a tenth of the calls of a list page."""
    text = request_translations().ugettext(string)
    if eval_context.autoescape:
        text = Markup(text)  # nosec B704  # the catalogue's text; values are escaped by %
    return text % variables


@pass_eval_context
def template_ngettext(
    eval_context: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    """``ngettext`` in a template, as ``template_gettext``; ``num`` is a variable too."""
    variables.setdefault("num", num)
    text = request_translations().ungettext(singular, plural, num)
    if eval_context.autoescape:
        text = Markup(text)  # nosec B704  # the catalogue's text; values are escaped by %
    return text % variables


@pass_eval_context
def template_pgettext(
    eval_context: EvalContext, string_context: str, string: str, /, **variables: Any
) -> str:
    """``pgettext`` in a template, as ``template_gettext``; ``context`` is a variable too."""
    variables.setdefault("context", string_context)
    text = request_translations().upgettext(string_context, string)
    if eval_context.autoescape:
        text = Markup(text)  # nosec B704  # the catalogue's text; values are escaped by %
    return text % variables


@pass_eval_context
def template_npgettext(
    eval_context: EvalContext,
    string_context: str,
    singular: str,
    plural: str,
    num: int,
    /,
    **variables: Any,
) -> str:
    """``npgettext`` in a template, as ``template_gettext``."""
    variables.setdefault("context", string_context)
    variables.setdefault("num", num)
    text = request_translations().unpgettext(string_context, singular, plural, num)
    if eval_context.autoescape:
        text = Markup(text)  # nosec B704  # the catalogue's text; values are escaped by %
    return text % variables


def register(app: Flask) -> None:
    LazyString.__html__ = _lazy_string_as_text
    LazyString.__str__ = _lazy_string_str
    app.jinja_env.context_class = TemplateContext
    app.add_template_filter(whole_kroner, "whole_kroner")
    app.add_template_global(kept_fragment, "kept_fragment")
    app.add_template_global(slot, "slot")
    # Replaces what Flask-Babel's init_app installed, with the same behaviour.
    # Added to the environment by Jinja's i18n extension, which Flask-Babel loads.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # The same functions in one step each (see ``template_gettext``).
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
        npgettext=template_npgettext,
    )

    @app.context_processor
    def inject_layout_helpers() -> dict:
        from grants.core import clock

        # A moved clock (GRANTS_TODAY, development only) is shown on every page.
        return {
            "current_municipality": current_municipality,
            "moved_clock_today": clock.today() if clock.is_moved() else None,
        }
