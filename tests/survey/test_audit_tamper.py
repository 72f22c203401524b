"""Tampering with the audit log directly in the database, beyond tests/survey/test_audit.py.

The chain must also survive honest concurrency: two administrators' changes committed at the same
moment (two gunicorn workers) must not fork it, or `audit verify` would cry wolf.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from survey.administration import audit
from survey.collection import integrity, kiosks
from survey.extensions import db
from survey.models import AuditEntry
from tests import factories
from tests.helpers import committed_app, scratch_database_url


@pytest.fixture
def committed(tmp_path_factory):
    """An app on a scratch database whose commits are real (several connections see them)."""
    with committed_app(scratch_database_url(tmp_path_factory, "audit_tamper")) as app:
        yield app


def verify(app) -> audit.Verification:
    with app.app_context():
        result = audit.verify(db.session)
        db.session.remove()
    return result


def test_entries_committed_at_the_same_moment_keep_one_chain(committed):
    """Writers racing to append must each link to the other's entry, never to the same parent."""
    with committed.app_context():
        audit.record(db.session, actor=None, action="test.genesis", object_type="unit")
        db.session.commit()
        engine = db.engine
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def append(n: int) -> None:
        try:
            with committed.app_context(), Session(engine) as session:
                barrier.wait()
                for i in range(5):
                    audit.record(
                        session, actor=None, action=f"test.race{n}.{i}", object_type="unit", object_id=n
                    )
                    session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify(committed)
    assert result.entries == 31
    assert result.problems == []


def test_deleting_the_newest_entry_changes_the_head_that_verify_prints(committed, tmp_path):
    with committed.app_context():
        for i in range(3):
            audit.record(db.session, actor=None, action=f"test.step{i}", object_type="unit", object_id=i)
        db.session.commit()
    anchored = verify(committed).head
    with committed.app_context():
        db.session.execute(text("DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)"))
        db.session.commit()
    after = verify(committed)
    assert after.ok  # a shorter chain is still a chain …
    assert after.head != anchored  # … which is why the head is printed, to be kept elsewhere


def test_editing_who_excluded_responses_is_detected(committed):
    """An exclusion from the indices is audited; rewriting that entry breaks the chain."""
    with committed.app_context():
        admin = factories.make_user(db.session, role="admin")
        point = factories.make_service_point(db.session)
        kiosk, _code = kiosks.create_kiosk(db.session, None, point, label="Quầy")
        for i in range(5):
            factories.make_response(
                db.session,
                unit=point.unit,
                ratings={"overall": 5},
                channel="kiosk",
                instrument_key="sipas-short",
                service_point=point,
                kiosk=kiosk,
                submitted_at=datetime(2026, 7, 7, 2, 0, i, tzinfo=UTC),
            )
        integrity.scan(db.session, integrity.Rules())
        (batch,) = integrity.batches(db.session)
        integrity.set_excluded(db.session, admin, excluded=True, batch=batch.key)
        db.session.commit()
        entry_id = db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "integrity.exclude"))
        assert entry_id is not None
    assert verify(committed).ok
    with committed.app_context():
        db.session.execute(text("UPDATE audit_entry SET user_id = NULL WHERE id = :id"), {"id": entry_id})
        db.session.commit()
    problems = verify(committed).problems
    assert f"entry {entry_id}: content does not match its hash (edited)" in problems


def test_swapping_two_entries_is_detected(committed):
    with committed.app_context():
        first, second = (
            audit.record(db.session, actor=None, action=f"test.swap{i}", object_type="unit", object_id=i)
            for i in range(2)
        )
        db.session.commit()
        ids = (first.id, second.id)
        db.session.execute(text("UPDATE audit_entry SET id = -1 WHERE id = :a"), {"a": ids[0]})
        db.session.execute(text("UPDATE audit_entry SET id = :a WHERE id = :b"), {"a": ids[0], "b": ids[1]})
        db.session.execute(text("UPDATE audit_entry SET id = :b WHERE id = -1"), {"b": ids[1]})
        db.session.commit()
    assert not verify(committed).ok
