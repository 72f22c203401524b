"""The worked examples of the methodology documents run and give the numbers they print."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("name", ["methodology.md", "phuong-phap.md"])
def test_worked_examples_in_the_methodology_match_the_library(name):
    result = doctest.testfile(str(DOCS / name), module_relative=False, encoding="utf-8",
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0


def test_both_documents_carry_the_same_coverage_table():
    tables = [
        [line for line in (DOCS / name).read_text("utf-8").splitlines()
         if line.startswith(("| 10 ", "| 30 ", "| 100 ", "| 1000 "))]
        for name in ("methodology.md", "phuong-phap.md")
    ]
    assert tables[0] == tables[1]
    assert len(tables[0]) == 20
