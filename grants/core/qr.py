"""QR codes as inline SVG (segno: no image library needed; WeasyPrint draws them as vectors).

The one place the app marks a string as markup by hand: segno writes the SVG itself from the
text it encodes (an address or a provisioning URI the app made), so nothing a person typed
becomes markup. The SVG is hidden from screen readers: the element around it names it
(``role="img"`` with an ``aria-label``).
"""

from __future__ import annotations

from markupsafe import Markup


def qr_svg(text: str, scale: int = 4) -> Markup:
    """``text`` as a QR code (error correction M), an inline SVG of ``scale`` px a module."""
    import segno

    svg = segno.make(text, error="m").svg_inline(scale=scale, dark="#000", light="#fff", border=2)
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return Markup(svg)  # nosec B704  # segno's own SVG of a text the app made
