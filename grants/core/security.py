"""Response headers that keep the browser on our side: a Content-Security-Policy with no
inline code (templates carry no inline script or style; chart data rides in JSON blocks),
no framing, no sniffing, and HSTS in production."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import RequestEntityTooLarge

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("PRODUCTION"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        """A request over MAX_CONTENT_LENGTH: a page that says so, and nothing is saved."""
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        limit_mb = max(1, round(limit / (1024 * 1024)))
        return render_template("errors/too_large.html", limit_mb=limit_mb), 413
