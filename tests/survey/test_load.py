"""A small run of bench/load_retries.py in the suite: 200 submissions, 10 % resent, through gunicorn.

The full run (10,000 submissions on SQLite and PostgreSQL) is the bench; this one proves the same
property on every ``make test``: every acknowledged answer is stored, and none twice.
"""

from __future__ import annotations

import importlib
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.helpers import ROOT, scratch_database_url

pytestmark = pytest.mark.slow


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    return importlib.import_module("load_retries")


def test_resent_submissions_under_concurrency_are_stored_exactly_once(bench, tmp_path_factory):
    url = scratch_database_url(tmp_path_factory, "load")
    token = bench.prepare_database(url)
    jobs = bench.plan(200, 0.10, seed=7)
    run = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as tmp:
        process, base = bench.start("wsgi:app", bench.server_env(url), Path(tmp) / "gunicorn.log")
        try:
            tally, _seconds = bench.drive(base, token, jobs, clients=8, run=run)
        finally:
            bench.stop(process)
    rows = bench.stored(url, run)
    assert len(jobs) == 220
    assert len(tally.acknowledged) == 200
    assert set(rows) == tally.acknowledged  # nothing lost
    assert set(rows.values()) == {1}  # nothing stored twice
    assert tally.tracebacks == 0
