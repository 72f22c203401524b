"""The kiosk's new steps in Chromium: a desk session pushed through the API, the idle rule at the
comment step, and the previous-question button."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.administration import api_tokens as tokens
from survey.extensions import db
from survey.models import Complaint, Kiosk, Procedure
from tests import factories
from tests.browser.test_kiosk_browser import answer_survey, skip_dossier, start, tap_face, wait_for_count

pytestmark = pytest.mark.browser


def push_session(live_server, kiosk_id: int) -> tuple[int, str]:
    """The one-stop software tells the kiosk's desk of a dossier; returns the procedure (id, name)."""
    app = live_server.app
    with app.app_context():
        try:
            point = db.session.get_one(Kiosk, kiosk_id).service_point
            procedure = factories.make_procedure(db.session, "land")
            _token, secret = tokens.issue_token(db.session, point.unit, label="một cửa")
            db.session.commit()
            code, found = point.code, (procedure.id, procedure.code, procedure.name)
        finally:
            db.session.remove()
    response = app.test_client().post(
        f"/api/v1/desks/{code}/sessions", headers={"Authorization": f"Bearer {secret}"},
        json={"dossier_code": f"HS-{kiosk_id}-{time.time_ns()}", "procedure_code": found[1]})
    assert response.status_code == 201, response.get_json()
    return found[0], found[2]


def test_a_desk_session_pushed_by_the_api_greets_on_the_kiosk_and_its_answer_carries_it(
        live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    procedure_id, name = push_session(live_server, kiosk_id)
    expect(page.locator("#greeting")).to_contain_text(name, timeout=5_000)  # polled every 2 s
    page.locator("#start").click()
    expect(page.locator(".step.current")).to_have_attribute("data-item", "overall")  # no service step
    answer_survey_from_first = [5, 4, 4, 5, 5, 4]
    for value in answer_survey_from_first:
        tap_face(page, value)
    page.locator(".step.current").get_by_role("button", name="Không trả lời").click()
    page.get_by_role("button", name="Gửi ý kiến").click()
    assert wait_for_count(live_server, 1, kiosk_id=kiosk_id) == 1
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    with live_server.app.app_context():
        sector = db.session.get_one(Procedure, procedure_id).sector_id
        db.session.remove()
    assert (stored.procedure_id, stored.sector_id) == (procedure_id, sector)
    assert stored.dossier_hash
    assert not stored.partial
    expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    expect(page.locator("#greeting")).to_be_hidden()  # answered: the next citizen is not greeted


def test_idle_at_the_comment_step_records_the_answers_marked_partial(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    answer_survey(page, [4, 5, 3, 4, 4, 5])
    # The citizen walks away at the optional comment: nothing is lost (idle is 2 s in tests).
    expect(page.locator("#attract")).to_be_visible(timeout=6_000)
    assert wait_for_count(live_server, 1, kiosk_id=kiosk_id) == 1
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    assert stored.partial
    assert stored.overall == 4
    assert stored.respondent_type == "organisation"
    assert len(stored.answers) == 6


def test_the_previous_question_button_fixes_a_wrong_tap(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    start(page)
    size, color = page.locator(".step.current .count").evaluate(
        "e => [parseFloat(getComputedStyle(e).fontSize), getComputedStyle(e).color]")
    assert size >= 16, "the 'Câu 1/6' counter is legible"
    assert color == "rgb(27, 31, 36)"  # the text colour, not the grey (contrast 16:1 on the page)
    tap_face(page, 1)
    page.locator(".step.current").get_by_role("button", name="‹ Câu trước").click()
    expect(page.locator(".step.current")).to_have_attribute("data-item", "overall")
    tap_face(page, 5)
    for value in [4, 4, 4, 4, 4]:
        tap_face(page, value)
    skip_dossier(page)  # no "what went wrong" before it: 5 now
    expect(page.locator(".step.current.respondent")).to_be_visible()
    page.locator(".step.current").get_by_role("button", name="Không trả lời").click()
    page.get_by_role("button", name="Gửi ý kiến").click()
    assert wait_for_count(live_server, 1, kiosk_id=kiosk_id) == 1
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    assert stored.overall == 5
    assert not stored.partial


def test_a_comment_filed_as_a_complaint_shows_its_reference_on_the_thanks_screen(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    answer_survey(page, [2, 3, 3, 3, 3, 3])
    page.locator("#comment").fill("Phải chờ quá lâu ở quầy")
    page.locator("#complaint").check()
    page.get_by_label("Số điện thoại để nhận trả lời (không bắt buộc)").fill("0912 345 678")
    page.get_by_text("Tôi đồng ý để cơ quan dùng số này").click()
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("#ref")).to_contain_text("Mã phản ánh của Ông/Bà: ")
    ref = page.locator("#ref").inner_text().split(": ", 1)[1].split(".", 1)[0]
    with live_server.app.app_context():
        case = db.session.scalars(select(Complaint).filter_by(ref=ref)).one()
        assert case.text == "Phải chờ quá lâu ở quầy"
        assert case.contact is not None
        db.session.remove()
    assert wait_for_count(live_server, 1, kiosk_id=kiosk_id) == 1
