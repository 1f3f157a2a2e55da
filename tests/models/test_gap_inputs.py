"""Tests of talentgap.models._gap_inputs: the gap model's parameters follow the shared rules."""

from __future__ import annotations

import numpy as np
import pytest

import talentgap as tg
from talentgap.errors import ParameterError
from talentgap.models._gap_inputs import check_params


def _gap(**params):
    return tg.models.GapForecaster(**params)


@pytest.mark.parametrize(("keys", "expected"), [
    (("region", "industry"), ["region", "industry"]), (["industry"], ["industry"]),
    (np.array(["region", "industry"]), ["region", "industry"]),
])
def test_keys_as_a_list(keys, expected):
    assert check_params(_gap(keys=keys)) == expected


@pytest.mark.parametrize(("keys", "message"), [
    ("region", r"^keys == 'region' is one string; pass a list of column names"),
    ([], r"^keys == \[\], must name at least one column"),
    (["region", "region"], r"names 'region' more than once; each key column is named once$"),
    (["region", 3], r"^keys == \['region', 3\], must be column names \(str\)"),
    (["region", "period"], r"^keys == \['region', 'period'\] include 'period': a key cannot "
                           r"be the time column 'period'"),
    (["region", "supply"], r"include 'supply': a key cannot be the supply column 'supply'"),
    (None, r"^keys == None, must be a list of column names"),
])
def test_bad_keys(keys, message):
    with pytest.raises(ParameterError, match=message):
        check_params(_gap(keys=keys))


@pytest.mark.parametrize(("params", "message"), [
    ({"n_samples": 0}, r"^n_samples == 0, must be an integer >= 1 \(e\.g\. 1000\)$"),
    ({"n_samples": 500.0}, r"^n_samples == 500\.0, .*\(e\.g\. 1000\) \(write 500\)$"),
    ({"n_samples": True}, r"^n_samples == True, must be an integer >= 1"),
    ({"horizon": 0}, r"^horizon == 0, must be an integer >= 1 \(the longest horizon the model "
                     r"will be asked for\) or None$"),
    ({"horizon": np.float64(4)}, r"^horizon == np\.float64\(4\.0\), .* or None \(write 4\)$"),
    ({"random_state": -1}, r"^random_state == -1, must be an integer >= 0"),
    ({"random_state": 1.0}, r"^random_state == 1\.0, must be an integer >= 0"),
    ({"random_state": np.True_}, r"^random_state == np\.True_, must be an integer >= 0"),
])
def test_whole_numbers_follow_the_count_rule(params, message):
    with pytest.raises(ParameterError, match=message):
        check_params(_gap(**params))


def test_numpy_integers_are_whole_numbers():
    check_params(_gap(n_samples=np.int32(100), horizon=np.int64(4), random_state=np.uint8(1)))
