"""The audit log is hash-chained: `flask --app wsgi audit verify` finds an edited or deleted entry."""

from __future__ import annotations

import re

from sqlalchemy import select, text

from survey.administration import audit
from survey.extensions import db
from survey.models import AuditEntry
from tests.factories import make_unit


def _three_entries() -> list[AuditEntry]:
    unit = make_unit(db.session)
    entries = [
        audit.record(
            db.session,
            actor=None,
            action=f"test.step{i}",
            object_type="unit",
            object_id=unit.id,
            before={"n": i},
            after={"n": i + 1},
        )
        for i in range(3)
    ]
    db.session.commit()
    return entries


def test_entries_form_a_chain_from_64_zeros(app_context):
    first_id = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    entries = _three_entries()
    if first_id is None:
        assert entries[0].prev_hash == "0" * 64
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[2].hash == audit.chain_hash(entries[1].hash, entries[2])
    assert audit.verify(db.session).ok


def test_verify_command_passes_on_an_untouched_log(app, runner):
    with app.app_context():
        _three_entries()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_verify_command_finds_an_entry_edited_in_the_database(app, runner):
    with app.app_context():
        entries = _three_entries()
        db.session.execute(
            text("UPDATE audit_entry SET after = :after WHERE id = :id"),
            {"after": '{"n": 99}', "id": entries[1].id},
        )
        db.session.commit()
        target = entries[1].id
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"entry {target}: content does not match its hash" in result.output


def test_verify_command_finds_a_deleted_entry(app, runner):
    with app.app_context():
        entries = _three_entries()
        db.session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": entries[1].id})
        db.session.commit()
        following = entries[2].id
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"entry {following}: previous entry missing or changed" in result.output


def test_an_anchor_finds_entries_deleted_from_the_end_of_the_chain(app, runner):
    with app.app_context():
        entries = _three_entries()
        anchor, second = audit.head(db.session), entries[1].id
        assert anchor == entries[2].hash
    assert runner.invoke(args=["audit", "verify", "--anchor", anchor]).exit_code == 0
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_entry WHERE id >= :id"), {"id": second})
        db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # a shorter chain is still a chain
    result = runner.invoke(args=["audit", "verify", "--anchor", anchor.upper()])
    assert result.exit_code == 1
    assert f"anchor {anchor}: no entry has this hash" in result.output


def test_an_anchor_from_another_log_fails_and_the_empty_log_anchor_passes(app_context):
    _three_entries()
    assert not audit.verify(db.session, ["f" * 64]).ok
    assert audit.verify(db.session, [audit.GENESIS]).ok


def test_the_printed_report_carries_the_audit_head_beside_its_signatures(app, client, login):
    login(role="admin")
    client.post("/admin/targets/seed")  # an audited change
    with app.app_context():
        head = audit.head(db.session)
        unit = make_unit(db.session)
        db.session.commit()
        code = unit.code
    assert head != audit.GENESIS
    page = client.get(f"/unit/report/print?unit={code}&period=2026-Q2").get_data(as_text=True)
    assert f"<code>{head}</code>" in page


def test_rewriting_an_entry_and_its_own_hash_still_breaks_the_next_link(app_context):
    entries = _three_entries()
    forged = entries[0]
    db.session.execute(
        text("UPDATE audit_entry SET action = 'test.innocent' WHERE id = :id"), {"id": forged.id}
    )
    db.session.commit()
    db.session.expire_all()
    rewritten = db.session.get(AuditEntry, forged.id)
    db.session.execute(
        text("UPDATE audit_entry SET hash = :h WHERE id = :id"),
        {"h": audit.chain_hash(rewritten.prev_hash, rewritten), "id": forged.id},
    )
    db.session.commit()
    problems = audit.verify(db.session).problems
    assert any(f"entry {entries[1].id}: previous entry missing" in p for p in problems)


def test_the_audit_page_shows_who_did_what_before_and_after(app, client, login):
    admin = login(role="admin")
    client.post("/admin/targets/seed")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Nạp chỉ tiêu theo văn bản" in page, "the action in words"
    assert "target.seed" not in page, "no code"
    assert '"added"' not in page, "no raw JSON"
    assert admin.email in page
    assert "Nhật ký nguyên vẹn" in page
    assert re.search(r"<dt>Số mục thêm mới</dt><dd>\d+</dd>", page), "what changed, in words"
    by_type = client.get("/admin/audit?object_type=user").get_data(as_text=True)
    assert "Nạp chỉ tiêu theo văn bản" not in by_type
    later = client.get("/admin/audit?start=2999-01-01").get_data(as_text=True)
    assert "Không có thay đổi nào khớp." in later
    assert client.get("/admin/audit?start=not-a-day&actor=x&before=y").status_code == 200


def test_concurrent_appends_keep_one_unbroken_chain(tmp_path_factory):
    """Four workers appending at once must not fork the chain (SQLite's write lock; PostgreSQL's
    advisory lock), so that `audit verify` stays meaningful under real load."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.helpers import make_app, reset_database, scratch_database_url

    app = make_app(scratch_database_url(tmp_path_factory, "audit_race"))
    reset_database(app)

    def worker(n: int) -> None:
        for i in range(25):
            with app.app_context():
                audit.record(
                    db.session,
                    actor=None,
                    action="test.race",
                    object_type="worker",
                    object_id=n,
                    before=None,
                    after={"i": i},
                )
                db.session.commit()
                db.session.remove()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(worker, range(4)))
    with app.app_context():
        result = audit.verify(db.session)
        db.session.remove()
        db.engine.dispose()
    assert result.entries == 100
    assert result.ok, result.problems
