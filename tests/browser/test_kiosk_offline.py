"""The kiosk keeps accepting answers with the network down, and sends them when it returns."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import worker_controls
from tests.browser.test_kiosk_browser import answer_survey, wait_for_count

pytestmark = pytest.mark.browser


def test_answers_given_offline_survive_a_reload_and_are_sent_once_back_online(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    worker_controls(page)  # it has cached the kiosk page, its assets and its later steps
    page.context.set_offline(True)
    for n in range(5):
        answer_survey(page, [1 + n, 4, 4, 5, 5, 3], comment=f"Ngoại tuyến {n}")
        page.get_by_role("button", name="Gửi ý kiến").click()
        expect(page.locator("#thanks")).to_be_visible()
        expect(page.locator(".error, [role=alert]")).to_have_count(0)
        expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    assert live_server.count_responses(kiosk_id=kiosk_id) == 0
    page.reload()  # the tablet restarts while still offline: the page comes from the cache
    expect(page.locator("#attract")).to_be_visible()
    queued = page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open("kiosk", 1);
        open.onsuccess = () => {
            const request = open.result.transaction("outbox").objectStore("outbox").count();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
        };
        open.onerror = () => reject(open.error);
    })""")
    assert queued == 5
    back_online = datetime.now(UTC)
    page.context.set_offline(False)
    assert wait_for_count(live_server, 5, timeout=30, kiosk_id=kiosk_id) == 5
    page.reload()  # a flush on load resends nothing: every key is already stored or dropped
    page.wait_for_timeout(1500)
    stored = live_server.stored(kiosk_id=kiosk_id)
    assert len(stored) == 5
    assert sorted(r.comment for r in stored) == [f"Ngoại tuyến {n}" for n in range(5)]
    assert sorted(r.overall for r in stored) == [1, 2, 3, 4, 5]
    # Dated when they were given, by the tablet's clock, not when the network came back.
    assert all(r.submitted_at < back_online for r in stored), [r.submitted_at for r in stored]


def test_a_long_outage_shows_the_desk_its_waiting_answers_and_the_list_its_count(live_server, kiosk_page):
    """KIOSK_OUTBOX_WARN_SECONDS is 2 here: an answer kept longer shows the officer a mark."""
    page, kiosk_id = kiosk_page
    mark = page.locator("#waiting")
    expect(mark).to_be_hidden()
    worker_controls(page)  # the later steps, fetched at the first tap, come from its cache
    page.context.set_offline(True)
    for n in range(2):
        answer_survey(page, [5, 4, 4, 5, 5, 4], comment=f"Mất mạng {n}")
        page.get_by_role("button", name="Gửi ý kiến").click()
        expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    page.wait_for_timeout(2500)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # a flush attempt, still offline
    expect(mark).to_be_visible(timeout=20_000)
    expect(mark).to_have_text("Chờ gửi: 2 câu trả lời")
    page.context.set_offline(False)
    assert wait_for_count(live_server, 2, timeout=30, kiosk_id=kiosk_id) == 2
    expect(mark).to_be_hidden(timeout=20_000)
    with live_server.app.app_context():
        from survey.extensions import db
        from survey.models import Kiosk
        try:
            kiosk = db.session.get(Kiosk, kiosk_id)
            assert kiosk.outbox_waiting == 0
            assert kiosk.last_seen_at is not None
        finally:
            db.session.remove()


def test_an_answer_refused_for_a_stale_token_is_resent_and_stored_once(live_server,
                                                                       kiosk_without_worker):
    page, kiosk_id = kiosk_without_worker
    spoiled = []

    def stale_once(route, request):
        if request.method == "POST" and not spoiled:
            spoiled.append(request.post_data)
            body = re.sub(r"csrf_token=[^&]*", "csrf_token=stale", request.post_data or "")
            route.continue_(post_data=body)
        else:
            route.continue_()

    only_the_form = re.compile(r".*/kiosk$")
    page.route(only_the_form, stale_once)
    answer_survey(page, [4, 4, 4, 5, 5, 4], comment="Mã cũ")
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    for _ in range(50):
        if spoiled:
            break
        page.wait_for_timeout(100)
    assert spoiled
    assert live_server.count_responses(kiosk_id=kiosk_id) == 0
    page.unroute(only_the_form)  # (a sync route handler would only run while Playwright is called)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # the next flush
    assert wait_for_count(live_server, 1, timeout=30, kiosk_id=kiosk_id) == 1
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1500)
    assert live_server.count_responses(kiosk_id=kiosk_id) == 1
