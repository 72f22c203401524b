"""A citizen's contact details: encrypted at rest (no column anywhere holds the phone number),
shown only to the case's handlers, deleted by the retention command, re-encrypted on rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect, select, text

from survey import create_app, sealing
from survey.casework import cases, contacts
from survey.casework.contacts import Contact
from survey.config import ConfigError
from survey.extensions import db
from survey.messaging import webhooks
from survey.models import AuditEntry, Complaint, ComplaintContact, User, WebhookEndpoint
from tests.casework import build_office, drain, file_case
from tests.helpers import TEST_CONTACT_KEY, login_as

PHONE = "0912345678"
EMAIL = "tran.thi.b@example.vn"


@pytest.fixture
def office(app):
    with app.app_context():
        return build_office(db.session)


@pytest.fixture
def case_id(app, office) -> int:
    with app.app_context():
        contact = Contact(name="Trần Thị B", phone=PHONE, email=EMAIL)
        case = file_case(db.session, office.ward, contact=contact)
        cases.reply(db.session, db.session.get_one(User, office.handler), case, "Đã trả lời.")
        db.session.commit()
        return case.id


def every_text_cell() -> list[str]:
    """Every string value of every table, as the database holds it."""
    cells = []
    for table in inspect(db.session.connection()).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608 - table names from the schema
            cells += [str(value) for value in row if value is not None]
    return cells


def test_the_contact_is_encrypted_at_rest_and_nowhere_in_clear(app, case_id):
    with app.app_context():
        [raw] = db.session.execute(text("SELECT sealed FROM complaint_contact")).scalars()
        assert PHONE not in raw
        assert EMAIL not in raw
        assert "Trần" not in raw
        assert Fernet(TEST_CONTACT_KEY.encode()).decrypt(raw.encode()).decode().count(PHONE) == 1
        cells = every_text_cell()  # the case, the audit log, the outbox (the reply is queued, sealed)
        assert not any(PHONE in cell or EMAIL in cell for cell in cells)


def test_a_sent_reply_leaves_no_sealed_copy_in_the_outbox(app, case_id):
    drain(app)
    with app.app_context():
        sealed = text("SELECT count(*) FROM outbox_message WHERE sealed IS NOT NULL")
        assert db.session.execute(sealed).scalar() == 0


@pytest.mark.parametrize(("who", "sees_case", "sees_contact"), [
    ("handler", True, True),
    ("parent_handler", True, False),  # where an overdue case escalates: the case, not the person
    ("admin", True, False),
    ("other_handler", False, False),
    ("manager", False, False),  # the ward's own manager, without the handler's permission
])
def test_only_the_cases_handlers_see_the_contact(app, client, office, case_id, who, sees_case, sees_contact):
    with client.session_transaction() as session:
        session["_user_id"] = str(getattr(office, who))
    page = client.get(f"/unit/complaints/{case_id}")
    assert (page.status_code == 200) is sees_case
    html = page.get_data(as_text=True)
    assert (PHONE in html) is sees_contact
    assert (EMAIL in html) is sees_contact
    listing = client.get("/unit/complaints?show=all").get_data(as_text=True)
    assert PHONE not in listing
    assert EMAIL not in listing


def test_the_retention_command_deletes_contacts_of_cases_closed_long_enough(app, runner, office, case_id):
    with app.app_context():
        still_open = file_case(db.session, office.ward, contact=Contact(phone="0987654321")).id
        recent = file_case(db.session, office.ward, contact=Contact(phone="0987000111"))
        recent_id = recent.id
        handler = db.session.get_one(User, office.handler)
        cases.reply(db.session, handler, recent, "Xong.")
        cases.close(db.session, handler, recent)
        old = db.session.get_one(Complaint, case_id)
        cases.close(db.session, handler, old)
        old.closed_at = datetime.now(UTC) - timedelta(days=app.config["CONTACT_RETENTION_DAYS"] + 1)
        db.session.commit()
    result = runner.invoke(args=["complaints", "purge"])
    assert result.exit_code == 0
    assert "of 1 closed cases deleted" in result.output
    with app.app_context():
        kept = {row.complaint_id for row in db.session.scalars(select(ComplaintContact))}
        assert kept == {still_open, recent_id}
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.contact_deleted",
                                                          AuditEntry.object_id == str(case_id)))
        assert not any("0912345678" in cell for cell in every_text_cell())
    assert "0 closed cases" in runner.invoke(args=["complaints", "purge"]).output


def test_key_rotation_re_encrypts_everything_sealed(tmp_path_factory, app, case_id):
    new_key = sealing.new_key()
    with app.app_context():
        webhooks.create_endpoint(db.session, None, label="IOC", url="http://127.0.0.1:9/", events=["*"])
        db.session.commit()
        before = db.session.execute(text("SELECT sealed FROM complaint_contact")).scalar()
    rotated = create_app({**app.config, "CONTACT_KEYS": f"{new_key},{TEST_CONTACT_KEY}"})
    result = rotated.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "contacts: 1 re-encrypted" in result.output
    assert "webhook secrets: 1 re-encrypted" in result.output
    with app.app_context():
        after = db.session.execute(text("SELECT sealed FROM complaint_contact")).scalar()
        secret = db.session.scalar(select(WebhookEndpoint.secret_sealed))
    assert after != before
    assert PHONE in Fernet(new_key.encode()).decrypt(after.encode()).decode()
    assert Fernet(new_key.encode()).decrypt(secret.encode()).startswith(b"whsec_")
    only_new = create_app({**app.config, "CONTACT_KEYS": new_key})
    with only_new.app_context():
        case = db.session.get_one(Complaint, case_id)
        assert contacts.open_contact(case) == Contact(name="Trần Thị B", phone=PHONE, email=EMAIL)


def test_a_value_no_key_opens_is_an_error_not_a_leak(app, case_id):
    other = create_app({**app.config, "CONTACT_KEYS": sealing.new_key()})
    with other.app_context(), pytest.raises(sealing.Unsealable):
        contacts.open_contact(db.session.get_one(Complaint, case_id))


def test_production_refuses_to_start_without_contact_keys(app):
    with pytest.raises(ConfigError, match="SURVEY_CONTACT_KEYS"):
        create_app({**app.config, "ENV": "production", "SECRET_KEY": "x" * 40, "CONTACT_KEYS": None})
    with pytest.raises(ConfigError, match="not a Fernet key"):
        create_app({**app.config, "CONTACT_KEYS": "not-a-key"})


@pytest.mark.parametrize(("phone", "ok"), [
    ("0912 345 678", True), ("+84912345678", True), ("091.234.5678", True), ("12345", False),
    ("09123456789012", False)])
def test_phone_numbers_are_checked_and_normalised(phone, ok):
    if ok:
        assert Contact.clean(phone=phone).phone.endswith("912345678")
    else:
        with pytest.raises(contacts.ContactError):
            Contact.clean(phone=phone)


def test_a_handler_can_be_granted_only_by_an_administrator(app, client, office):
    login_as(app, client, "admin")
    with app.app_context():
        address = db.session.get_one(User, office.manager).email
    response = client.post(f"/admin/users/{office.manager}", data={
        "email": address, "name": "Cán bộ", "role": "unit_manager", "unit": str(office.ward),
        "active": "y", "handles_complaints": "y"})
    assert response.status_code == 303
    with app.app_context():
        user = db.session.get_one(User, office.manager)
        assert user.handles_complaints
        assert not user.reads_comments
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update")
                                  .order_by(AuditEntry.id.desc()))
        assert entry is not None
        assert entry.after["handles_complaints"] is True
