"""Bad input, counted: run the fuzz tests with more examples and print how many cases each tried.

Runs ``tests/survey/test_fuzz*.py`` (hypothesis form posts, raw bytes, odd paths and queries on
every GET route as three roles, CSRF abuse, and schemathesis on the served OpenAPI document) with
``SURVEY_FUZZ_EXAMPLES`` examples per test, collects the counts the tests write to
``SURVEY_FUZZ_REPORT``, and prints them with the pytest outcome. Required: every test passes,
which means 0 responses with status 500 and nothing stored from a rejected request.

Usage: ``.venv/bin/python bench/fuzz_count.py [--examples 500]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "cases.tsv"
        env = {**os.environ, "SURVEY_FUZZ_EXAMPLES": str(args.examples), "SURVEY_FUZZ_REPORT": str(report)}
        started = time.perf_counter()
        tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "survey").glob("test_fuzz*.py"))
        outcome = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                                 cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        cases: Counter[str] = Counter()
        if report.exists():
            for line in report.read_text(encoding="utf-8").splitlines():
                name, count = line.rsplit("\t", 1)
                cases[name] += int(count)
    for name, count in sorted(cases.items()):
        print(f"{count:>8}  {name}")
    print(f"{sum(cases.values()):>8}  cases in all, {seconds:.0f} s, {args.examples} examples per test")
    print(outcome.stdout.strip().splitlines()[-1] if outcome.stdout.strip() else outcome.stderr[-2000:])
    if outcome.returncode:
        print(outcome.stdout[-4000:])
    print("required: no 500, nothing stored from a rejected request:",
          "ok" if outcome.returncode == 0 else "FAILED")
    return outcome.returncode


if __name__ == "__main__":
    sys.exit(main())
