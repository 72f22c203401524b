"""The JSON API for one-stop software (per-dossier survey links)."""

from flask import Blueprint

bp = Blueprint("api", __name__)
