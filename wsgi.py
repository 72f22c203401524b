"""The WSGI entry point: ``gunicorn wsgi:app``, ``flask --app wsgi …``."""

import sys

from survey import create_app, settle_for_serving

app = create_app()
if "gunicorn" in sys.modules:  # a server's worker, not a `flask --app wsgi` command
    settle_for_serving()
