"""Gaming detection: bursts of top ratings, kiosk ratings out of hours, counts above the dossiers;
reversible, audited exclusion from the indices by Sở Nội vụ only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from survey.collection import integrity, kiosks
from survey.extensions import db
from survey.models import AuditEntry, DossierVolume, Response
from survey.periods import LOCAL
from tests.factories import make_response, make_service_point
from tests.helpers import csrf_token

# Scans and exclusions write to the hash-chained audit log (survey/audit.py).
RULES = integrity.Rules()  # 07:00–17:30, Monday–Saturday, 5 top ratings in 60 s, 1.2 × dossiers
TUESDAY_9 = datetime(2026, 7, 7, 9, 0, tzinfo=LOCAL)


@pytest.fixture
def desk(app_context):
    """A service point with an enrolled kiosk: ``desk.answer(at, overall)`` records a kiosk response."""
    point = make_service_point(db.session)
    kiosk, _code = kiosks.create_kiosk(db.session, None, point, label="Quầy 1")

    class Desk:
        unit = point.unit

        @staticmethod
        def answer(at: datetime, overall: int = 5, channel: str = "kiosk") -> Response:
            key = make_response(db.session, unit=point.unit, ratings={"overall": overall},
                                channel=channel, instrument_key="sipas-short", submitted_at=at,
                                service_point=point, kiosk=kiosk if channel == "kiosk" else None)
            return db.session.scalars(select(Response).filter_by(idempotency_key=key)).one()

    return Desk


def flags(responses: list[Response]) -> list[str | None]:
    for response in responses:
        db.session.refresh(response)
    return [response.flag for response in responses]


def test_five_top_ratings_within_a_minute_at_one_kiosk_are_flagged_as_a_burst(desk):
    burst = [desk.answer(TUESDAY_9 + timedelta(seconds=8 * i)) for i in range(5)]
    assert integrity.scan(db.session, RULES)["burst"] == 5
    assert flags(burst) == ["burst"] * 5


def test_top_ratings_at_a_human_pace_or_mixed_ratings_are_not_a_burst(desk):
    paced = [desk.answer(TUESDAY_9 + timedelta(seconds=20 * i)) for i in range(5)]  # 80 s in all
    later = TUESDAY_9 + timedelta(hours=1)
    mixed = [desk.answer(later + timedelta(seconds=5 * i), overall=4 if i == 2 else 5) for i in range(5)]
    assert integrity.scan(db.session, RULES)["burst"] == 0
    assert flags(paced + mixed) == [None] * 10


def test_kiosk_ratings_outside_opening_hours_are_flagged_but_phone_answers_are_not(desk):
    evening = desk.answer(TUESDAY_9.replace(hour=20), overall=4)
    sunday = desk.answer(TUESDAY_9 + timedelta(days=5), overall=3)
    open_desk = desk.answer(TUESDAY_9.replace(hour=17, minute=29), overall=4)
    phone_at_night = desk.answer(TUESDAY_9.replace(hour=22), overall=5, channel="qr")
    assert integrity.scan(db.session, RULES)["off_hours"] == 2
    assert flags([evening, sunday, open_desk, phone_at_night]) == ["off_hours", "off_hours", None, None]


def test_responses_far_above_the_dossiers_handled_are_flagged(desk):
    answers = [desk.answer(TUESDAY_9 + timedelta(minutes=3 * i), overall=4) for i in range(40)]
    db.session.add(DossierVolume(unit=desk.unit, period="2026-Q3", dossiers=20))
    db.session.add(DossierVolume(unit=desk.unit, period="2026-Q2", dossiers=20))  # no responses then
    assert integrity.scan(db.session, RULES)["volume"] == 40
    assert set(flags(answers)) == {"volume"}


def test_responses_within_the_dossiers_handled_are_not_flagged(desk):
    answers = [desk.answer(TUESDAY_9 + timedelta(minutes=3 * i), overall=4) for i in range(40)]
    db.session.add(DossierVolume(unit=desk.unit, period="2026-07", dossiers=100))
    assert integrity.scan(db.session, RULES) == {"burst": 0, "off_hours": 0, "volume": 0}
    assert set(flags(answers)) == {None}


def test_a_second_scan_flags_nothing_new(desk):
    for i in range(6):
        desk.answer(TUESDAY_9 + timedelta(seconds=5 * i))
    assert integrity.scan(db.session, RULES)["burst"] == 6
    assert integrity.scan(db.session, RULES) == {"burst": 0, "off_hours": 0, "volume": 0}


def test_excluding_a_batch_is_reversible_audited_and_leaves_honest_answers_alone(desk):
    burst = [desk.answer(TUESDAY_9 + timedelta(seconds=5 * i)) for i in range(5)]
    honest = desk.answer(TUESDAY_9 + timedelta(hours=2), overall=2)
    integrity.scan(db.session, RULES)
    (batch,) = integrity.batches(db.session)
    assert (batch.flag, batch.count, batch.excluded) == ("burst", 5, 0)

    assert integrity.set_excluded(db.session, None, excluded=True, batch=batch.key) == 5
    assert integrity.set_excluded(db.session, None, excluded=True, batch=batch.key) == 0  # already
    assert integrity.set_excluded(db.session, None, excluded=True, response_id=honest.id) == 0
    for response in [*burst, honest]:
        db.session.refresh(response)
    assert [r.excluded for r in burst] == [True] * 5
    assert honest.excluded is False

    assert integrity.set_excluded(db.session, None, excluded=False, response_id=burst[0].id) == 1
    db.session.refresh(burst[0])
    assert burst[0].excluded is False
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("integrity.%")).order_by(AuditEntry.id)))
    assert actions == ["integrity.scan", "integrity.exclude", "integrity.include"]


# --- the review page -------------------------------------------------------------------------


@pytest.fixture
def flagged_batch(app):
    with app.app_context():
        point = make_service_point(db.session)
        kiosk, _code = kiosks.create_kiosk(db.session, None, point, label="Quầy 2")
        for i in range(5):
            make_response(db.session, unit=point.unit, ratings={"overall": 5}, channel="kiosk",
                          instrument_key="sipas-short", submitted_at=TUESDAY_9 + timedelta(seconds=i),
                          service_point=point, kiosk=kiosk)
        integrity.scan(db.session, RULES)
        key = integrity.batches(db.session)[0].key
        db.session.commit()
    return key


def excluded_count() -> int:
    return len(list(db.session.scalars(select(Response.id).where(Response.excluded.is_(True)))))


@pytest.mark.usefixtures("csrf")
def test_administrator_excludes_and_includes_a_batch_from_the_review_page(app, client, login,
                                                                           flagged_batch):
    login(role="admin")
    page = client.get("/admin/integrity")
    assert page.status_code == 200
    assert "Bấm liên tục" in page.get_data(as_text=True)
    token = csrf_token(client, "/admin/integrity")
    done = client.post("/admin/integrity/exclusion",
                       data={"batch": flagged_batch, "action": "exclude", "csrf_token": token})
    assert done.status_code == 303
    with app.app_context():
        assert excluded_count() == 5
    client.post("/admin/integrity/exclusion",
                data={"batch": flagged_batch, "action": "include", "csrf_token": token})
    with app.app_context():
        assert excluded_count() == 0
    assert client.get(f"/admin/integrity/{flagged_batch}").status_code == 200


@pytest.mark.usefixtures("csrf")
def test_exclusion_needs_csrf_and_the_admin_role(app, client, login, flagged_batch):
    manager = login(role="unit_manager")
    assert manager.role == "unit_manager"
    assert client.get("/admin/integrity").status_code == 403
    assert client.post("/admin/integrity/exclusion",
                       data={"batch": flagged_batch, "action": "exclude"}).status_code == 400
    login(role="admin")
    assert client.post("/admin/integrity/exclusion",
                       data={"batch": flagged_batch, "action": "exclude"}).status_code == 400
    with app.app_context():
        assert excluded_count() == 0


def test_scan_command_flags_and_reports_counts(app, runner):
    with app.app_context():
        point = make_service_point(db.session)
        kiosk, _code = kiosks.create_kiosk(db.session, None, point, label="Quầy 3")
        make_response(db.session, unit=point.unit, ratings={"overall": 4}, channel="kiosk",
                      instrument_key="sipas-short", submitted_at=TUESDAY_9.replace(hour=23),
                      service_point=point, kiosk=kiosk)
        db.session.commit()
    result = runner.invoke(args=["integrity", "scan"])
    assert result.exit_code == 0, result.output
    assert "off_hours: 1" in result.output
