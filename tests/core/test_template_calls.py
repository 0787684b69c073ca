"""The templates' shorter way through calls and texts (grants.core.templating
``TemplateContext`` and ``template_gettext``) renders exactly what Jinja's own way does.

Each snippet is rendered twice: by the app's environment, and by a stock Jinja environment
with the i18n extension in its "newstyle", given the same catalogue functions. The two
must agree on texts with and without values (escaped), plural forms, ``{% trans %}``,
macros and context-taking functions called in loops, and a callable that raises
StopIteration; the expected results are spelled out as well, so an agreement on nothing
fails.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from grants.core.templating import TemplateContext, request_translations


@pass_context
def loop_value(context: Context, name: str) -> object:
    """A function that takes the context: it sees the loop's variable."""
    return context.get(name)


class Greeter:
    def greet(self, name: str) -> str:
        return f"hej {name}"


class ContextCallable:
    """A callable object whose ``__call__`` asks for the context."""

    @pass_context
    def __call__(self, context: Context) -> object:
        return context.get("who")


VALUES = {
    "who": '<b>"Ås" & co</b>',
    "items": ["a", "<i>", 3],
    "count_one": 1,
    "count_many": 3,
    "loop_value": loop_value,
    "greeter": Greeter(),
    "context_callable": ContextCallable(),
    "next": next,
}

# snippet, the Danish result expected
SNIPPETS = [
    ("{{ _('Forrige') }}", "Forrige"),
    ("{{ _('Hej %(name)s', name=who) }}", "Hej &lt;b&gt;&#34;Ås&#34; &amp; co&lt;/b&gt;"),
    ("{{ _('100%% sikker') }}", "100% sikker"),
    ("{% trans %}Forrige{% endtrans %}", "Forrige"),
    (
        "{% trans name=who %}Hej {{ name }}{% endtrans %}",
        "Hej &lt;b&gt;&#34;Ås&#34; &amp; co&lt;/b&gt;",
    ),
    (
        "{% trans n=count_one %}{{ n }} sag{% pluralize %}{{ n }} sager{% endtrans %}",
        "1 sag",
    ),
    (
        "{% trans n=count_many %}{{ n }} sag{% pluralize %}{{ n }} sager{% endtrans %}",
        "3 sager",
    ),
    ("{{ ngettext('%(num)d sag', '%(num)d sager', count_many) }}", "3 sager"),
    ("{{ pgettext('knap', 'Forrige') }}", "Forrige"),
    ("{{ npgettext('antal', '%(num)d sag', '%(num)d sager', 1) }}", "1 sag"),
    (
        "{% macro box(x) %}[{{ x }}]{% endmacro %}{% for i in items %}{{ box(i) }}{% endfor %}",
        "[a][&lt;i&gt;][3]",
    ),
    # (Jinja gives such a function the template's context, not the loop's variables)
    ("{% for i in items %}{{ loop_value('i') }},{% endfor %}", "None,None,None,"),
    ("{% set who = 'blok' %}{{ loop_value('who') }}", "blok"),
    ("{% for i in items %}{{ greeter.greet(i) }};{% endfor %}", "hej a;hej &lt;i&gt;;hej 3;"),
    ("{{ context_callable() }}", "&lt;b&gt;&#34;Ås&#34; &amp; co&lt;/b&gt;"),
    ("[{{ next(empty) }}]", "[]"),
    ("{{ 'a,b'.split(',')|join('-') }}", "a-b"),
]


@pytest.fixture
def stock_environment(app) -> Environment:
    """Jinja as it comes: its own Context and its own i18n functions, over the same catalogue."""
    environment = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    return environment


def test_the_app_renders_with_its_own_context(app):
    assert app.jinja_env.context_class is TemplateContext


@pytest.mark.parametrize(("snippet", "expected"), SNIPPETS)
def test_a_snippet_renders_as_stock_jinja_renders_it(app, stock_environment, snippet, expected):
    with app.test_request_context():
        # (a fresh empty iterator for each: ``next`` raises StopIteration on it)
        ours = app.jinja_env.from_string(snippet).render(**VALUES, empty=iter(()))
        theirs = stock_environment.from_string(snippet).render(**VALUES, empty=iter(()))
    assert ours == theirs
    assert ours == expected


def test_texts_are_translated_and_values_escaped_in_english(app, stock_environment):
    snippet = "{{ _('Forrige') }} {{ _('Hej %(name)s', name=who) }}"
    with app.test_request_context(), force_locale("en"):
        ours = app.jinja_env.from_string(snippet).render(**VALUES)
        theirs = stock_environment.from_string(snippet).render(**VALUES)
    assert ours == theirs
    assert ours.startswith("Previous ")
    assert "&lt;b&gt;" in ours


def test_a_text_is_markup_only_where_the_template_escapes(app):
    """``_()`` marks the catalogue's text safe only under autoescaping, as Jinja's does: in a
    template that does not escape, a text is a plain string."""
    with app.test_request_context():
        escaping = app.jinja_env.from_string(
            "{% set t = _('Forrige') %}{{ t.__html__ is defined }}"
        )
        assert escaping.render() == "True"
        plain = app.jinja_env.from_string(
            "{% autoescape false %}{% set t = _('Forrige') %}{{ t.__html__ is defined }}"
            "{% endautoescape %}"
        )
        assert plain.render() == "False"
    assert isinstance(Markup("x") % {}, Markup)


def _environments() -> tuple[Environment, Environment]:
    from jinja2 import DictLoader

    templates = {
        "macros.html": "{% macro show() %}[{{ extra is defined and extra or '-' }}]{% endmacro %}",
        "page.html": "{% import 'macros.html' as m %}{{ m.show() }}",
    }
    ours = Environment(loader=DictLoader(templates), autoescape=True)
    ours.context_class = TemplateContext
    theirs = Environment(loader=DictLoader(templates), autoescape=True)
    return ours, theirs


def test_an_import_reuses_the_macros_unless_the_template_has_globals_of_its_own():
    """Jinja makes an imported template's macros once, and anew only for a template with
    globals of its own (``get_template(..., globals=...)``), so that the macros see them;
    TemplateContext tells the two apart by the template's own globals alone."""
    ours, theirs = _environments()
    for environment in (ours, theirs):
        environment.globals["everywhere"] = "on every template"
        page = environment.get_template("page.html")
        assert page.render() == "[-]"
        module = environment.get_template("macros.html")._module
        assert module is not None
        assert page.render() == "[-]"
        assert environment.get_template("macros.html")._module is module  # reused
        special = environment.get_template("page.html", globals={"extra": "X"})
        assert special.render() == "[X]"
