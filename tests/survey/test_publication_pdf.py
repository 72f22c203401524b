"""The published report's PDF: printed by ``flask jobs run-due`` through Chromium (not by the
request that published it), kept with its SHA-256, its text holding the agency, the document
number and the Vietnamese diacritics intact (read back with pypdf)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import current_app
from pypdf import PdfReader

from survey.extensions import db
from survey.models import ReportIssue
from survey.reporting import publication
from survey.reporting.groups import Settings
from tests.survey.test_publication import city, drafted

pytestmark = pytest.mark.browser  # needs Chromium (`make chromium`)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return "\n".join(page.extract_text(extraction_mode="layout") for page in pages)


def test_run_due_prints_the_published_report_to_a_pdf_with_its_words_intact(app_context, runner):
    city()
    publication.draft_due(db.session, now=datetime(2026, 7, 2, 3, 0, tzinfo=UTC))
    issue = drafted("quy", "2026-Q2")
    publication.publish(db.session, None, issue, number="17/BC-SNV",
                        settings=Settings.from_config(current_app.config), now=datetime.now(UTC))
    db.session.commit()
    assert publication.file_of(issue, "pdf") is None, "publishing does not start a browser"

    result = runner.invoke(args=["jobs", "run-due", "--now", "2026-07-02T03:00"])
    assert "report_pdf 17/BC-SNV: done" in result.output, result.output
    db.session.expire_all()
    issue = db.session.get(ReportIssue, issue.id)
    kept = publication.file_of(issue, "pdf")
    assert kept is not None
    assert kept.content.startswith(b"%PDF")
    assert kept.sha256 == publication.sha256(kept.content)
    text = pdf_text(kept.content)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(kept.content)
    (ARTIFACTS / "report.pdf.txt").write_text(text, encoding="utf-8")
    for words in ("SỞ NỘI VỤ", "ỦY BAN NHÂN DÂN THÀNH PHỐ", "Số: 17/BC-SNV",
                  "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Kết quả khảo sát quý", "quý II năm 2026",
                  "Số liệu bổ sung sau ngày chốt", "Phường Một", "Tiếp cận dịch vụ", "88,9 %",
                  "Độc lập - Tự do - Hạnh phúc", "Người lập biểu", "Ký, ghi rõ họ tên, đóng dấu"):
        assert words in text, words
    day = issue.published_at.astimezone(publication.LOCAL)
    assert f"ngày {day.day} tháng {day.month} năm {day.year}" in text
    assert "DỰ THẢO" not in text

    again = runner.invoke(args=["jobs", "run-due", "--now", "2026-07-02T03:00"])
    assert "report_pdf" not in again.output, "printed once"
    assert publication.file_of(issue, "pdf").sha256 == kept.sha256
