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
