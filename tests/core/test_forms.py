"""grants.core.forms.html_params: the text of WTForms' own html_params, for any attributes."""

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from grants.core.forms import html_params, wtforms_html_params

names = st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True)
values = st.one_of(
    st.booleans(),
    st.text(max_size=20),
    st.text(max_size=20).map(Markup),
    st.integers(),
    st.none(),
)


@given(st.dictionaries(names, values, max_size=6))
def test_the_attributes_are_wtforms_own(attributes):
    ours = html_params(**attributes)
    assert ours == wtforms_html_params(**attributes)
    assert isinstance(ours, Markup)


def test_a_quote_an_ampersand_and_markup_are_escaped_as_wtforms_does():
    attributes = {
        "class_": 'a "b" & <c>',
        "data_some_thing": Markup("<b>x</b>"),
        "aria_describedby": "x-hint",
        "required": True,
        "disabled": False,
        "value": 0,
    }
    assert html_params(**attributes) == wtforms_html_params(**attributes)
    assert html_params(**attributes) == (
        'aria-describedby="x-hint" class="a &#34;b&#34; &amp; &lt;c&gt;" '
        'data-some-thing="<b>x</b>" required value="0"'
    )


def test_the_widgets_use_it():
    import wtforms.widgets.core

    assert wtforms.widgets.core.html_params is html_params
    assert wtforms.widgets.core.Input.html_params is html_params
    assert wtforms.widgets.core.TextInput.html_params is html_params
