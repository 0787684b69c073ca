"""Entry point for a WSGI server, e.g. ``gunicorn wsgi:app``."""

from grants import create_app

app = create_app()
