"""Security plumbing: the headers every response carries, and the random secrets (device
secrets, API tokens, enrolment codes) with the hashes they are stored as.

The Content-Security-Policy allows no inline script or style at all: every script and style is a
file under ``/static``, so no nonce is needed. ``Referrer-Policy: no-referrer`` keeps survey tokens
in URLs from leaking to other sites.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import Flask, Response
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

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
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

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
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
