"""Checks that the message catalogues are current, English is complete, and Khmer covers every
citizen page (staff pages are not offered in Khmer: :mod:`survey.i18n`).

``python -m tests.check_catalogue`` (run by ``make check``) and the tests in
``tests/survey/test_i18n.py`` share these functions.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "translations" / "messages.pot"
# Where the strings a citizen can see come from: the public blueprint, its templates and the
# macros they import, the page frame and the error pages.
CITIZEN_SOURCES = re.compile(
    r"^(survey/public/|survey/errors\.py|survey/collection/complaints\.py"
    r"|templates/public/|templates/(base|errors|too_many|_languages)\.html"
    r"|templates/casework/_(macros|figures)\.html|templates/reports/_macros\.html)"
)
# Translated for citizens only: every citizen string must have a reviewed, non-fuzzy translation.
CITIZEN_LOCALES = ("km",)


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {_id(m) for m in read_po(handle) if m.id}


def _extract(*options: str) -> Catalog:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(ROOT)
        out = Path(tmp) / "messages.pot"
        CommandLineInterface().run(
            ["pybabel", "-q", "extract", *options, "--omit-header", "-F", "babel.cfg",
             "-k", "_l", "-o", str(out), "survey", "templates"]
        )
        with out.open("rb") as handle:
            return read_po(handle)


def _id(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def fresh_message_ids() -> set[str]:
    return {_id(m) for m in _extract("--no-location") if m.id}


def citizen_message_ids() -> set[str]:
    """The messages extracted from :data:`CITIZEN_SOURCES`."""
    return {_id(m) for m in _extract()
            if m.id and any(CITIZEN_SOURCES.match(place) for place, _line in m.locations)}


def stale_messages() -> tuple[set[str], set[str]]:
    """(in the code but not in messages.pot, in messages.pot but gone from the code)."""
    fresh, committed = fresh_message_ids(), _ids(POT)
    return fresh - committed, committed - fresh


def untranslated(locale: str, among: set[str] | None = None) -> list[str]:
    """Messages of ``locale`` with no translation, or a fuzzy one (only those in ``among``, if given)."""
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    return [
        _id(m)
        for m in catalogue
        if m.id and (among is None or _id(m) in among)
        and (not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string)))
    ]


def main() -> int:
    added, removed = stale_messages()
    missing = untranslated("en")
    for text in sorted(added):
        print(f"not in messages.pot (run `make extract`): {text}")
    for text in sorted(removed):
        print(f"in messages.pot but gone from the code (run `make extract`): {text}")
    for text in missing:
        print(f"no English translation: {text}")
    citizen = citizen_message_ids()
    for locale in CITIZEN_LOCALES:
        gaps = untranslated(locale, citizen)
        missing = missing + gaps
        for text in gaps:
            print(f"citizen message with no {locale} translation (or a fuzzy one): {text}")
    return 1 if added or removed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
