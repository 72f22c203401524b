"""Citizens' pages: the desk kiosk (``kiosk``; ``kiosk_steps``: what its answers carry beyond the
form), the phone survey behind a QR code, and the landing page."""

from flask import Blueprint, current_app, send_from_directory
from werkzeug.wrappers import Response

bp = Blueprint("public", __name__)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says; every modern one draws the SVG."""
    return send_from_directory(current_app.static_folder or "static", "favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)

from survey.public import kiosk, links, phone  # noqa: E402, F401  (routes register on import)


@bp.app_context_processor
def _scale() -> dict[str, object]:
    from survey.public.forms import SCALE_WORDS

    return {"scale_words": list(SCALE_WORDS.items())}


from survey.public import (  # noqa: E402, F401  (phản ánh, kiến nghị)
    complaints,
    notice,
    publication,
    results,
)
