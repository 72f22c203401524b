"""Security plumbing: the headers every response carries, and the random secrets (device
secrets, API tokens, enrolment codes) with the hashes they are stored as.

The Content-Security-Policy allows no inline script or style at all: every script and style is a
file under ``/static``, so no nonce is needed.

**CSRF over HTTPS: ``Referrer-Policy: same-origin``.** Over HTTPS, Flask-WTF's strict check
(``WTF_CSRF_SSL_STRICT``, left on) refuses a POST whose ``Referer`` is missing or names another
origin, on top of the session-bound token. With ``no-referrer`` browsers sent no Referer at all, so
behind TLS every form failed. ``same-origin`` sends the full Referer to this site only and nothing
to any other site, so:

- a survey token in a URL (``/s/<token>``) still never leaks to another site, exactly as before;
- a same-site POST carries its Referer and passes; a cross-site POST (another origin's page, or
  one that hides its Referer) is refused, and it also lacks the ``SameSite=Lax`` session cookie;
- the check stays Flask-WTF's own. ``strict-origin-when-cross-origin`` would also work but tells
  other sites which host a citizen came from; an Origin-header check would replace a library
  check with our own code for no gain, since every browser we serve sends the Referer under
  this policy.

The proxy must pass the ``Host`` the browser used, port included (``proxy_set_header Host
$http_host``), and ``X-Forwarded-Proto``; the app trusts them only with ``SURVEY_TRUSTED_PROXIES``
(docs/deployment.md).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Every page may use no camera, microphone or location; the enrolled kiosk's page may use the
# camera, to read a receipt's code in its dossier step (survey/static/kiosk-dossier.js).
CAMERA_ALLOWED = "camera=(self), microphone=(), geolocation=()"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` up to the database's INTEGER range: a larger id is not found (404).

    Otherwise PostgreSQL refuses the value ("integer out of range") and the page is a 500.
    """

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIntConverter  # before the blueprints add their rules
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:  # otherwise X-Forwarded-* headers are ignored: a client cannot fake its address
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )

    @app.before_request
    def _form_bodies_are_objects() -> None:
        """A page's form read from a JSON body that is not an object would make Flask-WTF raise
        (a 500); the pages take forms, so such a body is the client's error (400). The API reads
        its own JSON."""
        page = request.method == "POST" and not request.path.startswith("/api/")
        if page and request.is_json and not isinstance(request.get_json(silent=True), dict | None):
            abort(400)

    headers = dict(HEADERS)
    if app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    added = [(name.lower(), name, value) for name, value in headers.items()]

    @app.after_request
    def _headers(response: Response) -> Response:
        # Those a view set itself are kept. Not Headers.setdefault: each header it does not find
        # costs an exception, on every response.
        present = {name.lower() for name, _value in response.headers}
        for lowered, name, value in added:
            if lowered not in present:
                response.headers.add(name, value)
        return response


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def new_code(length: int = 8) -> str:
    """A short code a person can type: no 0/O, 1/I/L."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret (device secret, API token, enrolment code)."""
    return hashlib.sha256(secret.encode()).hexdigest()
