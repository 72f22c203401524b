"""Versioned questionnaires. A published version is immutable; editing makes a new version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import Base
from survey.models.types import UtcDateTime


class Instrument(Base):
    """One version of a questionnaire, e.g. ``sipas-short@1``.

    ``definition`` holds the items and their wording in every language (see
    ``survey/collection/instruments/<key>@<version>.json``); it never changes once ``published_at`` is set.
    """

    __tablename__ = "instrument"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    @property
    def items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.definition["items"]
        return items

    @property
    def item_keys(self) -> list[str]:
        return [item["key"] for item in self.items]

    def __repr__(self) -> str:
        return f"<Instrument {self.ref}>"
