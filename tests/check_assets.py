"""The kiosk's and every page's static files, minified: ``*.min.js`` and ``*.min.css`` beside the source.

The kiosk question page must stay under 8 KB gzipped on a cheap tablet over a weak line
(``bench/page_weight.py``), and comments and indentation were a third of its script. The pages
link the minified files; the sources stay readable. calmjs.parse (a full ES5 parser, PyPI) prints
the scripts minified with their local names shortened, which gzip cannot do (12 % of the kiosk
script); rcssmin (the minifier behind webassets) does the style sheets; nothing is hand-rolled.
The scripts are therefore ES5, as they were written.

``python -m tests.check_assets`` (run by ``make check`` and ``tests/survey/test_assets.py``) fails
when a minified file is not the minified source; ``make assets`` (``--write``) rewrites them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import rcssmin
from calmjs.parse import es5
from calmjs.parse.unparsers.es5 import minify_print

STATIC = Path(__file__).resolve().parent.parent / "survey" / "static"
SOURCES = ("kiosk.js", "kiosk-dossier.js", "sw.js", "survey.css", "site.css")


def minified(name: str) -> tuple[Path, str]:
    """The minified file's path and what it must hold."""
    source = (STATIC / name).read_text(encoding="utf-8")
    stem, suffix = name.rsplit(".", 1)
    if suffix == "js":
        text = minify_print(es5(source), obfuscate=True, obfuscate_globals=False)
    else:
        text = rcssmin.cssmin(source)
    return STATIC / f"{stem}.min.{suffix}", text + "\n"


def stale() -> list[str]:
    return [path.name for path, text in map(minified, SOURCES)
            if not path.exists() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str]) -> int:
    if "--write" in argv:
        for path, text in map(minified, SOURCES):
            path.write_text(text, encoding="utf-8")
        return 0
    for name in stale():
        print(f"{name} is not the minified source: run `make assets`")
    return 1 if stale() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
