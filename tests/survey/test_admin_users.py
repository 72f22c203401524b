"""Staff accounts: hashed passwords, the first administrator from the command line, rate-limited
log-in, and an administrator managing accounts (audited, the hash never logged)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from survey.extensions import db, limiter
from survey.models import AuditEntry, User
from tests.factories import make_unit
from tests.helpers import login_as, make_app

PASSWORD = "a long enough password"


def test_create_admin_command_stores_a_scrypt_hash_and_the_account_can_log_in(app, runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "First@SoNoiVu.gov.vn",
            "--name",
            "Quản trị đầu tiên",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="first@sonoivu.gov.vn"))
        assert user.role == "admin"
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash
    response = client.post("/login", data={"email": "first@sonoivu.gov.vn", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")


def test_create_admin_prompts_when_options_are_missing(runner):
    result = runner.invoke(
        args=["users", "create-admin"], input=f"prompt@example.gov.vn\nNgười hỏi\n{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "created admin prompt@example.gov.vn" in result.output


def test_create_admin_refuses_a_short_password_or_a_taken_email(runner):
    short = runner.invoke(
        args=["users", "create-admin", "--email", "s@x.vn", "--name", "S", "--password", "short"]
    )
    assert short.exit_code != 0
    assert "ít nhất 10" in short.output
    runner.invoke(args=["users", "create-admin", "--email", "t@x.vn", "--name", "T", "--password", PASSWORD])
    again = runner.invoke(
        args=["users", "create-admin", "--email", "T@x.vn", "--name", "T", "--password", PASSWORD]
    )
    assert "đã có tài khoản" in again.output


def test_an_admin_creates_a_unit_manager_and_the_audit_log_never_holds_the_password(app, client):
    with app.app_context():
        unit = make_unit(db.session)
        db.session.commit()
        unit_id = unit.id
    login_as(app, client, "admin")
    response = client.post(
        "/admin/users",
        data={
            "email": "manager@phuong.gov.vn",
            "name": "Quản lý phường",
            "role": "unit_manager",
            "unit": unit_id,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="manager@phuong.gov.vn"))
        assert user.unit_id == unit_id
        entry = db.session.scalar(select(AuditEntry).filter_by(action="user.create", object_id=str(user.id)))
        assert entry.after["role"] == "unit_manager"
        assert PASSWORD not in str(entry.after)
        assert user.password_hash not in str(entry.after)


def test_a_unit_role_without_a_unit_is_refused(app, client):
    login_as(app, client, "admin")
    response = client.post(
        "/admin/users",
        data={"email": "nounit@x.vn", "name": "x", "role": "unit_viewer", "unit": "", "password": PASSWORD},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(email="nounit@x.vn")) is None


def test_a_deactivated_account_can_no_longer_log_in(app, client):
    with app.app_context():
        unit = make_unit(db.session)
        db.session.commit()
        unit_id = unit.id
    login_as(app, client, "admin")
    client.post(
        "/admin/users",
        data={
            "email": "leaver@x.vn",
            "name": "Người nghỉ",
            "role": "unit_viewer",
            "unit": unit_id,
            "password": PASSWORD,
        },
    )
    with app.app_context():
        leaver = db.session.scalar(select(User).filter_by(email="leaver@x.vn")).id
    client.post(
        f"/admin/users/{leaver}",
        data={
            "email": "leaver@x.vn",
            "name": "Người nghỉ",
            "role": "unit_viewer",
            "unit": unit_id,
            "password": "",
        },
    )  # "active" unticked
    other = app.test_client()
    assert other.post("/login", data={"email": "leaver@x.vn", "password": PASSWORD}).status_code == 401


@pytest.fixture
def limited_app(app) -> Iterator:
    """An app on the test database with rate limits on, in memory (Flask-Limiter's object is shared)."""
    saved = dict(vars(limiter))
    limiter._swallow_errors = None
    limiter._key_prefix = ""
    limiter._strategy = None
    yield make_app(
        app.config["DATABASE_URL"],
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        LOGIN_RATE_LIMIT="5 per minute",
    )
    vars(limiter).clear()
    vars(limiter).update(saved)


def test_guessing_passwords_is_rate_limited(limited_app):
    client = limited_app.test_client()
    statuses = [
        client.post("/login", data={"email": "victim@x.vn", "password": f"guess{i}"}).status_code
        for i in range(7)
    ]
    assert statuses == [401] * 5 + [429, 429]
