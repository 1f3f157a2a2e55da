"""No rule is skipped on the fast path for tables that already have canonical dtypes.

For every rule of :func:`talentgap.schema.validate` a table breaking it is
given twice to :func:`talentgap.features._inputs.canonical_table` (the entry
of ``build_panel``, ``estimate_cells`` and ``training_supply``): once raw
(keys as text, periods as labels), once with canonical dtypes (categorical
keys, Periods, ``int64`` counts). Both must end the same way: the same error
type, rule, column, failing rows and message, or the same warnings and the
same clean table.
"""

from __future__ import annotations

import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talentgap._checks import EXCEL_ERRORS, categories_pass
from talentgap._text_checks import (
    folds_apart,
    line_broken,
    nfc_text,
    plain_ascii_text,
    shared_text,
    suspect_text,
    totals_labels,
)
from talentgap.datasets import make_synthetic
from talentgap.errors import SchemaError
from talentgap.features import estimate_cells
from talentgap.features._inputs import _canonical_dtypes, canonical_table
from talentgap.schema import get_schema, validate

FREQ = "Q"


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """Raw forms (text keys, period labels) of valid tables of each kind."""
    data = make_synthetic(n_regions=2, industries=2, n_periods=4, seed=3)
    raw = {name: _as_raw(validate(getattr(data, name), table=name, freq=FREQ), name)
           for name in ("surveys", "training", "employment")}
    surveys = raw["surveys"]
    # the long form: one row per enterprise-period x occupation, enterprise columns repeated
    long = pd.concat([surveys.assign(occupation="welder"), surveys.assign(occupation="fitter")],
                     ignore_index=True)
    raw["long"] = long
    return raw


def _as_raw(clean: pd.DataFrame, table: str) -> pd.DataFrame:
    raw = clean.copy()
    for col in get_schema(table).columns:
        if col.name not in raw.columns:
            continue
        if col.kind == "period":
            raw[col.name] = raw[col.name].astype(str).astype(object)
        elif col.kind in ("id", "key"):
            raw[col.name] = raw[col.name].astype(object)
    return raw


def _as_canonical(raw: pd.DataFrame, table: str, storage=None) -> pd.DataFrame:
    """The same values in the dtypes validation returns (categories sorted where they sort).

    ``storage``: the dtype of the categories (None: pandas' own text dtype, Arrow-backed).
    """
    out = raw.copy()
    for col in get_schema(table).columns:
        if col.name not in out.columns:
            continue
        values = out[col.name]
        if col.kind == "period":
            out[col.name] = pd.PeriodIndex(values.tolist(), freq=FREQ)
        elif col.kind in ("id", "key"):
            present = pd.unique(values.dropna())
            try:
                categories = sorted(present)
            except TypeError:  # mixed types (7 and "7"): in order of appearance
                categories = list(present)
            out[col.name] = pd.Categorical(values, categories=pd.Index(categories,
                                                                      dtype=storage))
        elif col.kind == "flag" and values.isna().any():
            out[col.name] = values.astype("boolean")
    return out


def _outcome(df: pd.DataFrame, table: str, freq: str | None):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            clean = canonical_table(df, table, freq=freq)
        except SchemaError as error:
            cases = error.failure_cases
            rows = (None if cases is None else
                    cases[["line", "column", "rule"]].astype(str).values.tolist())
            return {"error": type(error), "rule": error.reason, "column": error.column,
                    "rows": rows, "message": str(error)}
    return {"warnings": [str(w.message) for w in caught], "clean": clean}


def _set(column: str, rows: list[int], value):
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        values = df[column].astype(object) if df[column].dtype == bool and value is None \
            else df[column]
        values = values.copy()
        values.iloc[rows] = value
        df[column] = values
        return df
    return change


def _same_period_other_id(df: pd.DataFrame) -> tuple[int, int]:
    """Two rows of one period with different enterprises."""
    first = df["period"].iloc[0]
    rows = np.flatnonzero((df["period"] == first).to_numpy())
    return int(rows[0]), int(rows[1])


def _lookalike_id(df: pd.DataFrame) -> pd.DataFrame:
    i, j = _same_period_other_id(df)
    df = df.copy()
    df.loc[j, "enterprise_id"] = str(df.loc[i, "enterprise_id"]).lower()
    return df


def _repeated_key(df: pd.DataFrame) -> pd.DataFrame:
    i, j = _same_period_other_id(df)
    df = df.copy()
    df.loc[j, "enterprise_id"] = df.loc[i, "enterprise_id"]
    return df


def _copied_row(df: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([df, df.iloc[[2]]], ignore_index=True)


def _other_region(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    regions = sorted(df["region"].unique())
    df.loc[0, "region"] = regions[1] if df.loc[0, "region"] == regions[0] else regions[0]
    return df


def _above_five_times(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.loc[4, "vacancies"] = df.loc[4, "employees"] * 6 + 1
    return df


def _over(a: str, b: str):
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df.loc[1, a] = df.loc[1, b] + 1
        return df
    return change


def _unchanged(df: pd.DataFrame) -> pd.DataFrame:
    return df


NFD_ZURICH = unicodedata.normalize("NFD", "Zürich")

#: (table, change to the raw rows, declared frequency); one case per rule of validation.
CASES = {
    "valid surveys": ("surveys", _unchanged, FREQ),
    "valid long surveys": ("long", _unchanged, FREQ),
    "valid training": ("training", _unchanged, FREQ),
    "valid employment": ("employment", _unchanged, FREQ),
    "totals_row Total": ("surveys", _set("region", [3, 8], "Total"), FREQ),
    "totals_row 合计": ("surveys", _set("region", [3], "合计"), FREQ),
    "totals_row 小计 label": ("surveys", _set("industry", [5], "鹿城区小计"), FREQ),
    "totals_row in the id": ("surveys", _set("enterprise_id", [6], "小计"), FREQ),
    "totals_row training": ("training", _set("region", [2], "Grand total"), FREQ),
    "line_break_in_code": ("surveys", _set("region", [3, 4], "North\nvale"), FREQ),
    "excel_error": ("surveys", _set("region", [7], "#N/A"), FREQ),
    "excel_error in the id": ("surveys", _set("enterprise_id", [7], "#REF!"), FREQ),
    "surrounding_space leading": ("surveys", _set("region", [2], " Ashmere"), FREQ),
    "surrounding_space trailing": ("surveys", _set("size_band", [2], "medium "), FREQ),
    "missing_value blank key": ("surveys", _set("region", [9], "  "), FREQ),
    "missing_value key": ("surveys", _set("industry", [9], None), FREQ),
    "text_collision": ("surveys", lambda df: _set("industry", [1], 7)(
        _set("industry", [2], "7")(df)), FREQ),
    "NFC composition": ("surveys", _set("region", [0, 1], NFD_ZURICH), FREQ),
    "missing_value period": ("surveys", _set("period", [4], None), FREQ),
    "bad_period frequency": ("surveys", _unchanged, "M"),
    "negative": ("surveys", _set("employees", [3], -1), FREQ),
    "too_large": ("surveys", _set("employees", [5], 2**60), FREQ),
    "not_positive weight 0": ("surveys", _set("weight", [2], 0.0), FREQ),
    "not_positive weight inf": ("surveys", _set("weight", [2], np.inf), FREQ),
    "missing_value weight": ("surveys", _set("weight", [2], np.nan), FREQ),
    "missing_value flag": ("surveys", _set("reports_shortage", [4], None), FREQ),
    "exceeds_vacancies": ("surveys", _over("hard_to_fill", "vacancies"), FREQ),
    "exceeds_trained": ("training", _over("certified", "trained"), FREQ),
    "exceeds_employment": ("employment", _over("skilled", "employment"), FREQ),
    "duplicate_key": ("surveys", _repeated_key, FREQ),
    "duplicate_row": ("surveys", _copied_row, FREQ),
    "duplicate_row training": ("training", _copied_row, FREQ),
    "duplicate_row employment": ("employment", _copied_row, FREQ),
    "look-alike ids": ("surveys", _lookalike_id, FREQ),
    "not_constant": ("long", _other_region, FREQ),
    "mixed_detail_rows": ("long", _set("occupation", [0], None), FREQ),
    "suspicious_above warning": ("surveys", _above_five_times, FREQ),
}

#: Cases whose canonical form cannot keep canonical dtypes (the dtype check sends them on).
_NOT_CANONICAL_DTYPES = {"missing_value flag"}
#: Cases whose message shows each value as it was typed: a Period, not a quoted label.
_SHOWN_AS_TYPED = {"bad_period frequency"}


@pytest.mark.parametrize("storage", [None, object])
@pytest.mark.parametrize("case", list(CASES))
def test_the_fast_path_ends_as_the_raw_table_does(tables, case, storage):
    name, change, freq = CASES[case]
    table = "surveys" if name == "long" else name
    raw = change(tables[name])
    fast = _as_canonical(raw, table, storage)
    assert _canonical_dtypes(fast, get_schema(table)) == (case not in _NOT_CANONICAL_DTYPES)
    expected, found = _outcome(raw, table, freq), _outcome(fast, table, freq)
    if "error" in expected:
        if case in _SHOWN_AS_TYPED:
            assert found.pop("message").replace("'", "") == expected.pop("message").replace(
                "'", "")
        assert found == expected
        return
    assert found.keys() == expected.keys(), found
    assert found["warnings"] == expected["warnings"]
    # object categories are kept as they are on the fast path (validation writes str)
    pd.testing.assert_frame_equal(found["clean"], expected["clean"],
                                  check_categorical=storage is None)


def test_the_rules_make_their_failures(tables):
    """Each case breaks the rule it is named after (so the comparison above means something)."""
    for case, (name, change, freq) in CASES.items():
        table = "surveys" if name == "long" else name
        found = _outcome(change(tables[name]), table, freq)
        if case.startswith("valid") or case == "NFC composition":
            assert "clean" in found and not found["warnings"], case
        elif case == "suspicious_above warning":
            assert any("vacancies > 5 x employees" in w for w in found["warnings"])
        elif case == "look-alike ids":
            assert found["rule"] == "duplicate_key" and "letter case" in found["message"]
        else:
            assert case.split(" ")[0] in {rule for _, _, rule in found["rows"]}, case


def test_renamed_region_categories_fail_in_estimate_cells_as_in_validation(tables):
    """The totals label renamed into the categories of a typed table is refused, with lines."""
    clean = validate(tables["surveys"], table="surveys", freq=FREQ)
    first = clean["region"].cat.categories[0]
    for label in ["Total", "合计", "#N/A", "a\nb"]:
        renamed = clean.assign(region=clean["region"].cat.rename_categories({first: label}))
        with pytest.raises(SchemaError) as fast:
            estimate_cells(renamed, freq=FREQ)
        with pytest.raises(SchemaError) as raw:
            validate(renamed.astype({"region": object}), table="surveys", freq=FREQ)
        assert str(fast.value) == str(raw.value)
        assert fast.value.failure_cases["line"].tolist() == \
            raw.value.failure_cases["line"].tolist()


def test_nfd_categories_are_composed_as_validation_does(tables):
    clean = validate(tables["surveys"], table="surveys", freq=FREQ)
    first = clean["region"].cat.categories[0]
    renamed = clean.assign(region=clean["region"].cat.rename_categories({first: NFD_ZURICH}))
    out = canonical_table(renamed, "surveys", freq=FREQ)
    assert out is not renamed
    assert "Zürich" in out["region"].cat.categories
    assert NFD_ZURICH not in out["region"].cat.categories


def test_a_valid_typed_table_still_takes_the_fast_path(tables):
    clean = validate(tables["surveys"], table="surveys", freq=FREQ)
    assert canonical_table(clean, "surveys", freq=FREQ) is clean
    long = validate(tables["long"], table="surveys", freq=FREQ)
    assert canonical_table(long, "surveys", freq=FREQ) is long


# ---- the Arrow shortcut of the text rules ---------------------------------------------------

_LETTERS = "EeTtOoAaLlSsUuMm0 #\n\t\u3000é\u0301合计:-"


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.text(alphabet=_LETTERS, max_size=6), min_size=1, max_size=6,
                       unique=True),
       ids=st.booleans())
def test_plain_ascii_text_never_passes_what_the_text_checks_catch(values, ids):
    arrow = pd.Index(values, dtype="string[pyarrow]")
    if plain_ascii_text(arrow, ids=ids):
        with shared_text():
            as_object = pd.Index(values, dtype=object)
            assert not suspect_text(as_object)
            assert nfc_text(as_object) is None
            assert not line_broken(as_object).any()
            assert not as_object.isin(EXCEL_ERRORS).any()
            assert not totals_labels(as_object).any()
            assert not ids or folds_apart(as_object)


def test_plain_ascii_text_takes_the_usual_codes():
    usual = ["E0000001", "E0000002", "North vale", "machine-building", "textiles"]
    assert plain_ascii_text(pd.Index(usual[:2], dtype="string[pyarrow]"), ids=True)
    assert plain_ascii_text(pd.Index(usual, dtype="string[pyarrow]"))
    # one id written in both letter cases: the fold decides, not the shortcut
    assert not plain_ascii_text(pd.Index(["E0001", "e0002"], dtype="string[pyarrow]"), ids=True)
    assert categories_pass(pd.Index(["E0001", "e0002"], dtype="string[pyarrow]"), ids=True)
