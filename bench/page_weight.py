"""Page weight of the citizen pages: every byte the kiosk question page and the phone survey page
transfer, gzipped (level 6), as a browser would fetch them: the HTML, then each linked stylesheet,
script, image and icon, in Vietnamese and in Khmer. Budget: ≤ 8 KB per page, and no web fonts (a
phone draws Khmer with its own font: Android ships Noto Sans Khmer).

What a page loads only at the citizen's first tap (``data-steps``: the kiosk's later steps, an
HTML fragment; ``data-script``: the dossier step's script, named in that fragment) is listed
after the total, outside it: the first screen does not wait for it. The kiosk's service worker
caches them with the page for offline use. The kiosk is weighed first with no procedures in the
database (no service step), then with its unit's procedures in five sectors (the service step).

Usage: ``.venv/bin/python bench/page_weight.py``. Builds a throwaway SQLite database, serves the app
on a free loopback port, enrols a kiosk through the real enrolment form, and exits 1 if over budget.
"""

from __future__ import annotations

import gzip
import logging
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET = 8 * 1024
LOCALES = ("vi", "km")
FONT = re.compile(r"\.(woff2?|ttf|otf|eot)\b|@font-face", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


# The sectors of a ward's busiest desk (the demo's Phường Ninh Kiều).
DESK_SECTORS = (("civil_status", "Hộ tịch"), ("land", "Đất đai"), ("construction", "Xây dựng"),
                ("justice", "Tư pháp"), ("business_registration", "Đăng ký doanh nghiệp"),
                ("labour", "Lao động"))


def prepare_database(url: str) -> tuple[str, str]:
    """Migrate ``url``, publish the instruments, add one unit, service point and kiosk, and no
    procedure yet (``add_procedures``).

    Returns the kiosk's one-time enrolment code and a signed phone-survey token.
    """
    from flask_migrate import upgrade

    from survey import create_app
    from survey.collection import instruments, kiosks
    from survey.collection.signing import SurveyPayload, sign_payload
    from survey.extensions import db
    from survey.models import ServicePoint, Unit

    app = create_app({"ENV": "development", "DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    with app.app_context():
        upgrade()
        instruments.load_built_in(db.session)
        unit = Unit(code="BENCH", name="Phường Đo Thử", level="commune")
        point = ServicePoint(code="BENCH-1", name="Bộ phận một cửa", unit=unit)
        db.session.add_all([unit, point])
        _kiosk, code = kiosks.create_kiosk(db.session, None, point, label="Quầy đo thử")
        token = sign_payload(SurveyPayload(instrument="sipas-full", unit="BENCH", service_point="BENCH-1"))
        db.session.commit()
        db.engine.dispose()
    return code, token


def add_procedures(url: str) -> None:
    """Give the kiosk's unit procedures in five sectors, as a ward's one-stop desk has, so the
    kiosk page carries its service step with the most choices it can show (``desks.CHOICES_MAX``)."""
    from sqlalchemy import select

    from survey import create_app
    from survey.collection.desks import CHOICES_MAX
    from survey.extensions import db
    from survey.models import Procedure, Sector, Unit

    app = create_app({"ENV": "development", "DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    with app.app_context():
        unit = db.session.scalars(select(Unit).filter_by(code="BENCH")).one()
        for index, (code, name) in enumerate(DESK_SECTORS[:CHOICES_MAX]):
            db.session.add(Procedure(code=f"BENCH.{index}", name=f"Thủ tục {name.lower()}",
                                     sector=Sector(code=code, name=name), unit=unit))
        db.session.commit()
        db.engine.dispose()


class Links(HTMLParser):
    """Every resource an HTML page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.deferred: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") in ("stylesheet", "icon", "preload", "manifest"):
            self.urls.append(values.get("href") or "")
        elif tag in ("script", "img", "source", "audio", "video") and values.get("src"):
            self.urls.append(values["src"] or "")
        elif values.get("data-worker"):  # the kiosk's service worker, fetched when it registers
            self.urls.append(values["data-worker"] or "")
        for name in ("data-steps", "data-script"):  # loaded at the first tap
            if values.get(name):
                self.deferred.append(values[name] or "")
        if tag == "use" and (values.get("href") or "").split("#")[0]:
            self.urls.append((values.get("href") or "").split("#")[0])


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def weigh(http: requests.Session, url: str) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """(resource, raw bytes, gzipped bytes) for the page and everything it links, recursively for
    CSS; then the same for the scripts it loads at the first tap."""
    page = http.get(url, timeout=10)
    page.raise_for_status()
    origin = "/".join(url.split("/", 3)[:3])
    path = re.sub(r"^/s/[^?]*", "/s/<signed token>", url.removeprefix(origin))
    rows = [(f"{path} (HTML)", len(page.content), gzipped(page.content))]
    parser = Links()
    parser.feed(page.text)
    queue, seen = [urljoin(url, u) for u in parser.urls if u], set()
    while queue:
        resource = queue.pop(0)
        if resource in seen or resource.startswith("data:"):
            continue
        seen.add(resource)
        body = http.get(resource, timeout=10)
        body.raise_for_status()
        if FONT.search(resource) or FONT.search(body.text if "css" in body.headers["Content-Type"] else ""):
            raise SystemExit(f"web font found: {resource}")
        rows.append((resource.removeprefix(origin), len(body.content), gzipped(body.content)))
        if "css" in body.headers["Content-Type"]:
            queue += [urljoin(resource, u) for u in CSS_URL.findall(body.text) if not u.startswith("data:")]
    later, deferred = [], [urljoin(url, u) for u in parser.deferred]
    while deferred:
        resource = deferred.pop(0)
        body = http.get(resource, timeout=10)
        body.raise_for_status()
        later.append((resource.removeprefix(origin), len(body.content), gzipped(body.content)))
        if "html" in body.headers["Content-Type"]:  # the later steps name the dossier step's script
            fragment = Links()
            fragment.feed(body.text)
            deferred += [urljoin(resource, u) for u in fragment.deferred]
    return rows, later


@contextmanager
def serve(url: str) -> Iterator[str]:
    from survey import create_app

    app = create_app({"ENV": "development", "DATABASE_URL": url, "SECRET_KEY": "bench-secret",
                      "RATELIMIT_ENABLED": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def enrol(http: requests.Session, base: str, code: str) -> None:
    form = http.get(f"{base}/kiosk/enrol", timeout=10).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    if not csrf:
        raise SystemExit("no CSRF token on the enrolment page")
    done = http.post(f"{base}/kiosk/enrol", data={"code": code, "csrf_token": csrf.group(1)}, timeout=10)
    if not done.url.endswith("/kiosk") or 'id="attract"' not in done.text:
        raise SystemExit("kiosk enrolment failed")


def main() -> int:
    logging.disable(logging.INFO)  # the migration's and the server's chatter
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        code, token = prepare_database(url)
        with serve(url) as base:
            kiosk = requests.Session()
            enrol(kiosk, base, code)
            bare = {locale: weigh(kiosk, f"{base}/kiosk?lang={locale}") for locale in LOCALES}
            add_procedures(url)
            pages = {}
            for locale in LOCALES:
                pages[f"kiosk question page ({locale})"] = weigh(kiosk, f"{base}/kiosk?lang={locale}")
                pages[f"kiosk question page ({locale}), no service step"] = bare[locale]
                pages[f"phone survey page ({locale})"] = weigh(requests.Session(),
                                                               f"{base}/s/{token}?lang={locale}")
    over = False
    for name, (rows, later) in pages.items():
        total = sum(g for _r, _raw, g in rows)
        print(f"\n{name}")
        for resource, raw, packed in rows:
            print(f"  {resource:<40} {raw:>7,} B raw  {packed:>6,} B gzipped")
        verdict = "within" if total <= BUDGET else "OVER"
        print(f"  {'total':<40} {sum(r for _n, r, _g in rows):>7,} B raw  {total:>6,} B gzipped"
              f"  ({total / 1024:.1f} KB; budget {BUDGET // 1024} KB: {verdict})")
        for resource, raw, packed in later:
            print(f"  {resource:<40} {raw:>7,} B raw  {packed:>6,} B gzipped  (at the first tap)")
        over |= total > BUDGET
    print("\nweb fonts: none. On its first load the kiosk's service worker also caches its page, CSS, JS"
          " and later steps.")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
