"""Flask extensions, created unbound and joined to the app in :func:`survey.create_app`."""

from typing import Any, TypeAlias

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

# A naming convention lets Alembic name, and so alter, constraints on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def client_address() -> str:
    """The client's address, for rate limits only (the limiter's counters; never stored with a response).

    It is the proxy's own address unless ``SURVEY_TRUSTED_PROXIES`` says how many proxies to look
    through (survey/security.py); the per-device and per-person keys are in survey/public/limits.py.
    """
    from flask import request

    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address, default_limits=[])


# What service functions take as their first argument: a plain Session, or Flask-SQLAlchemy's
# request-scoped ``db.session`` proxy.
AnySession: TypeAlias = Session | scoped_session[Any]
