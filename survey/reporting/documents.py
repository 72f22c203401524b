"""An issued report as a document to print: the figures (frozen, or live for a draft) in the
shape the print template reads, with the issuing agency, the number, the date and whether the
period was over. The same HTML is shown in the browser and printed to the PDF, which gets its
styles inlined (:func:`pdf_html`) so that Chromium loads nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app, render_template

from analysis import SIPAS_COMPONENTS as COMPONENTS
from survey.models import ReportIssue, Unit
from survey.periods import LOCAL, Period
from survey.reporting import publication
from survey.reporting.groups import Settings

STYLES = ("survey.css", "dashboard.css", "report-print.css")


@dataclass(frozen=True)
class Shown:
    """An estimate read back from the figures (the template's ``estimate`` macro reads these)."""

    value: float
    ci_low: float
    ci_high: float
    n: int


@dataclass
class Row:
    name: str
    responses: int
    satisfaction: Shown | None
    components: dict[str, Shown | None]
    sipas: Shown | None
    verdict: dict[str, Any] | None


@dataclass
class Document:
    agency: str
    parent: str
    place: str
    title: str
    recipient: str
    number: str | None
    issued_on: date
    period: Period
    published: bool
    cutoff: datetime | None
    audit_head: str
    level: float
    rows: list[Row] = field(default_factory=list)
    items: list[tuple[str, str, Shown]] = field(default_factory=list)
    supplement: list[dict[str, Any]] = field(default_factory=list)
    method_note: list[str] = field(default_factory=list)

    @property
    def subject(self) -> str:
        """The title under "BÁO CÁO": the duty's name without its leading "Báo cáo"."""
        rest = self.title.removeprefix("Báo cáo ").strip()
        return rest[:1].upper() + rest[1:] if rest != self.title else self.title

    @property
    def unfinished(self) -> bool:
        """The period was not over on the day of the report (its figures were still growing)."""
        return self.issued_on <= self.period.end


def _shown(value: dict[str, Any] | None) -> Shown | None:
    if not value:
        return None
    return Shown(value["estimate"], value["ci_low"], value["ci_high"], value["n"])


def _rows(figures: dict[str, Any]) -> list[Row]:
    return [Row(g.get("name") or g["by"]["unit_code"], g["n"], _shown(g.get("satisfaction")),
                {c: _shown((g.get("components") or {}).get(c)) for c in COMPONENTS},
                _shown(g.get("sipas")), g.get("verdict")) for g in figures.get("groups", [])]


def _items(figures: dict[str, Any]) -> list[tuple[str, str, Shown]]:
    groups = figures.get("groups") or []
    labels = figures.get("item_labels") or {}
    out = []
    for key, value in sorted(((groups[0].get("items") or {}) if groups else {}).items()):
        shown = _shown(value)
        if shown is not None:
            out.append((key.split(".")[0], labels.get(key, ""), shown))
    order = {c: i for i, c in enumerate(COMPONENTS)}
    return sorted(out, key=lambda t: order.get(t[0], len(order)))


def agency() -> tuple[str, str, str]:
    config = current_app.config
    return config["REPORT_AGENCY"], config["REPORT_AGENCY_PARENT"], config["REPORT_PLACE"]


@dataclass(frozen=True)
class Issuer:
    agency: str
    parent: str
    place: str
    today: date


def issuer(unit: Unit) -> Issuer:
    """Who issues a unit's printed report: the unit, under its parent; the city's report, the
    configured agency (Sở Nội vụ) under the city's people's committee."""
    name, parent, place = agency()
    today = datetime.now(LOCAL).date()
    if unit.parent is None:
        return Issuer(name, parent, place, today)
    return Issuer(unit.name, unit.parent.name, place, today)


def of_issue(session: Any, issue: ReportIssue, settings: Settings, now: datetime) -> Document:
    """The published report from its frozen figures; a draft from the figures as they are now."""
    from survey.administration import audit

    if issue.status == "published" and issue.figures is not None and issue.published_at is not None:
        figures, note, head = issue.figures, issue.method_note or [], issue.audit_head or audit.GENESIS
        on, cutoff = issue.published_at.astimezone(LOCAL).date(), issue.cutoff_at
    else:
        _built, figures = publication.live_figures(session, issue, settings, now)
        note, head = publication.method_note(now, draft=True), audit.head(session)
        on, cutoff = now.astimezone(LOCAL).date(), None
    name, parent, place = agency()
    return Document(name, parent, place, issue.duty.name, issue.duty.recipient, issue.number, on,
                    publication.period_of(issue), issue.status == "published", cutoff, head,
                    figures.get("level", settings.level), _rows(figures), _items(figures),
                    list(figures.get("supplement") or []), list(note))


def pdf_html(document: Document) -> str:
    """The print page with its styles inlined, for Chromium."""
    folder = Path(current_app.static_folder or "")
    styles = "\n".join((folder / name).read_text(encoding="utf-8") for name in STYLES)
    return render_template("reports/issued_pdf.html", doc=document, styles=styles)
