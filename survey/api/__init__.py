"""The JSON API for one-stop software (per-dossier survey links, desk sessions) and the 1022
line (complaint tickets), described by ``/api/v1/openapi.json``.

Token-authenticated (``Authorization: Bearer …``), so exempt from CSRF, which protects cookie
sessions only; rate-limited; every error is JSON (see :mod:`survey.errors`).
"""

from flask import Blueprint

bp = Blueprint("api", __name__)

from survey.api import complaints, desks, links, responses, volumes  # noqa: E402, F401  (routes register on import)
