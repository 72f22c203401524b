"""Checks that the message catalogues are current and English is complete.

``python -m tests.check_catalogue`` (run by ``make check``) and the tests in
``tests/survey/test_i18n.py`` share these functions.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "translations" / "messages.pot"


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def fresh_message_ids() -> set[str]:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(ROOT)
        out = Path(tmp) / "messages.pot"
        CommandLineInterface().run(
            ["pybabel", "-q", "extract", "--no-location", "--omit-header", "-F", "babel.cfg",
             "-k", "_l", "-o", str(out), "survey", "templates"]
        )
        return _ids(out)


def stale_messages() -> tuple[set[str], set[str]]:
    """(in the code but not in messages.pot, in messages.pot but gone from the code)."""
    fresh, committed = fresh_message_ids(), _ids(POT)
    return fresh - committed, committed - fresh


def untranslated(locale: str) -> list[str]:
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    return [
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalogue
        if m.id and (not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string)))
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
    return 1 if added or removed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
