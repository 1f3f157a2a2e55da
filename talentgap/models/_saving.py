"""``est.save(path)`` for every estimator, without the estimators importing the saver.

Persistence (:mod:`talentgap.models.persistence`) sits above the estimators:
it reads the registry and encodes any registered estimator. Estimators still
offer ``save`` as a method; :class:`SaveMixin` forwards it to the saver that
the persistence module installs with :func:`install_saver` when it is
imported (``import talentgap`` does that). Nothing here imports an estimator
or the persistence module, so the import graph has no cycle.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["SaveMixin", "install_saver"]

_SAVER: list[Callable] = []


def install_saver(saver: Callable) -> None:
    """Make ``saver(model, path, config=...)`` the function behind every ``save`` method."""
    _SAVER[:] = [saver]


class SaveMixin:
    """Gives an estimator the ``save`` method of talentgap's safe artifacts."""

    def save(self, path, *, config: dict | None = None):
        """Save the fitted estimator as a safe artifact directory (no pickle).

        See :mod:`talentgap.models.persistence` for the layout. ``tg.load(path)``
        gives back an estimator that predicts exactly what this one does (for
        the gap model, the same forecasts and sample paths); inner models and
        any hierarchy are saved with it.

        Parameters
        ----------
        path : str or path-like
            Directory to write (new, empty, or an earlier artifact to replace).
        config : dict, optional
            The caller's configuration (JSON data), kept in ``metadata.json``.

        Returns
        -------
        pathlib.Path
            The artifact directory.

        Raises
        ------
        NotFittedError
            If ``fit`` has not been called.
        ArtifactError
            If part of the estimator cannot be stored (the message names it).

        Examples
        --------
        >>> import tempfile, pandas as pd, talentgap as tg
        >>> df = pd.DataFrame({"id": "a", "value": [2.0, 4, 6, 8],
        ...                    "period": pd.period_range("2021Q1", periods=4, freq="Q")})
        >>> fc = tg.models.Drift().fit(df, keys=["id"])
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     tg.load(fc.save(f"{tmp}/model")).predict(2)["mean"].tolist()
        [10.0, 12.0]
        """
        if not _SAVER:  # only if talentgap.models.persistence was never imported
            raise RuntimeError("no artifact saver installed; import talentgap first")
        return _SAVER[0](self, path, config=config)
