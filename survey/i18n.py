"""Locale choice, made explicit.

1. ``?lang=vi|km|en`` on any page chooses the language and keeps it in the session.
2. Otherwise the session's choice.
3. On kiosk pages nothing else: the tablet's ``Accept-Language`` belongs to the device, not to the
   citizen in front of it, so a kiosk starts in Vietnamese and the language buttons decide.
4. Elsewhere (a citizen's own phone, staff pages) the browser's ``Accept-Language``.
5. Vietnamese.

Khmer (``km``) is translated for the citizen pages only (the ``public`` blueprint and the error
pages, see ``tests.check_catalogue.CITIZEN_SOURCES``): a staff page asked for in Khmer is shown
in Vietnamese rather than half-translated.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session

CITIZEN_ONLY = frozenset({"km"})
STAFF_BLUEPRINTS = frozenset({"admin", "unit", "auth", "api"})


def select_locale() -> str | None:
    if not has_request_context():
        return None  # a command or a job: the default, Vietnamese
    locale = _chosen_locale()
    if locale in CITIZEN_ONLY and request.blueprint in STAFF_BLUEPRINTS:
        return "vi"
    return locale


def _chosen_locale() -> str:
    languages: list[str] = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if request.blueprint == "public" and request.path.startswith("/kiosk"):
        return "vi"
    return request.accept_languages.best_match(languages) or "vi"


def init_app(app: Flask) -> None:
    from flask_babel import get_locale

    @app.context_processor
    def _locale() -> dict[str, object]:
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
