"""Names a package re-exports, imported on first use (PEP 562).

A package ``__init__`` lists where each public name lives and gets back the
module-level ``__getattr__`` and ``__dir__`` that import it when it is first
asked for, so importing the package itself stays quick: ``import talentgap``
does not import scikit-learn, and ``talentgap validate`` does not import the
forecasting models. ``from package import name``, ``package.name`` and
``dir(package)`` behave as with eager imports; the package's ``__init__`` also
imports the same names under ``typing.TYPE_CHECKING`` for type checkers.

A public name that is also the name of the submodule defining it (a function
``long_form`` in ``long_form.py``) must be imported eagerly: loading the
submodule binds the submodule on its package, which would hide the function.

Examples
--------
>>> from talentgap._lazy import attach
>>> getattr_, dir_ = attach("talentgap", {"periods": "periods"})
>>> getattr_("periods").__name__
'talentgap.periods'
>>> "periods" in dir_()
True
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping

__all__ = ["attach"]


def attach(package: str, exports: Mapping[str, str]
           ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose names load on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping of str to str
        Each lazily exported name -> the submodule defining it, relative to
        ``package`` (``"models.persistence"``); a name mapped to itself is
        that submodule (``{"datasets": "datasets"}``).

    Returns
    -------
    (__getattr__, __dir__)
        To assign at module level in the package's ``__init__``. The first
        use binds the name on the package, so later uses cost nothing. Any
        other submodule of the package is imported when asked for by name, as
        it is after eager imports that load it.
    """
    exports = dict(exports)

    def __getattr__(name: str) -> object:
        submodule = exports.get(name)
        if submodule is None:  # another submodule (tg.evaluation.plots), as eager imports bound it
            if name.startswith("__") or importlib.util.find_spec(f"{package}.{name}") is None:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            submodule = name
        module = importlib.import_module(f"{package}.{submodule}")
        value = module if submodule == name else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
