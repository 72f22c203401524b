"""Every page renders for the demo data: no 5xx and no traceback, for every role, unit and period.

The malformed-request fuzzers cannot find a crash that needs ordinary data at an edge, such as a
small department at 100 % in a good month. So this crawl seeds the demo exactly as ``make run``
does (one database, shared by the module) and renders in-process, as the administrator, the demo
unit manager and the demo viewer:

- every staff page without arguments, and every object page the role may open;
- for every unit the role may see and every month and quarter in which its roll-up has data (and
  one period in which it has none, for the empty page): the agency dashboard, its print view and
  its XLSX, CSV and JSON downloads;
- for the administrator, the province view and its downloads for every such period;
- anonymously, the public results page for every period.

The work is shared out among forked workers, one per core (the database is only read). A unit's
pages for a period are one task, read in one app context, so that the reporting reads of its
first page (:mod:`survey.reporting.cache`) serve the others: the report is built once for the
role, unit and period, and each format still renders it. The costliest tasks (the province
view, the sector pages) are handed out first, so that no worker is left alone with one at the end.

Under TESTING the app re-raises unexpected exceptions, so a crash fails here with its traceback.
Every HTML page is also read as a Vietnamese civil servant would: no internal code (a target's
object, a level, an audit action, a role, a status, a sector group's code), no ``None`` and no
``\\u`` escape may reach it.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey import demo, labels
from survey.administration import access
from survey.administration.units import UnitTree
from survey.extensions import db
from survey.models import Instrument, Kiosk, QrCode, Response, ServicePoint, Target, Unit, User
from survey.periods import LOCAL, Period, parse_period, series, today
from tests.helpers import make_app, reset_database, scratch_database_url

pytestmark = pytest.mark.slow
DOWNLOADS = ("xlsx", "csv", "json")
UNIT_PAGES = ("/unit/", "/unit/report/print", *(f"/unit/report.{f}" for f in DOWNLOADS))
PROVINCE_PAGES = ("/admin/province", "/admin/province/ranking",
                  *(f"/admin/province/report.{f}" for f in DOWNLOADS))
INTERNAL = sorted({
    *labels.VOCABULARIES["target_object"], *labels.VOCABULARIES["action"], "department", "commune",
    "unit_manager", "unit_viewer", "in_progress", "transferred", "phan_anh", "kien_nghi",
    "land+construction+investment", "None", "True", "False", "null",
})
CODE = re.compile(r"(?<![\w.+@-])(" + "|".join(re.escape(c) for c in INTERNAL) + r")(?![\w.+@-])")
# What a reader is meant to type (a CSV column, a code) is marked up as <code> and may show codes.
MARKUP = re.compile(r"<(script|style|code)\b.*?</\1>|<[^>]+>", re.S)


def codes_shown(body: str) -> list[str]:
    """Internal codes in the text a reader sees (tags, scripts, styles and <code> taken out)."""
    return sorted(set(CODE.findall(html.unescape(MARKUP.sub(" ", body)))))


@dataclass(frozen=True)
class Demo:
    app: Flask
    periods: list[Period]
    days: dict[int, set[date]]  # unit id → the local days with answers of its own


def with_data(seeded: Demo, tree: UnitTree, unit_id: int) -> list[Period]:
    """The periods in which the unit's roll-up has answers, and the first one in which it has none."""
    days = set().union(*(seeded.days.get(i, set()) for i in tree.rollup(unit_id)))
    full = [p for p in seeded.periods if any(p.start <= d <= p.end for d in days)]
    empty = [p for p in seeded.periods if p not in full]
    return full + empty[:1]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    app = make_app(scratch_database_url(tmp_path_factory, "crawl"))
    reset_database(app)
    with app.app_context():
        demo.seed(db.session)  # as `make run` seeds it
        db.session.commit()
        first = db.session.scalar(select(func.min(Response.submitted_at)))
        days: dict[int, set[date]] = {}
        for unit_id, moment in db.session.execute(select(Response.unit_id, Response.submitted_at)):
            aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            days.setdefault(unit_id, set()).add(aware.astimezone(LOCAL).date())
    assert first is not None
    end = today()
    months = [p for p in series(parse_period(f"{end.year}-{end.month:02d}"), 48) if p.end >= first.date()]
    quarters = [p for p in series(parse_period(f"{end.year}-Q{(end.month - 1) // 3 + 1}"), 16)
                if p.end >= first.date()]
    yield Demo(app, months + quarters, days)
    with app.app_context():
        db.engine.dispose()


# The crawl is split over the machine's cores: the database is only read, so each forked worker
# renders its tasks on its own connections. A task is one unit and period (its pages share one
# built report), handed out as workers free up: a city's roll-up costs many wards' pages.
WORKERS = max(1, min(4, len(os.sched_getaffinity(0))))
_crawled: Flask | None = None
_clients: dict[str, FlaskClient] = {}


def crawl_task(app: Flask, client: FlaskClient, paths: list[str]) -> list[str]:
    """``check`` a task's paths in one app context, where their reporting reads are shared."""
    failures: list[str] = []
    with app.app_context():
        for path in paths:
            check(client, path, failures)
    return failures


def _in_worker(email: str, paths: list[str]) -> list[str]:
    assert _crawled is not None
    if email not in _clients:  # one signed-in client per worker and role
        _clients[email] = login(_crawled, email)
    return crawl_task(_crawled, _clients[email], paths)


def crawl_in_parallel(app: Flask, email: str, tasks: list[list[str]]) -> list[str]:
    """Every task's failures, from forked workers (in this process when there is one core)."""
    global _crawled
    if WORKERS == 1:
        client = login(app, email)
        return [failure for task in tasks for failure in crawl_task(app, client, task)]
    # The first task is read here, before the fork: the workers inherit its compiled templates
    # and the libraries it imported (scipy takes a second or two), instead of each paying again.
    first = crawl_task(app, login(app, email), tasks[0]) if tasks else []
    with app.app_context():
        db.engine.dispose()  # no connection crosses the fork
    _crawled = app
    try:
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            found = pool.starmap(_in_worker, [(email, task) for task in tasks[1:]], chunksize=2)
            return first + [failure for failures in found for failure in failures]
    finally:
        _crawled = None


def login(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=email))
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def check(client: FlaskClient, path: str, failures: list[str]) -> int:
    response = client.get(path)
    body = response.get_data()
    if response.status_code >= 500 or b"Traceback" in body:
        failures.append(f"{response.status_code} {path}")
    if response.mimetype == "text/html":
        text = body.decode()
        if "\\u" in text:
            failures.append(f"\\u escape on {path}")
        if shown := codes_shown(text):
            failures.append(f"internal codes {shown} on {path}")
    return response.status_code


def object_pages(app: Flask, user: User) -> list[str]:
    """The GET page of every object the user may open (points, QR posters, units, users …)."""
    visible = access.visible_unit_ids(db.session, user)

    def mine(unit_id: int) -> bool:
        return visible is None or unit_id in visible

    points = db.session.scalars(select(ServicePoint)).all()
    paths = [url_for("admin.point_edit", point_id=p.id) for p in points if mine(p.unit_id)]
    paths += [url_for("admin.qr_poster", qr_id=q.id) for q in db.session.scalars(select(QrCode))
              if mine(q.unit_id) and q.revoked_at is None]
    paths += [url_for("admin.qr_sheet", unit_id=u.id) for u in db.session.scalars(select(Unit)) if mine(u.id)]
    if user.is_admin:
        paths += [url_for("admin.unit_edit", unit_id=u.id) for u in db.session.scalars(select(Unit))]
        paths += [url_for("admin.user_edit", user_id=u.id) for u in db.session.scalars(select(User))]
        paths += [url_for("admin.target_edit", target_id=t.id) for t in db.session.scalars(select(Target))]
        paths += [url_for("admin.instrument_preview", instrument_id=i.id)
                  for i in db.session.scalars(select(Instrument))]
    assert db.session.scalar(select(func.count()).select_from(Kiosk))
    return paths


def static_pages(app: Flask) -> list[str]:
    """Every staff GET route that takes no argument."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith(("admin.", "unit.")) and "GET" in (rule.methods or ())
                  and not rule.arguments)


@pytest.mark.parametrize("email", [email for email, *_rest in demo.DEMO_USERS])
def test_every_staff_page_and_download_renders_for_every_unit_and_period(seeded: Demo, email: str) -> None:
    app, failures = seeded.app, []
    with app.test_request_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        assert user is not None
        tree = access.tree(db.session)
        units = {u.code: with_data(seeded, tree, u.id) for u in tree.units.values()
                 if access.can_view(db.session, user, u)}
        pages = static_pages(app) + object_pages(app, user)
        admin = user.is_admin
        sector = access.visible_sector(user, user.sector)
    assert units or sector, f"{email} sees no unit"
    # One task per unit and period; the province view's pages for a period are one task too, and
    # the other pages go eight to a task.
    tasks: list[list[str]] = []
    if admin:
        tasks += [[f"{path}?period={period.label}" for path in PROVINCE_PAGES]
                  for period in seeded.periods]
        tasks += [[f"/unit/sector?sector={code}&period={period.label}"] for code in ("health", "education")
                  for period in seeded.periods]
    if sector:  # a sector department: its sector's page for every period, and nothing else
        tasks += [[f"/unit/sector?period={period.label}"] for period in seeded.periods]
    tasks += [pages[i:i + 8] for i in range(0, len(pages), 8)]
    tasks += [[path + f"?unit={code}&period={period.label}" for path in UNIT_PAGES]
              for code, periods in units.items() for period in periods]
    failures += crawl_in_parallel(app, email, tasks)
    assert not failures, "\n".join(failures)


def test_every_public_page_renders_for_every_period(seeded: Demo) -> None:
    client, failures = seeded.app.test_client(), []
    for path in ("/", "/results", *(f"/results?period={p.label}" for p in seeded.periods)):
        assert check(client, path, failures) < 500
    assert not failures, "\n".join(failures)


def test_the_reading_check_finds_codes_and_only_codes() -> None:
    assert codes_shown("<td>agency_service</td><td title='department'>Sở</td>") == ["agency_service"]
    assert codes_shown("<p>admin@sonoivu.cantho.gov.vn · complaint.reply · Nonez</p>") == ["complaint.reply"]
    assert codes_shown("<p>Xã, phường <code>commune</code></p><script>var x = null;</script>") == []


def test_the_request_that_crashed_renders(seeded: Demo) -> None:
    """A small department whose baseline months were all satisfied (issue: a 500 on this page)."""
    client = login(seeded.app, demo.DEMO_USERS[0][0])
    for code in ("CT-STP", "CT-SKHCN"):
        assert client.get(f"/unit/?unit={code}&period=2026-11").status_code == 200
