"""The association's youth trip: the representative fills in the form and watches the
subsidy being worked out by the fund's rules as she types, then sends it."""

from tests.browser.journeys import ASSOCIATION, in_days


def test_a_youth_trip_with_the_live_subsidy_calculation(person):
    forening = person(ASSOCIATION)
    forening.follow("Ny ansøgning", "choose a fund")
    forening.follow("Ungdomsrejser", "youth trip form")
    forening.select("#organisation_id", label="Ballerup Ungdomsorkester")
    forening.fill("#title", "Sommerlejr i Ystad (browser)")
    forening.select("#partner_city_id", label="Ystad")
    forening.fill("#departure_date", in_days(120))
    forening.fill("#return_date", in_days(125))
    forening.fill("#participants_young", "12")
    forening.fill("#participants_leaders", "2")
    forening.fill("#participants_disabled", "0")

    # The working follows the form: 12 young people + 2 leaders, 5 nights at 100 kr.
    calculation = forening.page.locator("#calculation")
    calculation.get_by_text("7.000,00 kr.").first.wait_for()
    assert "14" in calculation.inner_text()
    forening.check("the subsidy worked out as the form is filled in", fetchable=False)

    # The figure is where she types: right under the counts, within one screen of them, at
    # 1280 and at 360 px; announced politely, the focus left in the field she typed in.
    summary = forening.page.locator("#calculation-summary")
    summary.get_by_text("7.000,00 kr.").wait_for()
    assert summary.get_attribute("aria-live") == "polite"
    assert forening.page.evaluate("document.activeElement.id") == "participants_disabled"
    for width in (1280, 360):
        forening.page.set_viewport_size({"width": width, "height": 740})
        distance = forening.page.evaluate(
            """() => document.getElementById('calculation-summary').getBoundingClientRect()
                       .bottom
                     - document.getElementById('participants_young').getBoundingClientRect()
                       .top"""
        )
        print(f"live figure at {width} px: {distance:.0f} px below the first count")
        assert 0 < distance <= 600, (width, distance)
    forening.page.set_viewport_size({"width": 1280, "height": 900})

    forening.fill("#purpose", "Fælles musiklejr med Ystads ungdomsorkester.")
    forening.fill("#direct_contact", "De unge spiller i blandede grupper og bor sammen.")
    forening.fill("#programme", "Prøver hver formiddag, koncert sidste aften.")
    forening.fill("#transport", "9000")
    forening.fill("#meals", "4000")
    forening.press("Indsend ansøgning", "youth trip submitted")
    forening.see("Sommerlejr i Ystad (browser)")
    forening.see("7.000,00 kr.")
