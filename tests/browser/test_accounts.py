"""Accounts: signing up through the link in the e-mail, a password refused with its reason,
setting up the second factor, and logging in with a code and with a recovery code. Every
page is checked like the journeys' pages (axe-core in both languages, 360 px, 200 % zoom)."""

import re

from tests.browser.journeys import ADMIN
from tests.browser.people import totp_code

ADDRESS = "ny.repraesentant@example.dk"
PASSWORD = "Ni grønne hvaler svømmer mod Prag"


def test_sign_up_set_up_two_step_verification_and_log_in_with_it(person, live_server):
    frida = person(email=None)
    frida.visit("/opret-konto", "sign up")
    frida.fill("#email", ADDRESS)
    frida.press("Send mig et link", "check your e-mail")
    frida.see("Se din e-mail")
    [mail] = live_server.mail_to(ADDRESS)
    link = re.search(r"https?://\S+/opret-konto/\S+", mail.get_content()).group(0)
    frida.visit("/opret-konto/" + link.split("/opret-konto/", 1)[1], "choose name and password")
    frida.fill("#name", "Frida Nielsen")
    frida.fill("#password", "aaaaaaaaaaaa")
    frida.fill("#confirm", "aaaaaaaaaaaa")
    frida.press("Opret konto", "a password refused", exact=True)
    assert "gentager det samme tegn" in frida.page.locator("#password-error").inner_text()
    frida.fill("#password", PASSWORD)
    frida.fill("#confirm", PASSWORD)
    frida.press("Opret konto", "account made", exact=True)
    assert frida.page.url.endswith("/organisationer")

    # Two-step verification, from the account page.
    frida.visit("/konto/adgangskode", "account page")
    frida.follow("Indstillinger for totrinsbekræftelse", "two-step verification is off")
    frida.follow("Sæt totrinsbekræftelse op", "set up two-step verification")
    code_field = frida.page.locator("#code")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    assert code_field.get_attribute("inputmode") == "numeric"
    frida.totp_secret = frida.page.locator("#two-factor-key").inner_text().replace(" ", "")
    frida.fill("#code", "000000")
    frida.press("Slå totrinsbekræftelse til", "a wrong first code")
    frida.see("Koden passer ikke")
    frida.fill("#code", totp_code(frida.totp_secret))
    frida.press("Slå totrinsbekræftelse til", "recovery codes")
    codes = frida.page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    frida.follow("Jeg har gemt koderne", "two-step verification is on")
    frida.see("Du har 10 ubrugte gendannelseskoder.")

    # Logging in again: the password, then the code from the app.
    frida.logout()
    frida.email = ADDRESS
    frida.login(PASSWORD)

    # A lost phone: a recovery code instead.
    frida.logout()
    frida.visit("/log-ind", "log in")
    frida.fill("#email", ADDRESS)
    frida.fill("#password", PASSWORD)
    frida.press("Log ind", "asked for the code")
    frida.follow("Brug en gendannelseskode", "log in with a recovery code")
    frida.fill("#code", codes[0])
    frida.press("Log ind", "logged in with a recovery code")
    assert "/log-ind" not in frida.page.url
    frida.see("Du har brugt en gendannelseskode og har 9 tilbage.")


def test_the_demo_administrator_logs_in_with_the_documented_key(person):
    admin = person(ADMIN)  # the password, then the code from the demo's key
    admin.follow("Administration", "administration")
    admin.visit("/konto/totrinsbekraeftelse", "the administrator's two-step verification")
    admin.see("Totrinsbekræftelse er slået til.")
