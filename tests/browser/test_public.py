"""The public pages, read by anyone without logging in: the front page, the openness pages
(the trips abroad and the partner cities) and the accessibility statement."""


def test_the_public_openness_pages(person):
    visitor = person()
    visitor.visit("/", "front page")
    visitor.follow("Udlandsrejser", "trips abroad")
    visitor.see("Udlandsrejser")
    trip = visitor.page.locator("main a[href^='/udlandsrejser/']").first
    with visitor.page.expect_navigation():
        trip.click()
    visitor.check("a published trip")
    visitor.visit("/partnerbyer", "partner cities")
    visitor.see("Prag")
    visitor.follow("Tilgængelighedserklæring", "accessibility statement")
    visitor.visit("/opret-konto", "sign up")
    visitor.visit("/log-ind", "log in")


def test_a_reader_from_a_news_story_switches_language_without_a_session(person):
    """Straight to the trips from a link: the page, its English version (the switch is a
    link with the language in the address) and a trip in English, and never a cookie."""
    reader = person()
    reader.visit("/udlandsrejser", "trips abroad, straight from a link")
    reader.switch_language("trips abroad in English")
    assert reader.language == "en"
    trip = reader.page.locator("main a[href^='/udlandsrejser/']").first
    with reader.page.expect_navigation():
        trip.click()
    assert reader.language == "en"
    reader.see("Alle udlandsrejser")
    assert reader.context.cookies() == []


def test_a_funds_rules_and_what_you_would_get(person):
    """The fund's public page: its rules in plain words and its worked examples, reached from
    the front page (axe in both languages, 360 px, by the person's check)."""
    visitor = person()
    visitor.visit("/", "front page")
    link = visitor.page.locator("main a[href='/puljer/ungdomsrejser']")
    with visitor.page.expect_navigation():
        link.click()
    visitor.check("a fund's rules and examples")
    visitor.see("Det kan I få: eksempler")
    visitor.see("I får 7.000,00 kr.")
