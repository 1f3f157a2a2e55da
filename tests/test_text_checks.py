"""Tests of talentgap._text_checks: blank and spaced text, found on distinct values."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap import _text_checks


def test_spaced_text_on_distinct_values():
    values = pd.Index(["a", " b", "c\t", "", "  ", 3, None, "d e"], dtype=object)
    assert _text_checks.spaced_text(values).tolist() == [False, True, True, False, False,
                                                         False, False, False]
    assert not _text_checks.spaced_text(pd.Index([], dtype=object)).any()


EDGE_CASES = ["Ouhai", "", "   ", " Longwan", "Longwan ", "\u3000Ouhai", "Ouhai\x1c", "Ou hai",
              "\x00Ouhai"]


@pytest.mark.parametrize("value", EDGE_CASES)
def test_suspect_text_reads_arrow_text_as_the_python_strings(value):
    pytest.importorskip("pyarrow")
    strings = ["Lucheng", value, "Ouhai"]
    expected = value.strip() != value or value.strip() == ""  # blank or spaced
    as_objects = _text_checks.suspect_text(pd.Index(strings, dtype=object))
    in_arrow = _text_checks.suspect_text(pd.Index(strings, dtype=pd.StringDtype("pyarrow")))
    assert in_arrow == expected
    assert as_objects or not expected  # the joined-text scan may only over-report (NUL)
