"""Lazy imports: ``import talentgap`` and the command's ``--help`` and ``validate`` stay light.

The package and its subpackages ``features``, ``evaluation`` and ``planning``
load their names on first use (PEP 562 ``__getattr__``). Each check of what a
start-up imports runs in a fresh interpreter, so modules an earlier test
imported do not count; the names themselves must behave as eager imports did.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import pickle
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

HEAVY = ("sklearn", "statsmodels", "matplotlib", "fastapi")

#: Report the modules loaded at exit (after the command's SystemExit) to the file argv[1].
_RECORD = textwrap.dedent("""
    import atexit, json, pathlib, runpy, sys
    out, sys.argv = pathlib.Path(sys.argv[1]), ["talentgap", *sys.argv[2:]]
    atexit.register(lambda: out.write_text(json.dumps(sorted(sys.modules))))
    runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
""")


def _loaded(tmp_path: Path, module: str, *args: str,
            ) -> tuple[set[str], subprocess.CompletedProcess]:
    """The modules a fresh ``python -m <module> <args>`` has imported when it exits."""
    record = tmp_path / "modules.json"
    run = subprocess.run([sys.executable, "-c", _RECORD.format(module=module), str(record),
                          *args], capture_output=True, text=True, timeout=300)
    return set(json.loads(record.read_text())), run


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def _run_code(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=True)
    return set(json.loads(run.stdout))


@pytest.mark.parametrize("statement", [
    "import talentgap",
    "import talentgap as tg; tg.__version__; dir(tg)",
    "import talentgap.errors",
    "import talentgap.features, talentgap.evaluation, talentgap.io, talentgap.schema",
])
def test_importing_talentgap_leaves_the_heavy_libraries_alone(statement):
    modules = _run_code(statement)
    assert _heavy(modules) == []
    assert "talentgap" in modules


def test_import_talentgap_loads_no_subpackage():
    modules = _run_code("import talentgap")
    assert sorted(m for m in modules if m.startswith("talentgap.")) == [
        "talentgap._lazy", "talentgap._version"]


def test_the_first_use_of_a_subpackage_imports_it():
    modules = _run_code("import talentgap as tg; tg.models")
    assert {"talentgap.models", "sklearn"} <= modules


def test_submodules_are_reached_by_attribute_as_before():
    # eager imports bound every submodule they loaded; lazy packages import them when asked
    modules = _run_code("import talentgap as tg\n"
                        "assert callable(tg.evaluation.plots.fan_chart)\n"
                        "assert callable(tg.features.survey.estimate_cells)\n"
                        "assert tg.planning.quotas.QuotaPlan is tg.planning.QuotaPlan")
    assert {"talentgap.evaluation.plots", "talentgap.features.survey"} <= modules


def test_help_imports_no_model_plot_or_service_library(tmp_path):
    modules, run = _loaded(tmp_path, "talentgap", "--help")
    assert run.returncode == 0, run.stderr
    assert "usage: talentgap" in run.stdout and "validate" in run.stdout
    assert _heavy(modules) == []


def test_validate_imports_no_model_plot_or_service_library(tmp_path):
    table = tmp_path / "training.csv"
    table.write_text("period,region,industry,trained,certified\n"
                     "2024Q1,North,textiles,120,80\n2024Q1,South,textiles,80,80\n")
    modules, run = _loaded(tmp_path, "talentgap", "validate", f"training={table}")
    assert run.returncode == 0, run.stderr
    assert "training: 2 rows in, 2 kept, 0 rejected" in run.stdout
    assert _heavy(modules) == []
    assert "talentgap.models" not in modules and "talentgap.planning" not in modules


_SURVEYS = ("period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,"
            "reports_shortage\n2024Q1,E1,North,textiles,40,3,2,1\n"
            "2024Q1,E2,South,textiles,12,1,1,1\n")


def test_validate_of_a_config_with_the_default_models_loads_no_model(tmp_path):
    (tmp_path / "surveys.csv").write_text(_SURVEYS)
    config = tmp_path / "plan.toml"
    config.write_text('[data]\nsurveys = "surveys.csv"\n[forecast]\nmodel = "auto"\n'
                      '[backtest]\nbaselines = ["naive", "seasonal_naive"]\n')
    modules, run = _loaded(tmp_path, "talentgap", "validate", "--config", str(config))
    assert run.returncode == 0, run.stderr
    assert "surveys: 2 rows in, 2 kept, 0 rejected" in run.stdout
    assert _heavy(modules) == []
    assert "talentgap.models" not in modules


def test_a_config_naming_another_model_is_checked_against_the_registry(tmp_path):
    from talentgap import _registry
    from talentgap.cli._config_tables import MODEL_NAMES, _ModelNames
    from talentgap.cli.config import load_config
    from talentgap.errors import ConfigError

    config = tmp_path / "plan.toml"
    config.write_text('[forecast]\nmodel = "theta"\n[backtest]\nbaselines = ["drift"]\n')
    assert load_config(config).forecast.model == "theta"
    config.write_text('[forecast]\nmodel = "etz"\n')
    with pytest.raises(ConfigError, match=r"\[forecast\] model must be one of 'auto', .*'ets'"
                                          r".*; got 'etz'; did you mean 'ets'\?"):
        load_config(config)
    # the names a configuration may keep without loading the models are registered ones
    assert _ModelNames.defaults <= set(_registry.config_names()) == set(MODEL_NAMES)
    assert MODEL_NAMES[0] == "auto" and "etz" not in MODEL_NAMES


def _lazy_packages() -> list[str]:
    return ["talentgap", "talentgap.features", "talentgap.evaluation", "talentgap.planning"]


def _type_checking_view(package: str) -> dict[str, tuple[str, str | None]]:
    """Each name the package's ``__init__`` imports (eagerly or for type checkers):
    name -> (module, attribute), attribute None for a submodule."""
    tree = ast.parse(Path(importlib.import_module(package).__file__).read_text())
    body = list(tree.body)
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            body += node.body
    names = {}
    for node in body:
        if isinstance(node, ast.ImportFrom) and node.module.startswith("talentgap"):
            for alias in node.names:
                if node.module == "talentgap":
                    names[alias.name] = (f"talentgap.{alias.name}", None)
                elif alias.name not in ("attach", "__version__"):
                    names[alias.asname or alias.name] = (node.module, alias.name)
    return names


@pytest.mark.parametrize("package", _lazy_packages())
def test_lazy_names_are_what_type_checkers_see(package):
    pkg = importlib.import_module(package)
    view = _type_checking_view(package)
    assert set(view) == set(pkg.__all__) - {"__version__"}
    for name, (module, attribute) in view.items():
        expected = importlib.import_module(module)
        if attribute is not None:
            expected = getattr(expected, attribute)
        assert getattr(pkg, name) is expected, f"{package}.{name}"
    assert set(pkg.__all__) <= set(dir(pkg))


@pytest.mark.parametrize("package", _lazy_packages()[1:])
def test_no_public_name_of_a_subpackage_is_a_module(package):
    # a function named like its module (features.long_form) must be imported eagerly:
    # loading the module binds the module on the package, in the lazy name's place
    pkg = importlib.import_module(package)
    for name in pkg.__all__:
        if importlib.util.find_spec(f"{package}.{name}") is not None:
            importlib.import_module(f"{package}.{name}")
        assert not isinstance(getattr(pkg, name), types.ModuleType), f"{package}.{name}"


def test_top_level_names_and_star_import():
    import talentgap.models.persistence

    assert talentgap.load is talentgap.models.persistence.load
    assert isinstance(talentgap.planning, types.ModuleType)
    from talentgap import datasets, planning

    assert planning.allocate_quotas.__module__ == "talentgap.planning.quotas"
    assert callable(datasets.load_demo)
    namespace: dict = {}
    exec("from talentgap.features import *", namespace)
    assert {"estimate_cells", "long_form", "build_panel"} <= set(namespace)


@pytest.mark.parametrize("package", _lazy_packages())
def test_an_unknown_name_is_an_attribute_error(package):
    pkg = importlib.import_module(package)
    with pytest.raises(AttributeError, match=f"module '{package}' has no attribute 'nope'"):
        pkg.nope  # noqa: B018
    with pytest.raises(ImportError, match="nope"):
        exec(f"from {package} import nope", {})


def test_not_fitted_error_is_made_once_and_pickles():
    import sklearn.exceptions

    from talentgap import errors
    from talentgap.errors import NotFittedError

    assert errors.NotFittedError is NotFittedError
    assert issubclass(NotFittedError, (sklearn.exceptions.NotFittedError, errors.TalentGapError))
    assert NotFittedError.__qualname__ == "NotFittedError"
    assert "NotFittedError" in dir(errors)
    again = pickle.loads(pickle.dumps(NotFittedError("call fit first")))
    assert type(again) is NotFittedError and str(again) == "call fit first"
    with pytest.raises(sklearn.exceptions.NotFittedError):
        raise NotFittedError("call fit first")
