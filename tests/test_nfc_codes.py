"""Text codes are compared in Unicode NFC: ``é`` typed as one character or as ``e``
plus a combining accent is one code, in validation and in a plan's parameter tables."""

from __future__ import annotations

import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap._text_checks import nfc_codes, nfc_text
from talentgap.io import read_table
from talentgap.schema import validate

NFD = unicodedata.normalize("NFD", "Zürich")


def test_helpers():
    assert nfc_text(pd.Index(["Zürich", "Bern"])) is None   # already composed: no copy
    assert nfc_text(pd.Index([NFD, 5])).tolist() == ["Zürich", 5]
    codes, uniques = nfc_codes(np.array([0, 1, 2, -1]), ["Zürich", NFD, "Bern"])
    assert codes.tolist() == [0, 0, 1, -1] and uniques.tolist() == ["Zürich", "Bern"]


@pytest.mark.parametrize("categorical", [False, True])
def test_validate_makes_one_code(categorical):
    region = ["Zürich", NFD, "Bern"]
    frame = pd.DataFrame({"period": "2024", "region": region, "industry": ["X", "Y", "X"],
                          "employment": [1, 2, 3]})
    if categorical:
        frame["region"] = pd.Categorical(region)
    clean = validate(frame, table="employment")
    assert clean["region"].cat.categories.tolist() == ["Bern", "Zürich"]
    assert clean["region"].astype(str).tolist() == ["Zürich", "Zürich", "Bern"]
    # one cell written both ways is one cell: a repeated key
    with pytest.raises(tg.errors.SchemaError, match="duplicate_key"):
        validate(frame.assign(industry="X"), table="employment")


def test_read_table_and_allowed_codes(tmp_path):
    path = tmp_path / "employment.csv"
    path.write_text(f"period,region,industry,employment\n2024,{NFD},X,1\n2024,Bern,X,2\n")
    clean = read_table(path, table="employment", allowed={"region": ["Zürich", "Bern"]})
    assert clean["region"].astype(str).tolist() == ["Zürich", "Bern"]
    clean = validate(clean.assign(region=["Zürich", "Bern"]), table="employment",
                     allowed={"region": [NFD, "Bern"]})
    assert len(clean) == 2


def test_capacity_row_in_decomposed_text_applies():
    gap = pd.DataFrame({"region": ["é", "B"], "industry": "X", "period": "2026",
                        "gap": [30.0, 10.0]})
    capacity = pd.DataFrame({"region": [unicodedata.normalize("NFD", "é")], "capacity": [5]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", tg.errors.DataQualityWarning)
        quotas = tg.planning.allocate_quotas(gap, budget=1e4, cost_per_trainee=100,
                                             pass_rate=1, capacity=capacity).quotas
    by_region = quotas.set_index(quotas["region"].astype(str))
    assert by_region.loc["é", "quota"] == 5 and by_region.loc["é", "capacity"] == 5
    gap2 = gap.assign(region=["Zürich", "B"])
    quotas = tg.planning.allocate_quotas(
        gap2, budget=1e4, cost_per_trainee=100, pass_rate=1,
        capacity=pd.DataFrame({"region": [NFD], "capacity": [5]})).quotas
    assert quotas.set_index(quotas["region"].astype(str)).loc["Zürich", "quota"] == 5
