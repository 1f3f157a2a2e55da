"""The registry of talentgap's estimators and the data classes their state holds.

Every estimator registers itself under a stable name with :func:`register`
(and every data class that appears in a fitted estimator's state with
:func:`register_dataclass`). The registry is the one list of estimators:
``tg.models``' exports, the command line's model names, the saved-artifact
allow-lists and the conformance tests all read it, as scikit-learn's
``all_estimators`` serves its own tools.

Saved artifacts name classes by their registry name (``"ETS"``, not
``"talentgap.models.ets.ETS"``), so moving a class to another module never
breaks a saved model. This module imports only :mod:`talentgap.errors` from
talentgap: the estimators import it, never the other way round.

Examples
--------
>>> import talentgap as tg
>>> [name for name, _ in all_estimators(kind="gap")]
['GapForecaster']
>>> estimator_class("ETS") is tg.models.ETS, registry_name(tg.models.ETS)
(True, 'ETS')
>>> sorted(config_names())[:3]
['auto', 'boosting', 'croston']
"""

from __future__ import annotations

from collections.abc import Callable

from talentgap.errors import ParameterError

__all__ = [
    "register",
    "register_dataclass",
    "all_estimators",
    "estimator_class",
    "dataclass_class",
    "registry_name",
    "config_names",
]

#: Kinds of estimator: single-quantity forecasters and the gap model.
KINDS = ("forecaster", "gap")

_ESTIMATORS: dict[str, tuple[type, str, str | None]] = {}  # name -> (class, kind, config name)
_DATACLASSES: dict[str, type] = {}
_NAMES: dict[type, str] = {}


def _claim(name: str, cls: type) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise ParameterError(f"name == {name!r}, must be a Python identifier (letters, digits "
                             "and underscores, not starting with a digit), e.g. 'MyModel'")
    known = _ESTIMATORS.get(name, (None,))[0] or _DATACLASSES.get(name)
    if known is not None and known is not cls:
        raise ParameterError(f"name == {name!r} is taken by {known.__module__}."
                             f"{known.__qualname__}; registry names must be unique: register "
                             f"{cls.__qualname__} under another name")
    _NAMES[cls] = name


def register(name: str, *, kind: str = "forecaster",
             config_name: str | None = None) -> Callable[[type], type]:
    """Class decorator: register an estimator under a stable ``name``.

    Parameters
    ----------
    name : str
        The name artifacts record; never change it once released.
    kind : {"forecaster", "gap"}, default "forecaster"
        ``"forecaster"`` for models of one quantity (``fit(df, target=...,
        keys=...)``), ``"gap"`` for the demand-and-supply gap model.
    config_name : str, optional
        The short name the command line and configuration files use
        (``model = "ets"``); None keeps the estimator off the command line.

    Returns
    -------
    callable
        The decorator; it returns the class unchanged.

    Raises
    ------
    ParameterError
        If ``kind`` is unknown, or (when the decorator is applied) ``name`` is
        not a Python identifier or already names another class.
    """
    if kind not in KINDS:
        raise ParameterError(f"kind == {kind!r}, must be one of {list(KINDS)}")

    def decorate(cls: type) -> type:
        _claim(name, cls)
        _ESTIMATORS[name] = (cls, kind, config_name)
        return cls

    return decorate


def register_dataclass(name: str) -> Callable[[type], type]:
    """Class decorator: register a data class that fitted estimators hold in their state.

    Raises
    ------
    ParameterError
        When the decorator is applied: ``name`` is not a Python identifier or
        already names another class.
    """

    def decorate(cls: type) -> type:
        _claim(name, cls)
        _DATACLASSES[name] = cls
        return cls

    return decorate


def all_estimators(kind: str | None = None) -> list[tuple[str, type]]:
    """``(name, class)`` of every registered estimator, sorted by name.

    Parameters
    ----------
    kind : {"forecaster", "gap"}, optional
        Only estimators of this kind.

    Returns
    -------
    list of (str, type)

    Raises
    ------
    ParameterError
        If ``kind`` is not ``"forecaster"``, ``"gap"`` or None.

    Examples
    --------
    >>> [name for name, _ in all_estimators(kind="gap")]
    ['GapForecaster']
    """
    if kind is not None and kind not in KINDS:
        raise ParameterError(f"kind == {kind!r}, must be one of {list(KINDS)} or None")
    return sorted((name, cls) for name, (cls, k, _) in _ESTIMATORS.items()
                  if kind is None or k == kind)


def estimator_class(name: str) -> type:
    """The estimator class registered as ``name``; KeyError if there is none."""
    return _ESTIMATORS[name][0]


def dataclass_class(name: str) -> type:
    """The data class registered as ``name``; KeyError if there is none."""
    return _DATACLASSES[name]


def registry_name(cls: type) -> str | None:
    """The name ``cls`` is registered under (estimator or data class), or None."""
    return _NAMES.get(cls)


def config_names() -> dict[str, type]:
    """Forecasters the command line offers, by their configuration name."""
    return {config: cls for cls, _, config in _ESTIMATORS.values() if config is not None}
