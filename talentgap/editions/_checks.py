"""Checks and small helpers of the edition store: names, times, models, forecasts, files."""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from talentgap.errors import EditionError
from talentgap.models import GapForecaster
from talentgap.models.persistence import read_metadata, save
from talentgap.periods import normalize_freq

__all__ = ["created_times", "metadata_sha", "origin_end", "is_locked", "check_name",
           "check_model", "check_forecast", "created_text", "with_panel_facts",
           "artifact_files"]

_MAX_NAME = 200
_ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
                       r"(?:[Zz]|[+-]\d{2}:?\d{2})?)?$")


def created_times(created: pd.Series, names: pd.Series, path: Path) -> pd.Series:
    """The stored ``created`` texts as UTC timestamps; a damaged one is an EditionError."""
    try:
        return pd.to_datetime(created, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        for name, text in zip(names, created, strict=True):
            try:
                pd.to_datetime(pd.Series([text]), utc=True, format="ISO8601")
            except (ValueError, TypeError):
                raise EditionError(f"edition {name!r} in {str(path)!r} is damaged: its "
                                   f"created time {text!r} is not ISO 8601") from None
        raise


def metadata_sha(data: bytes | None) -> str | None:
    """The ``metadata_sha256`` of an artifact's ``metadata.json`` (None if unreadable)."""
    try:
        return json.loads(data.decode("utf-8")).get("metadata_sha256")
    except (AttributeError, ValueError):
        return None


def origin_end(origin: str, freq: str) -> pd.Timestamp:
    """When the origin period ends (comparable across frequencies); a damaged one sorts first."""
    try:
        return pd.Period(origin, freq=freq).end_time
    except (ValueError, TypeError):
        return pd.Timestamp.min


def is_locked(exc: sqlite3.Error) -> bool:
    """True when SQLite gave up waiting for another connection's lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def check_name(name) -> str:
    if not isinstance(name, str) or not name.strip() or name != name.strip() \
            or len(name) > _MAX_NAME:
        raise EditionError(f"edition name {name!r}: must be 1-{_MAX_NAME} characters of text "
                           "without leading or trailing blanks, e.g. '2024Q4'")
    control = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Cs")]
    if control:
        raise EditionError(f"edition name {name!r}: holds {len(control)} control or invisible "
                           f"character(s), e.g. {control[0]!r}; use printable text, e.g. "
                           "'2024Q4'")
    return name


def check_model(model):
    if not isinstance(model, GapForecaster):
        raise EditionError(f"an edition holds a GapForecaster, got {type(model).__name__}")
    if not hasattr(model, "origin_"):
        raise EditionError("the GapForecaster is not fitted yet; call fit(panel) first")
    return model.origin_, model.freq_, list(model.cells_.columns), model.time


def check_forecast(forecast, model, keys: list[str], time: str) -> tuple[int, int]:
    """The forecast's horizon and number of cells, after checking it fits ``model``."""
    if not isinstance(forecast, pd.DataFrame):
        raise EditionError(f"forecast must be a DataFrame (GapForecaster.predict output), "
                           f"got {type(forecast).__name__}")
    missing = [c for c in [*keys, time, "gap"] if c not in forecast.columns]
    if missing:
        raise EditionError(f"the forecast lacks the column(s) {missing} of the model's "
                           "output; pass GapForecaster.predict(...) output")
    periods = forecast[time]
    if not isinstance(periods.dtype, pd.PeriodDtype) or periods.dtype.freq != model.origin_.freq:
        raise EditionError(f"forecast column {time!r} has dtype {periods.dtype}; expected "
                           f"periods of the model's frequency ({model.freq_})")
    ordinals = periods.array.asi8
    if len(forecast) == 0 or ordinals.min() <= model.origin_.ordinal:
        raise EditionError(f"the forecast must cover periods after the model's origin "
                           f"{model.origin_}; it has {len(forecast)} rows starting "
                           f"{periods.min() if len(forecast) else 'nowhere'}")
    cells = forecast[keys].astype(str).drop_duplicates()
    known = model.cells_.astype(str)
    extra = cells.merge(known, how="left", indicator=True).query("_merge == 'left_only'")
    if len(extra):
        example = ", ".join(map(str, extra.iloc[0][keys].tolist()))
        raise EditionError(f"the forecast has {len(extra)} cell(s) the model was not fitted "
                           f"on, e.g. ({example})")
    return int(ordinals.max() - model.origin_.ordinal), len(cells)


def created_text(created) -> str:
    if created is None:
        stamp = datetime.now(UTC)
    elif isinstance(created, (datetime, date)):  # pandas.Timestamp too
        stamp = pd.Timestamp(created).to_pydatetime()
    else:
        stamp = _iso_datetime(created, "created")
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    stamp = stamp.astimezone(UTC)
    return stamp.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _iso_datetime(text, what: str) -> datetime:
    """An ISO 8601 date or date-time (``Z`` or an offset allowed); anything else refused."""
    if not isinstance(text, str) or not _ISO_8601.match(text.strip()):
        raise EditionError(f"{what} == {text!r}: expected a datetime or ISO 8601 text "
                           "(year-month-day first), e.g. '2025-01-31' or "
                           "'2025-01-31T12:00:00Z'; other date forms such as '01/02/2024' "
                           "are ambiguous")
    try:
        return datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError as exc:
        raise EditionError(f"{what} == {text!r} is not a valid ISO 8601 date-time: "
                           f"{exc}") from exc


def with_panel_facts(config: dict | None, keys: list[str], freq: str) -> dict:
    """``config`` with the panel settings the model itself records: its keys and frequency."""
    if config is not None and not isinstance(config, dict):
        return config  # refused, as non-JSON data, where the artifact is written
    out = dict(config or {})
    data = out.get("data")
    data = dict(data) if isinstance(data, dict) else {}
    data.setdefault("keys", list(keys))
    try:
        data.setdefault("freq", normalize_freq(freq))
    except (ValueError, TypeError):
        data.setdefault("freq", str(freq))
    out["data"] = data
    return out


def artifact_files(model, config: dict | None) -> dict[str, bytes]:
    """The files of the model's artifact, by relative path."""
    with tempfile.TemporaryDirectory(prefix="talentgap-edition-") as tmp:
        root = save(model, Path(tmp) / "model", config=config)
        read_metadata(root)  # the artifact checks itself before it is stored
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

