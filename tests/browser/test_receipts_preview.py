"""Several receipts at once, seen in the browser (issue 21 points 8 and 12): Mette adds two
receipts to her report in one go, sees both listed, takes back a third added by mistake,
opens the picture and the PDF in a new tab (shown, not downloaded, under the sandboxing
policy), and sends the report; the caseworker sees both receipts with their preview links,
and the third in the case file, withdrawn. Every page checked with axe in Danish and
English."""

import struct
import zlib

from tests.browser.journeys import CASEWORKER, EMPLOYEE, open_case

# Chromium's viewer shows an error for a PDF without pages (its error dialog is looked for).
VIEWER_ERROR = """() => { const v = document.querySelector('pdf-viewer');
  if (!v) return 'no viewer';
  return v.shadowRoot.querySelector('viewer-error-dialog, #error-dialog') ? 'error' : 'shown'; }"""


def pdf() -> bytes:
    """A real one-page PDF, so the browser's viewer has something to show."""
    from weasyprint import HTML

    return HTML(string="<h1>Kvittering: fly København–Bergen</h1>").write_pdf()


def png(width: int = 40, height: int = 20) -> bytes:
    """A real picture (grey), so the browser has something to show."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def preview(person, name: str):
    """Open the preview link of the document ``name``; the new tab, once loaded."""
    link = person.page.get_by_role("link", name=person._("Vis") + f" {name}")
    assert link.first.get_attribute("target") == "_blank"
    with person.context.expect_page() as opened:
        link.first.click()
    tab = opened.value
    tab.wait_for_load_state()
    return tab


def test_two_receipts_at_once_and_one_seen_in_the_browser(person, live_server, tmp_path):
    title = "Seminar i Bergen (kvitteringer)"
    live_server.granted_study_trip(title)
    picture = png()
    mette = person(EMPLOYEE)
    open_case(mette, title, "my granted case")
    mette.follow("Udfyld rapport og regnskab", "report form")
    mette.fill("#what_was_done", "Deltog i seminaret om frivillighed.")
    mette.fill("#what_was_learned", "Hvordan frivillige fastholdes.")
    mette.fill("#how_it_will_be_used", "Vi laver en plan for frivillige i klubben.")
    mette.fill("#participant_names", "Mette Madsen")
    mette.fill("#participant_count", "1")
    mette.fill("#transport", "1500")
    mette.fill("#accommodation", "2200")
    flight, hotel = tmp_path / "fly.pdf", tmp_path / "hotel.png"
    flight.write_bytes(pdf())
    hotel.write_bytes(picture)
    assert mette.page.locator("#receipts").get_attribute("multiple") is not None
    mette.page.locator("#receipts").set_input_files([str(flight), str(hotel)])
    mette.press("Gem som kladde", "report saved with two receipts")
    mette.follow("Ret og indsend rapport og regnskab", "report form with two receipts")
    # A wrong one added by mistake, and taken back (by its own button, without JavaScript's
    # help: a form of its own outside the report's form).
    wrong = tmp_path / "forkert.pdf"
    wrong.write_bytes(pdf())
    mette.page.locator("#receipts").set_input_files(str(wrong))
    mette.press("Gem som kladde", "report saved with a wrong receipt")
    mette.follow("Ret og indsend rapport og regnskab", "report form with three receipts")
    mette.press("Fjern forkert.pdf", "wrong receipt taken back")
    mette.see("forkert.pdf er fjernet")
    listed = mette.page.locator("ul.document-list").inner_text()
    assert "fly.pdf" in listed and "hotel.png" in listed and "forkert.pdf" not in listed
    assert mette._("(åbner i en ny fane)") in listed

    # The picture: shown in a new tab, in the browser's own image view.
    tab = preview(mette, "hotel.png")
    assert tab.url.endswith("/vis")
    assert tab.evaluate("document.images.length && document.images[0].naturalWidth") == 40
    tab.close()
    # The PDF: shown by the browser's viewer, not downloaded, under the sandboxing policy.
    downloads = []
    mette.context.on("download", lambda download: downloads.append(download))
    tab = preview(mette, "fly.pdf")
    tab.wait_for_timeout(1500)
    assert tab.url.endswith("/vis") and not downloads
    viewer = [f for f in tab.frames if f.url.startswith("chrome-extension://")]
    assert viewer and viewer[0].evaluate(VIEWER_ERROR) == "shown"
    response = mette.page.request.get(tab.url)
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["content-security-policy"].startswith("sandbox;")
    assert response.headers["x-content-type-options"] == "nosniff"
    tab.screenshot(path=str(mette.folder / "receipt-pdf-preview.png"))
    tab.close()

    mette.press("Indsend rapport og regnskab", "report submitted with two receipts")
    caseworker = person(CASEWORKER)
    caseworker.follow("Arbejdskø", "work queue with the report")
    open_case(caseworker, title, "report with two receipts")
    documents = caseworker.page.locator("#documents").inner_text()
    assert (
        "forkert.pdf" in documents and caseworker._("trukket tilbage før indsendelse") in documents
    )
    tab = preview(caseworker, "hotel.png")
    assert tab.evaluate("document.images[0].naturalWidth") == 40
    tab.close()
