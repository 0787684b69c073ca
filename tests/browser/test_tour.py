"""Every page the menus lead to, and the pages one step further, for the people whose work
is not a journey of its own: the finance officer, the administrator and the association's
representative. Each is checked like the journeys' pages (axe-core in both languages, 360 px,
200 % zoom, skip link, the statement in the footer)."""

import pytest

from tests.browser.journeys import ASSOCIATION

ADMIN = "admin@ballerup.dk"
FINANCE = "okonomi@ballerup.dk"

# Who, and the pages beyond the menu (path prefixes of links followed from the menu's pages).
TOURS = {
    ADMIN: ["/budgetter/", "/tilskud/regler/"],
    FINANCE: ["/budgetter/"],
    ASSOCIATION: ["/organisationer/"],
}
EXTRA_PAGES = {
    ADMIN: ["/budgetter/luk-aar", "/budgetter/eksport", "/tilskud/regler/ungdomsrejser/rediger"],
    FINANCE: ["/budgetter/bevillinger", "/budgetter/luk-aar?year=2025"],
    ASSOCIATION: [
        "/organisationer/ny",
        "/konto/adgangskode",
        "/ansoegninger/ny/vaertskab",
        "/ansoegninger/ny/wuxi-udveksling",
    ],
}


@pytest.mark.parametrize("email", list(TOURS))
def test_every_page_in_the_menu_and_one_step_further(person, email):
    visitor = person(email)
    menu = visitor.page.locator("nav.nav a.nav-link")
    paths = [menu.nth(i).get_attribute("href") for i in range(menu.count())]
    assert paths, "no main menu"
    seen = set()
    for path in paths:
        visitor.visit(path, f"menu {path}")
        seen.add(path)
        for prefix in TOURS[email]:
            links = visitor.page.locator(f"main a[href^='{prefix}']")
            if links.count():
                further = links.first.get_attribute("href")
                if further not in seen and "eksport/" not in further:
                    visitor.visit(further, f"from {path}")
                    seen.add(further)
    for path in EXTRA_PAGES[email]:
        visitor.visit(path, path)
