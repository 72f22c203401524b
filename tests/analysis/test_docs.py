"""The worked examples of the methodology documents run and give the numbers they print."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("name", ["methodology.md", "phuong-phap.md"])
def test_worked_examples_in_the_methodology_match_the_library(name):
    result = doctest.testfile(str(DOCS / name), module_relative=False, encoding="utf-8",
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0


def _coverage_numbers(name: str) -> list[str]:
    """Every number in the tables of §12, with the decimal comma of Vietnamese read as a point."""
    text = (DOCS / name).read_text("utf-8")
    section = text[text.index("## 12."):text.index("## 13.")]
    rows = [line for line in section.splitlines() if line.startswith("|") and "---" not in line]
    return [n.replace(",", ".") for line in rows for n in re.findall(r"\d+(?:[.,]\d+)?", line)]


def test_both_documents_carry_the_same_coverage_tables():
    english, vietnamese = _coverage_numbers("methodology.md"), _coverage_numbers("phuong-phap.md")
    assert english == vietnamese
    assert len(english) > 400


def test_the_coverage_tables_are_those_the_study_prints():
    """The doc tables are the output of `make coverage-study` (the cells the fast suite can
    afford: the exact funnel and Wilson tables are recomputed here in full)."""
    from tests.analysis import study

    section = (DOCS / "methodology.md").read_text("utf-8")
    for row in study.funnel_table()[2:] + study.wilson_average_table()[2:]:
        assert row in section
