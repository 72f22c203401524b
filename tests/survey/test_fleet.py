"""Fleet commands and short poster links: `kiosks issue-codes`, `qr export`, ``/q/<code>``."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select, text

from survey.collection import qrcodes
from survey.extensions import db
from survey.models import AuditEntry, Kiosk, QrCode, ServicePoint
from tests import factories
from tests.helpers import login_as, make_app, reset_database, scratch_database_url

BASE = "https://hailong.example.gov.vn"


def desks(app, n: int = 2) -> list[str]:
    with app.app_context():
        unit = factories.make_unit(db.session)
        codes = [factories.make_service_point(db.session, unit).code for _ in range(n)]
        db.session.commit()
    return codes


def test_issue_codes_makes_kiosks_at_each_desk_with_codes_that_enrol_once(app, runner, client):
    first, second = desks(app)
    result = runner.invoke(args=["kiosks", "issue-codes", "--point", first, "--point", second,
                                 "--count", "3", "--base", BASE])
    assert result.exit_code == 0, result.output
    links = re.findall(rf"{BASE}/kiosk/enrol\?code=([A-Z0-9]+)", result.output)
    assert len(links) == 6
    assert len(set(links)) == 6
    with app.app_context():
        for code in (first, second):
            point = db.session.scalar(select(ServicePoint).filter_by(code=code))
            labels = sorted(k.label for k in db.session.scalars(select(Kiosk).filter_by(service_point=point)))
            assert labels == ["Máy 1", "Máy 2", "Máy 3"]
        audited = db.session.scalar(
            select(func.count()).select_from(AuditEntry).filter_by(action="kiosk.create"))
        assert audited >= 6
    assert client.post("/kiosk/enrol", data={"code": links[0]}).status_code == 302
    assert client.get("/kiosk").status_code == 200
    again = app.test_client().post("/kiosk/enrol", data={"code": links[0]})
    assert again.status_code == 200  # used: the form again, with its error


def test_issue_codes_as_csv_for_a_mail_merge(app, runner):
    [point] = desks(app, 1)
    result = runner.invoke(args=["kiosks", "issue-codes", "--point", point, "--count", "2", "--base", BASE,
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["label"] for r in rows] == ["Máy 1", "Máy 2"]
    assert all(r["link"] == f"{BASE}/kiosk/enrol?code={r['code']}" for r in rows)


@pytest.mark.parametrize(("args", "says"), [
    (["--point", "NO-SUCH-DESK"], "no service point with code 'NO-SUCH-DESK'"),
    (["--count", "0"], "Số máy phải từ 1 đến 200"),
    (["--base", "hailong.cantho.gov.vn"], "give --base https://"),
])
def test_issue_codes_refuses_clearly_and_makes_nothing(app, runner, args, says):
    [point] = desks(app, 1)
    base = [] if "--base" in args else ["--base", BASE]
    result = runner.invoke(args=["kiosks", "issue-codes", "--point", point, *base, *args])
    assert result.exit_code == 2
    assert says in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Kiosk).join(ServicePoint)
                                 .where(ServicePoint.code == point)) == 0


def make_posters(app) -> tuple[str, list[str], str]:
    """A unit with a unit-wide code, a desk code and a revoked one: (unit code, live short codes, revoked)."""
    with app.app_context():
        unit = factories.make_unit(db.session)
        point = factories.make_service_point(db.session, unit)
        whole = qrcodes.issue_qr_code(db.session, None, unit=unit)
        desk = qrcodes.issue_qr_code(db.session, None, unit=unit, service_point=point)
        gone = qrcodes.issue_qr_code(db.session, None, unit=unit, service_point=point)
        qrcodes.revoke_qr_code(db.session, None, gone)
        db.session.commit()
        return unit.code, [whole.short_code, desk.short_code], gone.short_code


def test_qr_export_prints_each_live_poster_short_link(app, runner, client):
    unit, live, revoked = make_posters(app)
    result = runner.invoke(args=["qr", "export", "--unit", unit, "--base", BASE, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["short_link"] for r in rows] == [f"{BASE}/q/{code}" for code in live]
    assert revoked not in result.stdout
    for row in rows:
        assert row["survey_link"].startswith(f"{BASE}/s/")
        path = row["short_link"].removeprefix(BASE)
        redirect = client.get(path)
        assert redirect.status_code == 302
        assert redirect.headers["Location"].endswith(row["survey_link"].removeprefix(BASE))
        assert client.get(row["survey_link"].removeprefix(BASE)).status_code == 200
    text_output = runner.invoke(args=["qr", "export", "--unit", unit, "--base", BASE]).output
    assert f"hailong.example.gov.vn/q/{live[0]}" in text_output


def test_a_short_link_forgives_case_and_dashes_and_refuses_unknown_or_revoked(app, client):
    _unit, [code, _desk], revoked = make_posters(app)
    assert client.get(f"/q/{code.lower()[:3]}-{code.lower()[3:]}").status_code == 302
    unknown = client.get("/q/ZZZZZZZ")
    assert unknown.status_code == 404
    assert "Không có mã khảo sát ZZZZZZZ" in unknown.get_data(as_text=True)
    assert client.get(f"/q/{revoked}").status_code == 410
    assert client.get("/q/" + "A" * 40).status_code == 404


def test_a_short_link_sent_in_khmer_opens_the_survey_in_khmer(app, client):
    _unit, [code, _desk], _revoked = make_posters(app)
    # As a phone that keeps no cookie from the redirect: the language travels in the link.
    phone = app.test_client(use_cookies=False)
    survey = phone.get(phone.get(f"/q/{code}?lang=km").headers["Location"])
    assert survey.status_code == 200
    assert '<html lang="km"' in survey.get_data(as_text=True)
    assert "lang=" not in client.get(f"/q/{code}?lang=xx").headers["Location"]


def test_the_poster_prints_its_short_link_under_the_qr(app, client):
    _unit, [_whole, desk], _revoked = make_posters(app)
    with app.app_context():
        qr = db.session.scalar(select(QrCode).filter_by(short_code=desk))
        qr_id, unit_id = qr.id, qr.unit_id
    login_as(app, client, "unit_manager", unit_id)
    page = client.get(f"/admin/qr/{qr_id}/poster").get_data(as_text=True)
    assert re.search(rf'class="poster-link">[^<]*<strong>localhost/q/{desk}</strong>', page)
    listing = client.get("/admin/qr").get_data(as_text=True)
    assert f"/q/{desk}" in listing


def test_the_migration_gives_existing_qr_codes_a_short_code_each(tmp_path_factory):
    from flask_migrate import downgrade, upgrade

    app = make_app(scratch_database_url(tmp_path_factory, "shortcodes"))
    reset_database(app)
    with app.app_context():
        downgrade(revision="0002_reporting")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO unit (code, name, level, jurisdiction, valid_from) "
                "VALUES ('U-OLD', 'Phường cũ', 'commune', 'can_tho', '2025-07-01')"))
            unit_id = connection.execute(text("SELECT id FROM unit WHERE code = 'U-OLD'")).scalar()
            for _ in range(3):
                connection.execute(text("INSERT INTO qr_code (instrument_key, unit_id, created_at) "
                                        "VALUES ('sipas-full', :u, CURRENT_TIMESTAMP)"), {"u": unit_id})
        upgrade()
        with db.engine.connect() as connection:
            codes = [c for (c,) in connection.execute(text("SELECT short_code FROM qr_code"))]
        db.engine.dispose()
    assert len(codes) == 3
    assert len(set(codes)) == 3
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{7}", code) for code in codes)
