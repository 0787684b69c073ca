"""The administrator edits a fund's rules in the form-based editor: every page without a
Content-Security-Policy error in the console, a field error beside its field (after saving
and live, as she types, without losing her place), an entry added to a repeating section
without JavaScript's help, the TOML import still there; every page checked by axe in Danish
and English."""

from __future__ import annotations

from grants.subsidies import editor, rulefile
from tests.browser.journeys import ADMIN

FUND = "Ungdomsrejser og venskabsbyforeninger"


def console_problems(admin) -> list[str]:
    """Collect the console's errors and warnings (a CSP violation is one) from now on."""
    seen: list[str] = []
    admin.page.on(
        "console",
        lambda message: (
            seen.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    admin.page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    return seen


def csp(problems: list[str]) -> list[str]:
    return [p for p in problems if "Content Security Policy" in p or "Content-Security" in p]


def test_the_administrator_edits_the_rules_in_a_form(person):
    admin = person(ADMIN)
    # The editor is a long page (a field for every key, each worked example's facts): its
    # full-page screenshots take longer than the usual steps' on a busy machine.
    admin.context.set_default_timeout(20_000)
    problems = console_problems(admin)
    admin.follow("Tilskudsregler", "the rules of the funds")
    admin.follow(f"Ret reglerne for {FUND} (ny version)", "the rule editor")
    assert admin.page.locator("label[for=rate-amount]").count() == 1
    admin.see("Deltagere under denne alder tæller med.")  # a key's help text

    # The TOML file: the text area is as wide as the page, without inline style.
    admin.follow("Ret reglerne som TOML-fil, eller hent dem fra en fil", "the rules as TOML")
    width = admin.page.evaluate("document.getElementById('source').getBoundingClientRect().width")
    main = admin.page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    assert width > main * 0.6, (width, main)
    admin.follow("Ret reglerne i skemaet", "the rule editor again")

    # Live: a bad amount is marked beside its field while the focus stays in it.
    admin.page.locator("#rate-amount").fill("11.000")
    admin.page.locator("#rate-amount").focus()
    admin.page.locator("#rate-amount-error").wait_for()
    assert admin.page.get_attribute("#rate-amount", "aria-invalid") == "true"
    assert "rate-amount-error" in admin.page.get_attribute("#rate-amount", "aria-describedby")
    assert admin.page.evaluate("document.activeElement.id") == "rate-amount"
    assert admin.page.locator("#rule-check").get_attribute("aria-live") == "polite"
    admin.check("a field error shown live", fetchable=False)

    # Saved: refused, the error beside the field and linked from the summary.
    admin.page.locator("#persons-age_limit").fill("mange")
    admin.press("Gem som ny version", "the rules with errors")
    links = [a.get_attribute("href") for a in admin.page.locator("#error-summary a").all()]
    assert links == ["#persons-age_limit", "#rate-amount"], links
    admin.see("Skriv 11000 eller 11,00")
    admin.page.locator("#persons-age_limit").fill("25")
    admin.page.locator("#rate-amount").fill("100")

    # A repeating section ([[rates]] in format 2): "add" works as a plain form button.
    repeating = [
        s for s in editor.sections(rulefile.FORMAT) if editor.is_repeating(s, rulefile.FORMAT)
    ]
    if repeating and admin.page.locator(f"button[name=add][value={repeating[0].name}]").count():
        name = repeating[0].name
        before = admin.page.locator(f"[id^=entry-{name}-]").count()
        with admin.page.expect_navigation():
            admin.page.locator(f"button[name=add][value={name}]").click()
        admin.check(f"an entry added to {name}", fetchable=False)
        assert admin.page.locator(f"[id^=entry-{name}-]").count() == before + 1
        with admin.page.expect_navigation():
            admin.page.locator(f"button[name=remove][value={name}-{before}]").click()
        assert admin.page.locator(f"[id^=entry-{name}-]").count() == before

    # Without JavaScript's live check, "Prøv eksemplerne" checks the rules as a page.
    admin.press("Prøv eksemplerne", "the rules tried", fetchable=False)
    admin.see("Reglerne kan gemmes.")
    admin.press("Gem som ny version", "the rules saved")
    # (a new version's page; its flash message went with the check's language switch)
    assert admin.page.url.rstrip("/").rsplit("/", 2)[-2:][0] == "ungdomsrejser", admin.page.url
    assert int(admin.page.url.rsplit("/", 1)[1]) >= 2, admin.page.url

    assert not csp(problems), problems
    assert not [p for p in problems if p.startswith("pageerror")], problems
