"""HTML to PDF through Chromium's print-to-PDF, in a subprocess of its own.

Called from ``flask jobs run-due`` (see :mod:`survey.reporting.publication`), never from a web
request: Chromium takes seconds and a few hundred MB, which a request worker must not spend.
The page is written to a temporary folder with its styles inlined, so Chromium loads nothing
from the network, and gets a profile folder of its own that is removed afterwards.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 120


class PdfFailed(RuntimeError):
    """Chromium did not produce a PDF (missing, crashed, or timed out)."""


def html_to_pdf(html: str, *, chromium: str, timeout: int = TIMEOUT_SECONDS) -> bytes:
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(html, encoding="utf-8")
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   "--disable-extensions", "--no-first-run", f"--user-data-dir={folder}/profile",
                   f"--print-to-pdf={target}", source.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PdfFailed(f"{chromium}: {error}") from error
        if not target.exists() or target.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace")[-500:]
            raise PdfFailed(f"{chromium} exited {done.returncode} without a PDF: {tail}")
        return target.read_bytes()
