"""Tests of talentgap._text_checks: blank and spaced text, found on distinct values."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap import _text_checks


def test_blank_and_spaced_on_distinct_values():
    values = pd.Index(["a", " b", "c\t", "", "  ", 3, None, "d e"], dtype=object)
    blank, spaced = _text_checks.blank_and_spaced(values)
    assert spaced.tolist() == [False, True, True, False, False, False, False, False]
    assert blank.tolist() == [False, False, False, True, True, False, True, False]
    assert not _text_checks.blank_and_spaced(pd.Index([], dtype=object))[1].any()


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


@pytest.mark.parametrize("value", EDGE_CASES)
def test_suspect_text_on_arrow_text_with_missing_values_and_offsets(value):
    pytest.importorskip("pyarrow")
    strings = pd.Index(["Lucheng", None, value, "Ouhai"], dtype=pd.StringDtype("pyarrow"))
    expected = value.strip() != value or value.strip() == ""
    assert _text_checks.suspect_text(strings) == expected  # a missing value is not blank text
    assert _text_checks.suspect_text(strings[2:]) == expected  # a slice: buffers at an offset
    assert not _text_checks.suspect_text(strings[3:])


def test_shared_text_gives_the_same_answers_as_each_check_alone():
    values = pd.Index(["E1", "Total", "a\nb", "e1", "Zu\u0308rich", 7], dtype=object)
    alone = (_text_checks.totals_labels(values).tolist(),
             _text_checks.line_broken(values).tolist(),
             _text_checks.nfc_text(values).tolist(), _text_checks.folds_apart(values))
    with _text_checks.shared_text():
        shared = (_text_checks.totals_labels(values).tolist(),
                  _text_checks.line_broken(values).tolist(),
                  _text_checks.nfc_text(values).tolist(), _text_checks.folds_apart(values))
        again = _text_checks.line_broken(values).tolist()  # read from the kept text
    assert shared == alone
    assert again == alone[1] == [False, False, True, False, False, False]
    assert alone[0] == [False, True, False, False, False, False]
    assert alone[3] is False  # E1 and e1 fold alike


def test_a_nested_shared_text_block_keeps_the_outer_strings():
    values = pd.Index(["E1", "E2"], dtype=object)
    with _text_checks.shared_text():
        _text_checks.line_broken(values)
        outer = _text_checks._SHARED.get()
        with _text_checks.shared_text():
            assert _text_checks._SHARED.get() is outer
            assert id(values) in outer  # the text read in the outer block is found
        assert _text_checks._SHARED.get() is outer  # the inner block does not end it
    assert _text_checks._SHARED.get() is None


def test_validate_warns_at_its_caller():
    import warnings

    from talentgap.errors import DataQualityWarning
    from talentgap.schema import validate

    raw = pd.DataFrame({"period": ["2024", "2024"], "region": ["A", "B"],
                        "industry": ["textiles", "textiles"],
                        "trained": [100, 50], "certified": [70, 50]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validate(raw.iloc[:0], table="training", errors="report")
    found = [w for w in caught if issubclass(w.category, DataQualityWarning)]
    assert found and {w.filename for w in found} == {__file__}
