"""The edition store: forecast runs kept in one embedded SQLite file, to be scored later.

An *edition* is one stored forecast run: the fitted
:class:`~talentgap.models.GapForecaster` as a safe artifact (the files of
:func:`talentgap.models.persistence.save`, each a BLOB with its sha256), the
forecast table it produced (:meth:`GapForecaster.predict` output, every
dtype kept, periods included), the fingerprint of the data it was fitted on,
its forecast origin, when it was stored and by which talentgap version.

Editions are append-only: storing a name again is refused unless
``replace=True`` is asked for, and :meth:`EditionStore.remove` deletes only
when called. The file uses SQLite's write-ahead log (WAL), and every
operation opens its own connection, so several processes and threads (a
forecast run writing, the service and an evaluation reading) can use one
store at once: readers see either the whole edition or none of it.

Tables of the file (schema version 2; version 1 without ``projections``)::

    store_info(key, value)                      format, schema_version
    editions(name, origin, origin_ordinal, freq, created, talentgap_version,
             fingerprint, estimator, n_cells, horizon, notes,
             forecast, forecast_sha256)
    artifact_files(edition, path, data, sha256)
    projections(edition, keys, first_year, last_year,
                projection, projection_sha256)  version 2: a plan's workforce projection

A new store is created at version 1, and a store of version 1 is read and
written as it is, its editions without a projection; the first
:meth:`EditionStore.add` with a ``projection`` adds the table and sets
version 2, in the same transaction as the edition (a talentgap that reads
only version 1 then asks to be upgraded). Adding editions without a
projection leaves the version unchanged.

Examples
--------
>>> import tempfile, talentgap as tg
>>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
>>> panel = tg.features.build_panel(data.surveys, data.training)
>>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
>>> forecast = gap.predict(2)
>>> with tempfile.TemporaryDirectory() as tmp:
...     store = EditionStore(f"{tmp}/editions.sqlite")
...     store.add("first", gap, forecast)
...     listing = store.list()
...     same = store.forecast("first")
...     again = store.model("first").predict(2)
>>> listing[["name", "origin", "n_cells", "horizon"]]
    name origin  n_cells  horizon
0  first   ...        4        2
>>> same.equals(forecast), again.equals(forecast)
(True, True)
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd

from talentgap._version import __version__
from talentgap.editions._checks import (
    artifact_files,
    check_forecast,
    check_model,
    check_name,
    created_text,
    created_times,
    is_locked,
    metadata_sha,
    origin_end,
    with_panel_facts,
)
from talentgap.editions._projection import check_projection, has_projections, keys_text
from talentgap.editions._store_schema import (
    SCHEMA_VERSION,
    STORE_FORMAT,
    check_format,
    damaged,
    initialise,
    is_new,
    migrate,
)
from talentgap.editions._tables import decode_table, encode_table
from talentgap.errors import ArtifactError, EditionError
from talentgap.models import GapForecaster
from talentgap.models.persistence import data_fingerprint, load_with_metadata, read_metadata

__all__ = ["EditionStore", "STORE_FORMAT", "SCHEMA_VERSION"]

#: Seconds an operation waits for another writer's lock before failing.
_BUSY_TIMEOUT = 30.0

_LIST_COLUMNS = ["name", "origin", "created", "n_cells", "horizon", "fingerprint", "freq",
                 "estimator", "talentgap_version", "notes"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EditionStore:
    """Forecast editions in one SQLite file: add, list, read back, remove.

    Parameters
    ----------
    path : str or path-like
        The store file. It is created (with its folder) by the first
        :meth:`add`; the other methods need it to exist. Creating the object
        does not touch the file.

    Notes
    -----
    Every method opens a new connection and closes it before returning, so
    one ``EditionStore`` may be shared by threads, and any number of
    processes may open the same file. Writes take SQLite's write lock for
    the whole edition (``BEGIN IMMEDIATE``), waiting up to 30 s for another
    writer. The file must be on a local disk (WAL does not work over network
    file systems).

    Examples
    --------
    Two editions of a small gap model, kept in a temporary folder:

    >>> import tempfile, talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training)
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
    >>> folder = tempfile.TemporaryDirectory()
    >>> store = EditionStore(f"{folder.name}/editions.sqlite")
    >>> forecast = gap.predict(2)
    >>> store.add("2021Q4", gap, forecast, created="2022-01-15", notes="first run")
    >>> store.add("2021Q4b", gap, gap.predict(4), created="2022-01-20", notes="one year")
    >>> store.list()[["name", "origin", "n_cells", "horizon", "notes"]]
          name  origin  n_cells  horizon      notes
    0   2021Q4  2021Q4        4        2  first run
    1  2021Q4b  2021Q4        4        4   one year
    >>> store.names(), store.latest()
    (['2021Q4', '2021Q4b'], '2021Q4b')
    >>> store.info("2021Q4")["created"]
    Timestamp('2022-01-15 00:00:00+0000', tz='UTC')

    Read back, the forecast is the table stored and the model forecasts it
    again:

    >>> store.forecast("2021Q4").equals(forecast)
    True
    >>> store.model("2021Q4").predict(2).equals(forecast)
    True
    >>> store.metadata("2021Q4")["estimator"]
    'GapForecaster'
    >>> metadata, model = store.model_with_metadata("2021Q4")  # one read of the artifact
    >>> model.predict(2).equals(forecast), metadata == store.metadata("2021Q4")
    (True, True)

    Editions are removed only when asked:

    >>> store.remove("2021Q4b")
    >>> store.names()
    ['2021Q4']
    >>> store.forecast("2021Q4b")
    Traceback (most recent call last):
    ...
    talentgap.errors.EditionError: no edition '2021Q4b' in '...'; stored: 2021Q4
    >>> folder.cleanup()
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"EditionStore({str(self.path)!r})"

    # ---- connections -------------------------------------------------------------------------
    @contextmanager
    def _connect(self, *, create: bool = False) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():
            if not create:
                raise EditionError(f"no edition store at {str(self.path)!r}; store a forecast "
                                   "first (EditionStore.add or talentgap forecast --store)")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.is_file():
            raise EditionError(f"{str(self.path)!r} is a directory, not an edition store file")
        try:
            connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT,
                                         isolation_level=None)
        except sqlite3.Error as exc:
            raise EditionError(f"cannot open the edition store {str(self.path)!r}: {exc}") \
                from exc
        with closing(connection):
            try:
                connection.execute("PRAGMA foreign_keys = ON")
                if create and is_new(connection, self.path):
                    initialise(connection)
                check_format(connection, self.path)
                yield connection
            except sqlite3.OperationalError as exc:
                if is_locked(exc):
                    raise EditionError(
                        f"the edition store {str(self.path)!r} is locked by another process "
                        f"(waited {_BUSY_TIMEOUT:g} s for it: {exc}); retry when that process "
                        "has finished (another forecast storing an edition, or a program "
                        "holding the file open)") from exc
                raise damaged(self.path, exc) from exc
            except sqlite3.DatabaseError as exc:
                raise damaged(self.path, exc) from exc

    # ---- writing -----------------------------------------------------------------------------
    def add(self, name: str, model: GapForecaster, forecast: pd.DataFrame, *,
            created: datetime | str | None = None, replace: bool = False,
            notes: str | None = None, config: dict | None = None,
            projection: pd.DataFrame | None = None) -> None:
        """Store a fitted gap model and its forecast as the edition ``name``.

        Parameters
        ----------
        name : str
            The edition's name, e.g. ``"2024Q4"`` (1-200 characters, no
            leading or trailing blanks).
        model : GapForecaster
            The fitted model that produced ``forecast``.
        forecast : pandas.DataFrame
            ``model.predict(...)`` output: the model's key columns, its time
            column (periods after the origin) and ``gap``.
        created : datetime or str, optional
            When the edition was made (ISO 8601 text or a datetime; naive
            times are taken as UTC); default now.
        replace : bool, default False
            Replace an edition of the same name; without it, storing a name
            again is refused.
        notes : str, optional
            Free text kept with the edition.
        config : dict, optional
            The run's configuration (JSON data), kept in the artifact's
            metadata (see :meth:`metadata`), e.g. how the panel was built.
            Its ``data`` table always records the model's ``keys`` and
            ``freq``. The lead time, absorption and survey design of the
            panel are not recorded by the panel or the model: give them as
            ``config={"panel": {"lead_time": 0, "absorption": 1.0}}`` (the
            arguments given to :func:`~talentgap.features.build_panel`) so
            that ``talentgap evaluate`` builds the later panel the same way;
            without a ``panel`` table it has to assume them and warns.

        projection : pandas.DataFrame, optional
            The yearly workforce projection a plan made with the forecast
            was funded on, kept with the edition (see :meth:`projection`):
            the model's keys without ``skill_level``, ``period`` (years:
            yearly periods or whole numbers), ``employment`` and
            ``projected_stock`` (persons, without the plan), one row per
            cell and year, and any other columns, e.g.
            ``projected_stock_high_skilled``, ``target_share``,
            ``policy_need_skilled`` (``policy_need.csv`` of ``talentgap
            plan``). :func:`~talentgap.editions.score_stocks` compares its
            stocks with those observed later.

        Raises
        ------
        EditionError
            If the name is stored already (and ``replace`` is False), the
            name is invalid, the model is not a fitted ``GapForecaster``, the
            forecast does not belong to the model (missing columns, periods
            not after its origin, other cells), or the projection lacks a
            column or repeats a cell and year.
        ParameterError
            If ``config`` is not JSON data.
        """
        name = check_name(name)
        origin, freq, keys, time = check_model(model)
        horizon, n_cells = check_forecast(forecast, model, keys, time)
        when = created_text(created)
        forecast_blob = encode_table(forecast.reset_index(drop=True))
        files = artifact_files(model, with_panel_facts(config, keys, freq))
        estimator = json.loads(files["metadata.json"].decode("utf-8"))["estimator"]
        stored_projection = None
        if projection is not None:
            projection_keys, first_year, last_year = check_projection(projection, keys)
            blob = encode_table(projection.reset_index(drop=True))
            stored_projection = (name, keys_text(projection_keys), first_year, last_year,
                                 blob, _sha256(blob))
        row = (name, str(origin), int(origin.ordinal), freq, when, __version__,
               data_fingerprint(model), estimator, n_cells, horizon, notes,
               forecast_blob, _sha256(forecast_blob))
        with self._connect(create=True) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                if stored_projection is not None:
                    migrate(connection)   # only a projection needs version 2
                exists = connection.execute("SELECT 1 FROM editions WHERE name = ?",
                                            (name,)).fetchone()
                if exists and not replace:
                    raise EditionError(f"edition {name!r} is already in {str(self.path)!r}; "
                                       "editions are append-only: choose a new name or ask "
                                       "to replace it (replace=True, --replace-edition)")
                if exists:
                    connection.execute("DELETE FROM editions WHERE name = ?", (name,))
                connection.execute(f"INSERT INTO editions VALUES ({', '.join('?' * 13)})", row)
                connection.executemany(
                    "INSERT INTO artifact_files VALUES (?, ?, ?, ?)",
                    [(name, path, data, _sha256(data)) for path, data in sorted(files.items())])
                if stored_projection is not None:
                    connection.execute("INSERT INTO projections VALUES (?, ?, ?, ?, ?, ?)",
                                       stored_projection)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def remove(self, name: str) -> None:
        """Delete the edition ``name``, its artifact and its projection.

        Raises
        ------
        EditionError
            If there is no such edition.
        """
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                deleted = connection.execute("DELETE FROM editions WHERE name = ?",
                                             (name,)).rowcount
                if not deleted:
                    raise self._unknown(connection, name)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    # ---- reading -----------------------------------------------------------------------------
    def list(self) -> pd.DataFrame:
        """One row per edition, by forecast origin (ties: by when stored); the latest last.

        Returns
        -------
        pandas.DataFrame
            ``name``, ``origin`` (the period label of the forecast origin),
            ``created`` (UTC timestamps), ``n_cells`` (cells the stored forecast
            covers), ``horizon`` (periods forecast), ``data_fingerprint``
            (sha256 of the data the model was fitted on: equal for two
            editions fitted on the same data), ``model_fingerprint`` (the
            artifact's ``metadata_sha256``, which the service sends as
            ``X-Model-Fingerprint`` when it serves the edition), ``freq``,
            ``estimator``, ``talentgap_version``, ``notes`` and
            ``projection_years`` (the years of the stored workforce
            projection, e.g. ``"2024-2026"`` or ``"2024"``; ``""`` without
            one).

        Raises
        ------
        EditionError
            If there is no store, or a stored row is damaged (e.g. its
            ``created`` is not an ISO 8601 time).
        """
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT {', '.join('e.' + c for c in _LIST_COLUMNS)}, a.data FROM editions e "
                "LEFT JOIN artifact_files a ON a.edition = e.name AND a.path = 'metadata.json' "
                "ORDER BY e.created, e.name").fetchall()
            spans = dict(connection.execute(
                "SELECT edition, CASE WHEN first_year = last_year THEN CAST(first_year AS TEXT) "
                "ELSE first_year || '-' || last_year END FROM projections").fetchall()
                if has_projections(connection) else [])
        out = pd.DataFrame([row[:-1] for row in rows], columns=_LIST_COLUMNS)
        out["projection_years"] = [spans.get(name, "") for name in out["name"]]
        out["created"] = created_times(out["created"], out["name"], self.path)
        out.insert(out.columns.get_loc("fingerprint") + 1, "model_fingerprint",
                   [metadata_sha(row[-1]) for row in rows])
        out = out.rename(columns={"fingerprint": "data_fingerprint"})
        end = [origin_end(o, f) for o, f in zip(out["origin"], out["freq"], strict=True)]
        order = sorted(range(len(out)), key=lambda i: (end[i], out["created"].iloc[i],
                                                       out["name"].iloc[i]))
        out = out.iloc[order].reset_index(drop=True)
        return out.astype({"n_cells": "int64", "horizon": "int64"})

    def names(self) -> list[str]:
        """Edition names in the order of :meth:`list` (by origin, then when stored)."""
        return self.list()["name"].tolist()

    def latest(self) -> str:
        """The name of the edition with the latest forecast origin.

        Of editions with the same origin, the one stored last. This is the
        edition ``talentgap serve --store`` serves and ``talentgap evaluate``
        scores when no edition is named: an edition stored today for an
        earlier origin (a re-run of an old quarter) does not displace the
        newest forecast.

        Raises
        ------
        EditionError
            If the store holds no edition (or there is no store yet).

        Examples
        --------
        >>> EditionStore("no-such-folder/editions.sqlite").latest()
        Traceback (most recent call last):
        ...
        talentgap.errors.EditionError: no edition store at 'no-such-folder/editions.sqlite'; ...
        """
        names = self.names()
        if not names:
            raise EditionError(f"the edition store {str(self.path)!r} holds no edition yet")
        return names[-1]

    def info(self, name: str) -> dict:
        """The listing row of one edition as a dict (see :meth:`list`)."""
        listing = self.list()
        found = listing[listing["name"] == name]
        if found.empty:
            with self._connect() as connection:
                raise self._unknown(connection, name)
        return found.iloc[0].to_dict()

    def forecast(self, name: str) -> pd.DataFrame:
        """The stored forecast table of edition ``name``, with its original dtypes.

        Raises
        ------
        EditionError
            If there is no such edition or the stored table fails its checksum.
        """
        with self._connect() as connection:
            row = connection.execute("SELECT forecast, forecast_sha256 FROM editions "
                                     "WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise self._unknown(connection, name)
        blob, digest = row
        if _sha256(blob) != digest:
            raise EditionError(f"the forecast of edition {name!r} in {str(self.path)!r} has "
                               "changed since it was stored (sha256 mismatch)")
        return decode_table(blob)

    def projection(self, name: str) -> pd.DataFrame | None:
        """The workforce projection stored with edition ``name``, or None without one.

        The table given to :meth:`add` as ``projection``, with its original
        dtypes; None for an edition stored without one (a forecast without a
        multi-year plan and targets, or a store of schema version 1).

        Raises
        ------
        EditionError
            If there is no such edition or the stored table fails its checksum.

        Examples
        --------
        >>> import tempfile, talentgap as tg
        >>> data = tg.datasets.make_synthetic(n_regions=2, industries=1, n_periods=12, seed=0)
        >>> panel = tg.features.build_panel(data.surveys, data.training)
        >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20).fit(panel)
        >>> cells = gap.cells_.assign(period=2024, employment=1000.0, projected_stock=300.0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     store = EditionStore(f"{tmp}/editions.sqlite")
        ...     store.add("with", gap, gap.predict(2), projection=cells)
        ...     store.add("without", gap, gap.predict(2))
        ...     back, none = store.projection("with"), store.projection("without")
        ...     years = store.list()["projection_years"].tolist()
        >>> back.equals(cells.reset_index(drop=True)), none, years
        (True, None, ['2024', ''])
        """
        with self._connect() as connection:
            if connection.execute("SELECT 1 FROM editions WHERE name = ?",
                                  (name,)).fetchone() is None:
                raise self._unknown(connection, name)
            row = (connection.execute("SELECT projection, projection_sha256 FROM projections "
                                      "WHERE edition = ?", (name,)).fetchone()
                   if has_projections(connection) else None)
        if row is None:
            return None
        blob, digest = row
        if _sha256(blob) != digest:
            raise EditionError(f"the projection of edition {name!r} in {str(self.path)!r} has "
                               "changed since it was stored (sha256 mismatch)")
        return decode_table(blob)

    def model(self, name: str) -> GapForecaster:
        """The fitted gap model of edition ``name``, loaded and verified.

        Every artifact file is checked against the sha256 stored with it and
        against the artifact's own ``metadata.json`` (as
        :func:`talentgap.models.persistence.load` does), and the loaded
        model's data fingerprint must equal the edition's. No code from the
        store runs.

        Raises
        ------
        EditionError
            If there is no such edition, or a check fails (the message names
            the file or the rule).
        """
        return self.model_with_metadata(name)[1]

    def model_with_metadata(self, name: str) -> tuple[dict, GapForecaster]:
        """The artifact metadata and the fitted gap model of edition ``name``, from one
        read of its files (checked as :meth:`model` does).

        Returns
        -------
        metadata : dict
            As :meth:`metadata`.
        model : GapForecaster
            As :meth:`model`.

        Raises
        ------
        EditionError
            As :meth:`model`.
        """
        with self._artifact(name) as (root, fingerprint):
            try:
                metadata, model = load_with_metadata(root)
            except ArtifactError as exc:
                raise EditionError(f"edition {name!r}: {exc}") from exc
        if not isinstance(model, GapForecaster):
            raise EditionError(f"edition {name!r} holds a {type(model).__name__}, "
                               "not a GapForecaster")
        if data_fingerprint(model) != fingerprint:
            raise EditionError(f"edition {name!r}: the model's data fingerprint differs from "
                               "the one stored with the edition")
        return metadata, model

    def metadata(self, name: str) -> dict:
        """The artifact metadata of edition ``name`` (checked as :meth:`model` does).

        Returns
        -------
        dict
            As :func:`talentgap.models.persistence.read_metadata`; its
            ``config`` is the dict given to :meth:`add` (or None).

        Raises
        ------
        EditionError
            If there is no such edition or a file fails its checks.
        """
        with self._artifact(name) as (root, _):
            try:
                return read_metadata(root)
            except ArtifactError as exc:
                raise EditionError(f"edition {name!r}: {exc}") from exc

    @contextmanager
    def _artifact(self, name: str) -> Iterator[tuple[Path, str]]:
        """The edition's artifact files, checked, in a temporary directory; and its fingerprint."""
        with self._connect() as connection:
            rows = connection.execute("SELECT path, data, sha256 FROM artifact_files "
                                      "WHERE edition = ? ORDER BY path", (name,)).fetchall()
            fingerprint = connection.execute("SELECT fingerprint FROM editions WHERE name = ?",
                                             (name,)).fetchone()
            if fingerprint is None:
                raise self._unknown(connection, name)
        for path, data, digest in rows:
            if _sha256(data) != digest:
                raise EditionError(f"artifact file {path!r} of edition {name!r} has changed "
                                   "since it was stored (sha256 mismatch)")
        with tempfile.TemporaryDirectory(prefix="talentgap-edition-") as tmp:
            root = Path(tmp) / "model"
            for path, data, _ in rows:
                target = (root / path).resolve()
                if root.resolve() not in target.parents:
                    raise EditionError(f"artifact file {path!r} of edition {name!r} points "
                                       "outside the artifact")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            yield root, fingerprint[0]

    def _unknown(self, connection: sqlite3.Connection, name: str) -> EditionError:
        names = [r[0] for r in connection.execute(
            "SELECT name FROM editions ORDER BY created, name").fetchall()]
        known = f"; stored: {', '.join(names)}" if names else "; the store is empty"
        return EditionError(f"no edition {name!r} in {str(self.path)!r}{known}")
