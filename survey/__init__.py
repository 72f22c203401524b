"""Hài lòng: the web application (citizens' surveys, agencies' dashboards, Sở Nội vụ's administration).

The package is grouped by side. Infrastructure sits at the top (``config``, ``extensions``,
``database``, ``errors``, ``security``, ``sealing``, ``i18n``, ``formatting``, ``periods``,
``csvfiles``), with ``models`` and ``migrations``. Then, each importing only those to its left:

- ``administration``: the unit tree and its roll-ups, the one access rule, staff, targets, the
  procedure catalogue, API tokens, dossier volumes, the audit log, backups;
- ``messaging``: the outbox, the project's one way out (e-mail, SMS, signed webhooks), and
  ``notify`` for events;
- ``casework``: phản ánh, kiến nghị from receipt to closing (routing, working-day deadlines,
  escalation, sealed contact details, publication);
- ``collection``: the citizen's answer (the write path, kiosks, QR codes, signed payloads,
  instruments, imports and exports, integrity checks);
- ``reporting``: the read side (queries, statistics, applicability of targets, dashboards,
  reports, workbooks, charts);
- ``operations``: the scheduled work (``flask jobs run-due``, each job a call to the service
  that owns it) and the record of outside indices (SIPAS, PAR INDEX, PAPI, PCI);
- the blueprints ``public``, ``admin``, ``unit``, ``api`` and ``auth`` (parse, call, commit,
  render) and ``commands`` (every ``flask`` command group).

Services take the session first, validate, record their own audit entries, flush and never
commit; their errors carry translatable messages.
"""

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

    from survey import database, formatting, i18n, labels, sealing, security

    sealing.init_app(app)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "survey" / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    formatting.init_app(app)
    labels.init_app(app)

    from survey import auth, commands, errors, public

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    _register_optional_blueprints(app)
    errors.init_app(app)
    commands.register(app)
    return app


def _register_optional_blueprints(app: Flask) -> None:
    from survey import admin, api, unit

    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(unit.bp, url_prefix="/unit")
    app.register_blueprint(api.bp, url_prefix="/api/v1")


def settle_for_serving() -> None:
    """Prepare a long-lived server process (``wsgi.py``; the benches, to measure as deployed).

    SciPy is imported now rather than by the first page that fits a model, and everything
    loaded so far is then frozen out of the garbage collector's reach (``gc.freeze``): its full
    passes walked some 200,000 objects that live as long as the process, about 150 ms each,
    and one fell every few dozen dashboard requests.
    """
    import gc

    import scipy.optimize  # analysis imports these lazily, for a quick CLI
    import scipy.stats  # noqa: F401

    gc.collect()
    gc.freeze()
