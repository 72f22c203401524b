"""The pages serve the minified static files, and those are the minified sources.

That the minified kiosk script works is what the Chromium kiosk tests prove: the page links it.
"""

from __future__ import annotations

from tests import check_assets


def test_every_minified_file_is_the_minified_source() -> None:
    assert check_assets.stale() == [], "run `make assets`"


def test_pages_link_the_minified_files(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "/static/survey.min.css" in page
    assert "/static/survey.css" not in page
    kiosk_page = (check_assets.STATIC.parent.parent / "templates" / "public" / "kiosk.html").read_text()
    assert "kiosk.min.js" in kiosk_page
