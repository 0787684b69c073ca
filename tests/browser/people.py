"""A person in the browser, and the checks every page they reach must pass.

A journey reads as what people do:

    mette = person("medarbejder@ballerup.dk")
    mette.visit("/ansoegninger/ny", "the application form")
    mette.fill("#title", "Studietur")
    mette.press("Indsend ansøgning", "sent")

Names of buttons and links are written in Danish, as in the source; `Person._` translates them
with the app's own English catalogue when the page is in English. Each step ends in `check`,
the first time a page of its shape is reached in the run in a language: axe-core on the page,
the skip link first and the footer's link to the accessibility statement, one h1, no sideways
scrolling at 360 px and at 200 % zoom; and the same in the other language (unless it is the
answer to a POST, which cannot be fetched again).

A page's shape is its address with the numbers taken out, its headings and forms, and the
kinds of element on it (tag and classes): the same page of another case, or again later in a
journey, is the same shape and was checked already; an error summary, a new table, a dialog
or another form makes a new shape, checked again. Checking every step again took a third of
the browser tests' time and found nothing the first check did not (`every_time=True` checks
each step regardless, as the tests of the checks themselves do).

Screenshots are kept with BROWSER_SCREENSHOTS=1 (every step, under test-artifacts/browser/)
and, whatever the setting, of each page open when a test fails.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import time
from functools import cache
from pathlib import Path

from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# 360 px: a small phone. 200 % zoom of a 1280 px window: the page lays out in 640 CSS px with
# two device pixels to each.
NARROW_VIEWPORTS = [
    ("360px", {"width": 360, "height": 740}),
    ("zoom200", {"width": 640, "height": 450}),
]
_counter = itertools.count(1)
#: (language, shape) of the pages checked this run, and of those whose other language was.
_checked: set[tuple[str, str]] = set()
_checked_in_both: set[tuple[str, str]] = set()
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS", "") not in ("", "0")
# The time step of the last code given for each authenticator key this run: a code is good
# once, and an administrator logs in several times a minute in the journeys.
_last_step: dict[str, int] = {}


def totp_code(secret: str) -> str:
    """The code an authenticator app with `secret` shows: the app's current step or the next
    one, which the server also accepts, never one given before (waiting for the next step when
    the run has used them all). Not the step before: the server takes it only until the
    current step ends, which on a busy machine came before the form was sent (CI, 8 December
    2026: "Koden passer ikke" for a code typed at once)."""
    import pyotp

    totp = pyotp.TOTP(secret)
    while True:
        now = totp.timecode(dt.datetime.now(dt.UTC))
        step = max(now, _last_step.get(secret, now - 1) + 1)
        if step <= now + 1:
            _last_step[secret] = step
            return totp.generate_otp(step)
        time.sleep(1)


@cache
def english() -> Translations:
    return Translations.load(str(ROOT / "grants" / "translations"), ["en"])


class AccessibilityProblem(AssertionError):
    pass


def describe(violations: list[dict], where: str) -> str:
    lines = [f"axe-core found {len(violations)} WCAG 2.1 A/AA violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            target = " ".join(
                " > ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            lines.append(f"    at {target}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


class Person:
    def __init__(
        self,
        browser,
        server,
        axe_source: str,
        folder: Path,
        *,
        email=None,
        both_languages=True,
        viewport=None,
        every_time=False,
    ):
        self.server = server
        self.email = email
        self.axe_source = axe_source
        self.folder = folder
        self.both_languages = both_languages
        self.every_time = every_time
        # What the page said when the person arrived, before any check fetched it again.
        self._arrived_at, self._arrived = "", ""
        self.context = browser.new_context(
            base_url=server.url, viewport=viewport or WIDE, locale="da-DK"
        )
        self.context.set_default_timeout(5_000)
        self.page = self.context.new_page()
        self.who = (email or "anonymous").split("@")[0]
        # The key of the person's authenticator app, if they have one (the demo's
        # administrator has; a journey that sets one up keeps its key here).
        from grants.demo import DEMO_TOTP_SECRETS

        self.totp_secret: str | None = DEMO_TOTP_SECRETS.get(email or "")

    # --- what a person does ------------------------------------------------------------
    def login(self, password: str | None = None) -> None:
        self.visit("/log-ind", "login page")
        self.fill("#email", self.email)
        self.fill("#password", password or self.email.split("@")[0] + "-demo-2026")
        self.press("Log ind", "logged in")
        if self.page.url.endswith("/log-ind/kode"):
            assert self.totp_secret, f"{self.email} is asked for a code, but has no app here"
            self.fill("#code", totp_code(self.totp_secret))
            self.press("Log ind", "logged in with a code")
        assert "/log-ind" not in self.page.url, self.page.locator("main").inner_text()

    def logout(self) -> None:
        # Waits for the navigation the button starts, to its end (a login at an outside
        # provider is left there too: its own end-session page, through redirects), with
        # the time a busy machine takes for that.
        with self.page.expect_navigation(timeout=15_000):
            self.page.locator("form.logout-form button").first.click()
        self.page.wait_for_load_state(timeout=15_000)

    def visit(self, path: str, step: str, *, check: bool = True, status: int = 200) -> None:
        self._arrived_at = ""
        response = self.page.goto(path)
        assert response is not None and response.status == status, f"{path}: {response.status}"
        if check:
            self.check(step)

    def fill(self, selector: str, value: str) -> None:
        self.page.locator(selector).fill(value)

    def select(self, selector: str, value: str | None = None, *, label: str | None = None):
        if label is not None:
            self.page.locator(selector).select_option(label=label)
        else:
            self.page.locator(selector).select_option(value)

    def press(
        self,
        name: str,
        step: str | None,
        *,
        role: str = "button",
        fetchable=None,
        exact: bool = False,
    ) -> None:
        """Click the button (or link, with role="link") called `name` (in Danish) and check
        the page it leads to, as step `step` (None: no check)."""
        self._arrived_at = ""
        target = self.page.get_by_role(role, name=self._(name), exact=exact).first
        more = self.page.locator(".navigation-menu .more-button")
        if role == "link" and target.count() == 0 and more.count() and more.first.is_visible():
            # A menu longer than the line: the design system puts the rest under "Mere".
            more.first.click()
            target = self.page.get_by_role(role, name=self._(name), exact=exact).first
        with self.page.expect_navigation() as navigation:
            target.click()
        if fetchable is None:
            # A redirected POST ends in a GET that can be fetched again; a form answered
            # with its errors cannot.
            response = navigation.value
            fetchable = response is None or response.request.method == "GET"
        if step:
            self.check(step, fetchable=fetchable)

    def follow(self, name: str, step: str | None, **options) -> None:
        self.press(name, step, role="link", **options)

    def see(self, text: str) -> None:
        """The page says `text` (Danish, translated when the page is English)."""
        body = self.page.locator("main").inner_text()
        wanted = self._(text)
        # (or said it when the person arrived: a flash message is shown once, and checking
        # the page in the other language fetched it again)
        arrived = self._arrived if self._arrived_at == self.page.url else ""
        assert wanted in body or wanted in arrived, (
            f"{wanted!r} is not on {self.page.url}:\n{body[:1500]}"
        )

    def download(self, name: str) -> bytes:
        with self.page.expect_download() as info:
            self.page.get_by_role("link", name=self._(name)).first.click()
        return Path(info.value.path()).read_bytes()

    # --- the keyboard alone --------------------------------------------------------------
    def focused(self) -> dict:
        return self.page.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
              return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || e.value
                || e.getAttribute('aria-label') || '').trim(),
                // (focus on a native part of a control, such as a date input's picker
                // button, is drawn by the browser itself)
                visible: !e.matches(':focus') || s.outlineStyle !== 'none'
                         && s.outlineWidth !== '0px' || s.boxShadow !== 'none'}; }"""
        )

    def tab_to(
        self, selector: str, *, name: str | None = None, limit: int = 120, backwards=False
    ) -> None:
        """Press Tab until the element matching `selector` (and named `name`, in Danish) has
        the focus; every stop on the way must show where the focus is (WCAG 2.4.7)."""
        wanted = self._(name) if name else None
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            here = self.focused()
            assert here["visible"], f"no visible focus on {here} at {self.page.url}"
            matches = self.page.evaluate("s => document.activeElement.matches(s)", selector)
            if matches and (wanted is None or wanted in here["text"]):
                return
        raise AssertionError(f"Tab never reached {selector} {wanted or ''} on {self.page.url}")

    def key(self, key: str, step: str | None = None, *, navigates: bool = True) -> None:
        """Press a key (Enter, Space) on what has the focus; check the page it leads to."""
        self._arrived_at = ""
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            self.page.keyboard.press(key)
        if step:
            self.check(step)

    def close(self) -> None:
        self.context.close()

    # --- language ----------------------------------------------------------------------
    @property
    def language(self) -> str:
        return self.page.evaluate("document.documentElement.lang")

    def _(self, danish: str) -> str:
        return english().gettext(danish) if self.language == "en" else danish

    def switch_language(self, step: str | None = None) -> None:
        with self.page.expect_navigation():
            # A form (a session keeps the choice) or, on a public page without a session, a link.
            self.page.locator(".language-switch button, .language-switch a").first.click()
        if step:
            self.check(step)

    # --- the checks on every page --------------------------------------------------------
    def check(self, step: str, *, fetchable: bool = True) -> None:
        """Check the page the person is on, the first time its shape is seen in its language
        (and, when ``fetchable``, in the other language). `fetchable=False` for the answer to
        a POST that did not redirect (a form with errors): that page is checked in its own
        language only, since switching language fetches the address again."""
        self.page.wait_for_load_state()
        self.screenshot(step)
        shape = (self.language, self.shape())
        self._arrived_at = self.page.url
        self._arrived = self.page.locator("main").inner_text()
        if self.every_time or shape not in _checked:
            self._check_here(step)
            _checked.add(shape)
        if not (self.both_languages and fetchable) or shape in _checked_in_both:
            return
        _checked_in_both.add(shape)
        self.switch_language()
        other = (self.language, self.shape())
        if self.every_time or other not in _checked:
            self._check_here(step)
            _checked.add(other)
        _checked_in_both.add(other)
        self.switch_language()

    def shape(self) -> str:
        """The page's address with its numbers taken out, its headings and forms, and the
        kinds of element on it: what makes two pages the same for the checks. A flash
        message does not make a page new (it is the layout's, checked where it first shows)."""
        return self.page.evaluate(
            """() => [location.pathname.replace(/\\d+/g, 'N'),
                ...[...document.querySelectorAll('main h1, main h2, main h3, main form')]
                   .map(e => e.tagName === 'FORM' ? e.getAttribute('action') || 'form'
                                                  : e.textContent.trim())
                   .map(t => t.replace(/\\d+/g, 'N')),
                ...new Set([...document.body.querySelectorAll('*')]
                   .filter(e => !e.closest('.flash-messages'))
                   .map(e => [e.tagName, ...e.classList].join('.')))].join('|')"""
        )

    def _check_here(self, step: str) -> None:
        where = f"{self.page.url} ({step}, {self.language}, {self.who})"
        self.assert_page_structure(where)
        self.assert_no_axe_violations(where)
        self.assert_no_sideways_scrolling(where)

    def screenshot(self, step: str, *, always: bool = False) -> None:
        """A full-page screenshot under test-artifacts/browser/: with BROWSER_SCREENSHOTS=1,
        or ``always`` (a page that failed a check)."""
        if not (SCREENSHOTS or always):
            return
        name = f"{next(_counter):03d}-{self.who}-{self.language}-{step}"
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / (re.sub(r"[^\w.-]+", "_", name)[:120] + ".jpeg")
        self.page.screenshot(path=str(path), full_page=True, type="jpeg", quality=70)

    def assert_page_structure(self, where: str) -> None:
        facts = self.page.evaluate(
            """() => {
              const skip = document.querySelector('a.skipnav');
              const target = skip && document.querySelector(skip.getAttribute('href'));
              return {
                skip: !!skip && !!target,
                skipFirst: !!skip && document.querySelector('a[href], button, input, select,'
                  + ' textarea') === skip,
                statement: !!document.querySelector('footer a[href$="/tilgaengelighed"]'),
                h1: document.querySelectorAll('h1').length,
                lang: document.documentElement.lang,
                // Each link of an error summary leads to a field that is described by its
                // error message (the field itself, or the fieldset of a group of radios).
                unlinkedErrors: [...document.querySelectorAll('#error-summary a')]
                  .filter(a => {
                    const field = document.getElementById(a.hash.slice(1));
                    const owner = field && (field.closest('fieldset[aria-describedby]')
                                            || field);
                    const ids = (owner && owner.getAttribute('aria-describedby') || '')
                      .split(/\\s+/);
                    return !ids.some(id => document.getElementById(id)
                                           ?.classList.contains('form-error-message'));
                  }).map(a => a.getAttribute('href')),
              };
            }"""
        )
        assert not facts["unlinkedErrors"], (
            f"error summary links without a described field: {facts['unlinkedErrors']} on {where}"
        )
        assert facts["skip"] and facts["skipFirst"], f"no skip link first on {where}"
        assert facts["statement"], f"the footer does not link the accessibility statement: {where}"
        assert facts["h1"] == 1, f"{facts['h1']} h1 headings on {where}"
        assert facts["lang"] in ("da", "en"), f"lang={facts['lang']!r} on {where}"

    def assert_no_axe_violations(self, where: str) -> None:
        # Evaluated through the DevTools protocol, so the app's CSP (no inline script) stays
        # as it is in production.
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(self.axe_source)
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        if result["violations"]:
            raise AccessibilityProblem(describe(result["violations"], where))

    def _too_wide(self, width: int) -> list[str]:
        """The outermost elements that stick out to the right, outside any box of their own
        that scrolls."""
        return self.page.evaluate(
            """w => {
              const scrolls = e => ['auto', 'scroll', 'hidden'].includes(
                getComputedStyle(e).overflowX);
              const out = [];
              for (const e of document.body.querySelectorAll('*')) {
                if (e.getBoundingClientRect().right <= w + 1) continue;
                let p = e.parentElement, inside = false;
                while (p && p !== document.body) {
                  if (scrolls(p) || out.includes(p)) { inside = true; break; }
                  p = p.parentElement;
                }
                if (!inside) out.push(e);
              }
              return out.slice(0, 5).map(e => e.tagName.toLowerCase()
                + (e.id ? '#' + e.id : '')
                + (typeof e.className === 'string' && e.className.trim()
                   ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
            }""",
            width,
        )

    def assert_no_sideways_scrolling(self, where: str) -> None:
        size = self.page.viewport_size
        try:
            for label, viewport in NARROW_VIEWPORTS:
                self.page.set_viewport_size(viewport)
                # Let the page react to the new size (resize observers, charts) first.
                widths = self.page.evaluate(
                    """() => new Promise(done => requestAnimationFrame(() =>
                         requestAnimationFrame(() => done([
                           document.documentElement.scrollWidth,
                           document.documentElement.clientWidth]))))"""
                )
                if widths[0] > widths[1]:
                    self.screenshot(f"overflow-{label}", always=True)
                    raise AccessibilityProblem(
                        f"the page scrolls sideways at {label} ({widths[0]} > {widths[1]} px)"
                        f" on {where}; too wide: {self._too_wide(widths[1])}"
                    )
        finally:
            self.page.set_viewport_size(size)
