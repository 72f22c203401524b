"""Signed webhooks to a local receiver: the signature verifies, a receiver that is down gets
retries with back-off and a delivery log, a replayed delivery is refused by its timestamp, and
several workers never send one message twice."""

from __future__ import annotations

import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.messaging import events, outbox, webhooks
from survey.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from tests.casework import build_office, configured, drain, file_case
from tests.helpers import committed_app, login_as, scratch_database_url
from tests.servers import closed_port, webhook_receiver


@pytest.fixture
def office(app):
    with app.app_context():
        return build_office(db.session)


def endpoint(app, url: str, events_: list[str] | None = None) -> tuple[int, str]:
    with app.app_context():
        row, secret = webhooks.create_endpoint(db.session, None, label="IOC thành phố", url=url,
                                               events=events_ or ["complaint.created"])
        db.session.commit()
        return row.id, secret


def messages(endpoint_id: int) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).filter_by(endpoint_id=endpoint_id)))


def test_a_delivery_is_signed_and_the_receiver_verifies_it(app, client, office):
    with webhook_receiver() as receiver:
        endpoint_id, receiver.secret = endpoint(app, receiver.url)
        with app.app_context():
            ref = file_case(db.session, office.ward).ref
            db.session.commit()
        assert drain(app).sent >= 1
        [delivery] = receiver.deliveries
        assert delivery.verified
        assert delivery.headers["X-Hailong-Event"] == "complaint.created"
        envelope = delivery.event
        assert envelope["event"] == "complaint.created"
        assert envelope["data"]["ref"] == ref
        assert envelope["data"]["url"] == f"http://hailong.test/phan-anh/{ref}"
        assert "text" not in envelope["data"], "a receiver follows the handling, not the person"
    with app.app_context():
        [message] = messages(endpoint_id)
        assert message.status == "sent"
        assert delivery.headers["X-Hailong-Delivery"] == str(message.id)
        [attempt] = db.session.scalars(select(DeliveryAttempt).filter_by(endpoint_id=endpoint_id))
        assert attempt.ok
        assert attempt.status_code == 200
    login_as(app, client, "admin")
    log = client.get(f"/admin/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "Thành công" in log
    assert "HTTP 200" in log


def test_a_receiver_that_is_down_gets_retries_with_back_off_until_it_answers(app, office):
    with webhook_receiver() as receiver:
        endpoint_id, receiver.secret = endpoint(app, receiver.url)
        receiver.status = 503
        with app.app_context():
            file_case(db.session, office.ward)
            db.session.commit()
        delays = []
        for attempt in range(1, 4):
            before = datetime.now(UTC)
            assert drain(app).retry == 1
            with app.app_context():
                [message] = messages(endpoint_id)
                assert message.status == "pending"
                assert message.attempts == attempt
                assert message.last_error == "HTTP 503"
                delays.append((message.next_attempt_at - before).total_seconds())
            assert drain(app).handled == 0, "nothing is due before its time"
            with app.app_context():
                [message] = messages(endpoint_id)
                message.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)  # time passes
                db.session.commit()
        assert 30 <= delays[0] < 40
        assert 60 <= delays[1] < 80
        assert 120 <= delays[2] < 160
        receiver.status = 200
        assert drain(app).sent == 1
        assert len(receiver.deliveries) == 4
        assert receiver.deliveries[-1].verified
    with app.app_context():
        attempts = list(db.session.scalars(select(DeliveryAttempt).filter_by(endpoint_id=endpoint_id)
                                           .order_by(DeliveryAttempt.id)))
        assert [a.ok for a in attempts] == [False, False, False, True]
        assert [a.status_code for a in attempts] == [503, 503, 503, 200]


def test_a_receiver_not_listening_is_retried_and_gives_up_only_after_the_last_attempt(app, runner, office):
    endpoint_id, _secret = endpoint(app, f"http://127.0.0.1:{closed_port()}/hook")
    with app.app_context():
        file_case(db.session, office.ward)
        db.session.commit()
    with configured(app, OUTBOX_MAX_ATTEMPTS=2):
        assert drain(app).retry == 1
        with app.app_context():
            [message] = messages(endpoint_id)
            assert "URLError" in (message.last_error or "") or "Connection" in (message.last_error or "")
            message.next_attempt_at = datetime.now(UTC)
            db.session.commit()
        assert drain(app).failed == 1
    with app.app_context():
        [message] = messages(endpoint_id)
        assert message.status == "failed", "kept, not lost"
    result = runner.invoke(args=["outbox", "retry"])
    assert "1 failed messages queued again" in result.output
    with app.app_context():
        assert messages(endpoint_id)[0].status == "pending"


def test_a_replayed_delivery_is_refused_by_its_timestamp(app, office):
    with webhook_receiver() as receiver:
        _endpoint_id, receiver.secret = endpoint(app, receiver.url)
        with app.app_context():
            file_case(db.session, office.ward)
            db.session.commit()
        drain(app)
        [original] = receiver.deliveries
        assert original.verified
        receiver.clock_offset = webhooks.TOLERANCE_SECONDS + 60  # the same request, six minutes later
        headers = {"Content-Type": "application/json",
                   webhooks.SIGNATURE_HEADER: original.headers[webhooks.SIGNATURE_HEADER]}
        replay = urllib.request.Request(receiver.url, data=original.body, method="POST",  # noqa: S310
                                        headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(replay, timeout=5)  # noqa: S310 - the local receiver
        assert refused.value.code == 400
        assert receiver.deliveries[-1].verified is False


def test_verify_refuses_a_changed_body_a_wrong_secret_and_a_stale_or_malformed_header():
    body, now = b'{"event":"complaint.created"}', 1_800_000_000
    header = webhooks.signature_header("whsec_a", body, now=now)
    assert webhooks.verify("whsec_a", body, header, now=now + 299)
    assert not webhooks.verify("whsec_a", body + b" ", header, now=now)
    assert not webhooks.verify("whsec_b", body, header, now=now)
    assert not webhooks.verify("whsec_a", body, header, now=now + 301)
    assert not webhooks.verify("whsec_a", body, header, now=now - 301)
    for bad in ("", "t=abc,v1=00", "v1=" + "0" * 64, f"t={now}"):
        assert not webhooks.verify("whsec_a", body, bad, now=now)


def test_notify_checks_the_event_and_reaches_only_its_subscribers(app, app_context):
    every, _ = webhooks.create_endpoint(db.session, None, label="IOC", url="http://127.0.0.1:9/a",
                                        events=["*"])
    complaints_only, _ = webhooks.create_endpoint(db.session, None, label="Một cửa", url="http://127.0.0.1:9/b",
                                                  events=["complaint.created"])
    with pytest.raises(ValueError, match="unknown event"):
        events.notify(db.session, "complaint.deleted", {})
    with pytest.raises(ValueError, match="lacks"):
        events.notify(db.session, "alert.raised", {"unit_code": "X"})
    payload = events.alert_payload(unit_code="CT-P-NGABAY", unit_name="Phường Ngã Bảy", period="2026-07",
                                   measure="satisfaction", before=0.86, after=0.71, n_before=240,
                                   n_after=212, method="cusum")
    event_id = events.notify(db.session, "alert.raised", payload)
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "alert.raised"))
    assert message.endpoint_id == every.id
    assert event_id in message.payload["body"]
    assert '"fall": 0.15' in message.payload["body"]
    assert not messages(complaints_only.id)


def test_a_disabled_endpoint_is_not_called(app, office):
    with webhook_receiver() as receiver:
        endpoint_id, receiver.secret = endpoint(app, receiver.url)
        with app.app_context():
            file_case(db.session, office.ward)
            webhooks.set_active(db.session, None, db.session.get_one(WebhookEndpoint, endpoint_id), False)
            db.session.commit()
        assert drain(app).failed == 1
        assert receiver.deliveries == []


@pytest.mark.slow
def test_two_workers_at_once_deliver_every_message_exactly_once(tmp_path_factory):
    url = scratch_database_url(tmp_path_factory, "outbox")
    with committed_app(url) as app, webhook_receiver() as receiver:
        with app.app_context():
            _row, receiver.secret = webhooks.create_endpoint(db.session, None, label="IOC", url=receiver.url,
                                                            events=["alert.raised"])
            for n in range(40):
                events.notify(db.session, "alert.raised", events.alert_payload(
                    unit_code=f"U{n}", unit_name="Phường", period="2026-07", measure="satisfaction",
                    before=0.9, after=0.8, n_before=100, n_after=100, method="cusum"))
            db.session.commit()

        def work(name: str) -> None:
            with app.app_context():
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    if not outbox.run_once(db.session, app.config, worker=name, limit=5).handled:
                        break
                db.session.remove()

        threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        ids = [d.headers["X-Hailong-Delivery"] for d in receiver.deliveries]
        assert len(ids) == 40
        assert len(set(ids)) == 40
        assert all(d.verified for d in receiver.deliveries)
        with app.app_context():
            assert outbox.counts(db.session) == {"sent": 40}
            db.session.remove()
