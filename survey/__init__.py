"""Hài lòng: the web application (citizens' surveys, agencies' dashboards, Sở Nội vụ's administration)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from survey import config
from survey.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The application factory. ``overrides`` are applied after the environment (tests use it)."""
    app = Flask(
        __name__,
        template_folder=str(config.ROOT / "templates"),
        static_folder="static",
        instance_path=str(config.ROOT / "instance"),
    )
    config.load(app.config, overrides)

    from survey import database, i18n, security

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "survey" / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)

    from survey import auth, cli, errors, public

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    _register_optional_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _register_optional_blueprints(app: Flask) -> None:
    from survey import admin, api, unit

    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(unit.bp, url_prefix="/unit")
    app.register_blueprint(api.bp, url_prefix="/api/v1")
