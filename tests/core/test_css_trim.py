"""The design system's CSS cut down at build time (grants/core/css_trim.py): a rule stays when
the app can put its classes on a page, and nothing the app uses is lost."""

from __future__ import annotations

from grants.core.css_trim import trim, words_in

WORDS = {"button", "button-primary", "alert-", "nav", "is-open"}


def _rules(css: str) -> list[str]:
    return [line for line in css.splitlines() if line.strip()]


def test_a_rule_of_a_class_nobody_uses_goes():
    css = ".button{color:red}.carousel{color:blue}"
    assert trim(css, WORDS).strip() == ".button{color:red}"


def test_a_selector_list_keeps_the_selectors_in_use():
    css = ".carousel,.button-primary,.nav .button{margin:0}"
    assert trim(css, WORDS).strip() == ".button-primary,.nav .button{margin:0}"


def test_every_class_of_a_selector_must_be_used():
    assert trim(".nav .carousel{top:0}", WORDS).strip() == ""
    assert trim(".nav.is-open{top:0}", WORDS).strip() == ".nav.is-open{top:0}"


def test_elements_attributes_and_not_are_kept():
    css = "body{margin:0}[hidden]{display:none}a:not(.carousel){color:red}"
    assert len(_rules(trim(css, WORDS))) == 3


def test_a_class_built_in_a_template_keeps_its_family():
    css = ".alert-error{color:red}.alert-success{color:green}.badge-x{color:blue}"
    kept = trim(css, WORDS)
    assert ".alert-error" in kept and ".alert-success" in kept and ".badge-x" not in kept


def test_media_blocks_keep_what_they_hold_in_use_and_go_when_empty():
    css = "@media (min-width:768px){.button{width:auto}.carousel{width:1px}}@media print{.carousel{x:y}}"
    kept = trim(css, WORDS)
    assert "@media (min-width:768px)" in kept and ".button{width:auto}" in kept
    assert "carousel" not in kept and "print" not in kept


def test_fonts_and_keyframes_are_kept_and_woff2_comes_first():
    css = (
        '@font-face{font-family:Plex;src:url(a.eot),url(a.woff) format("woff"),'
        'url(a.woff2) format("woff2"),url(a.ttf) format("truetype")}'
        "@keyframes spin{to{transform:rotate(1turn)}}"
    )
    kept = trim(css, WORDS)
    assert 'src:url(a.woff2) format("woff2"),url(a.woff) format("woff")' in kept
    assert "@keyframes spin" in kept


def test_the_words_come_from_templates_scripts_and_code(tmp_path):
    (tmp_path / "page.html").write_text('<div class="alert alert-{{ variant }} card">')
    (tmp_path / "menu.js").write_text("el.classList.add('is-open');")
    (tmp_path / "forms.py").write_text('render_kw={"class": "form-input"}')
    (tmp_path / "notes.md").write_text("carousel")
    assert {"alert", "alert-", "card", "is-open", "form-input"} <= words_in([tmp_path])
    assert "carousel" not in words_in([tmp_path])


def test_each_font_gets_its_latin1_subset_where_the_design_system_has_one():
    css = (
        "@font-face{font-family:Plex;font-weight:400;"
        'src:url(../fonts/P/complete/woff2/P-Regular.woff2) format("woff2")}'
        "@font-face{font-family:Plex;font-weight:700;"
        'src:url(../fonts/P/complete/woff2/P-Bold.woff2) format("woff2")}'
    )
    there = {"../fonts/P/split/woff2/P-Regular-Latin1.woff2"}
    kept = trim(css, WORDS, exists=there.__contains__)
    faces = [rule for rule in _rules(kept) if rule.startswith("@font-face")]
    assert len(faces) == 3  # the complete faces first, the subset after its own
    assert "P-Regular-Latin1.woff2" in faces[1] and "unicode-range:U+0,U+D,U+20-7E" in faces[1]
    assert "font-weight:400" in faces[1] and "complete" not in faces[1]
    assert "Latin1" not in faces[2]
