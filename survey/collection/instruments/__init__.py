"""Questionnaires: the built-in instruments, kept as data and published by a command; the
current version of each, read on every submission; new versions
(:mod:`survey.collection.instruments.versions`).

Every published version has its own file beside this one, ``<key>@<version>.json``, and is never
edited: a new wording is a new file with the next number. A definition names its list of
"what went wrong" choices (``"problems": "problems@2"``; version 1 files name none and use
``problems@1.json``), so adding a language to the choices is a new list too. The clinic's and the
school's instruments have lists of their own (``problems-health@1``, ``problems-education@1``:
waiting, staff's manner, what was explained, cleanliness …), from their version 3.
"""

from __future__ import annotations

import functools
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from analysis import SIPAS_COMPONENTS
from survey.extensions import AnySession
from survey.models import Instrument

HERE = Path(__file__).resolve().parent
BUILT_IN = ("sipas-short", "sipas-full", "health-short", "education-short")
# How a table that shows two instruments' items tells them apart (SPEC §2 keeps each one's keys,
# so the same question can appear under two keys).
SHORT_NAMES = {"sipas-short": _l("phiếu ngắn"), "sipas-full": _l("phiếu đầy đủ"),
               "health-short": _l("phiếu y tế"), "education-short": _l("phiếu giáo dục")}
# One question per screen: the instruments a desk kiosk can show.
KIOSK = ("sipas-short", "health-short", "education-short")


class InstrumentError(ValueError):
    """A definition is malformed, or would change a published version."""


def built_in_versions(key: str) -> list[int]:
    """The version numbers of ``key`` kept as files, oldest first."""
    return sorted(int(path.stem.rpartition("@")[2]) for path in HERE.glob(f"{key}@*.json"))


def read_definition(key: str, version: int | None = None) -> dict[str, Any]:
    """The definition of ``key`` at ``version`` (by default the newest file), as it is published."""
    number = version if version is not None else built_in_versions(key)[-1]
    definition: dict[str, Any] = json.loads((HERE / f"{key}@{number}.json").read_text("utf-8"))
    problems = definition.get("problems", "problems@1")
    definition["problems"] = json.loads((HERE / f"{problems}.json").read_text("utf-8"))
    validate_definition(definition)
    return definition


def validate_definition(definition: dict[str, Any]) -> None:
    keys = [item["key"] for item in definition["items"]]
    if "overall" not in keys:
        raise InstrumentError(_l("%(key)s: thiếu câu hỏi chung (overall).", key=definition["key"]))
    if len(set(keys)) != len(keys):
        raise InstrumentError(_l("%(key)s: một mã câu hỏi xuất hiện hai lần.", key=definition["key"]))
    for item in definition["items"]:
        component = item["key"].split(".")[0]
        if component != item["component"] or component not in ("overall", *SIPAS_COMPONENTS):
            raise InstrumentError(_l("%(key)s: mã câu hỏi %(item)s không hợp lệ.", key=definition["key"],
                                     item=item["key"]))
        if not item["text"].get("vi"):
            raise InstrumentError(_l("%(item)s: chưa có lời tiếng Việt.", item=item["key"]))
    if not set(definition.get("short", ())) <= set(keys):
        raise InstrumentError(_l("%(key)s: phần ngắn (short) nêu câu hỏi không có.", key=definition["key"]))


def load_built_in(session: AnySession) -> list[str]:
    """Publish every built-in version not yet in the database, oldest first. Returns what was added.

    A published version never changes: a file that differs from the stored version of the same
    number is an error, and the remedy is a new version number.
    """
    added = []
    for key, version in ((k, v) for k in BUILT_IN for v in built_in_versions(k)):
        definition = read_definition(key, version)
        ref = f"{key}@{definition['version']}"
        stored = session.scalar(
            select(Instrument).filter_by(key=key, version=definition["version"])
        )
        if stored is None:
            session.add(
                Instrument(
                    key=key,
                    version=definition["version"],
                    definition=definition,
                    published_at=datetime.now(UTC),
                )
            )
            added.append(ref)
            forget()
        elif stored.definition != definition:
            raise InstrumentError(_l("%(ref)s đã công bố và khác tệp %(ref)s.json: hãy thêm tệp với số "
                                     "phiên bản mới.", ref=ref))
    session.flush()
    return added


# (database URL, key) → (time read, instrument detached from its session). Published versions never
# change, so the only staleness is a newer version published in another process, seen after
# CACHE_SECONDS; a publication in this process calls forget().
_cache: dict[tuple[str, str], tuple[float, Instrument]] = {}
CACHE_SECONDS = 30.0


def current(session: AnySession, key: str) -> Instrument | None:
    """The newest published version of ``key`` (cached: it is read on every submission)."""
    place = (str(session.get_bind().engine.url), key)
    hit = _cache.get(place)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    instrument = session.scalar(
        select(Instrument)
        .where(Instrument.key == key, Instrument.published_at.is_not(None))
        .order_by(Instrument.version.desc())
        .limit(1)
    )
    if instrument is not None:
        detached = Instrument(id=instrument.id, key=instrument.key, version=instrument.version,
                              definition=instrument.definition,
                              published_at=instrument.published_at)
        _cache[place] = (time.monotonic(), detached)
        return detached
    return None


def forget() -> None:
    """Drop cached versions and labels (after publishing one, and between tests)."""
    _cache.clear()
    _labels.clear()


def next_version(session: AnySession, key: str) -> int:
    return int(session.scalar(select(func.max(Instrument.version)).filter_by(key=key)) or 0) + 1


# (database URL, locale) → (time read, labels): read on every report, cached as ``_cache`` is.
_labels: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}


def item_labels(session: AnySession, locale: str = "vi") -> dict[str, str]:
    """A short label for every item key: the built-in instruments, then any published version."""
    place = (str(session.get_bind().engine.url), locale)
    hit = _labels.get(place)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return dict(hit[1])
    out = _item_labels(session, locale)
    _labels[place] = (time.monotonic(), out)
    return dict(out)


def _item_labels(session: AnySession, locale: str) -> dict[str, str]:
    out: dict[str, str] = {}
    definitions = [read_definition(key) for key in BUILT_IN]
    definitions += list(session.scalars(select(Instrument.definition)))
    for definition in definitions:
        for item in definition.get("items", ()):
            label = item.get("label") or item.get("text")
            if isinstance(label, dict) and item.get("key") not in out:
                words = text(label, locale)
                if words in out.values():  # one question asked under two instruments' keys
                    name = str(definition.get("key", ""))
                    words = f"{words} ({SHORT_NAMES.get(name, name)})"
                out[item["key"]] = words
    return out


def problem_names(locale: str = "vi") -> dict[str, str]:
    """The wording of each "what went wrong" choice, by its code, in every built-in instrument's
    current list: the short survey's first, then the clinic's and the school's own choices (a
    code two lists share, such as ``extra_payment``, means the same in both)."""
    return dict(_problem_names(locale))


@functools.lru_cache(maxsize=8)
def _problem_names(locale: str) -> dict[str, str]:  # the files do not change while the app runs
    names: dict[str, str] = {}
    for key in BUILT_IN:
        for problem in read_definition(key)["problems"]:
            names.setdefault(problem["code"], text(problem["text"], locale))
    return names


def text(field: dict[str, str], locale: str) -> str:
    """The wording in ``locale``, falling back to Vietnamese."""
    return field.get(locale) or field["vi"]
