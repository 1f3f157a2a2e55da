"""CJK names in charts: a fallback font when one is installed, a warning when none is."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest
from matplotlib import rcParams

from talentgap.errors import DataQualityWarning
from talentgap.evaluation.plots import fonts


def test_latin_names_change_nothing():
    before = list(rcParams["font.family"])
    with fonts.font_context(["Amberfield", "textiles"]):
        assert list(rcParams["font.family"]) == before


def test_no_cjk_font_installed_warns_once_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_fonts", lambda: ())
    before = list(rcParams["font.family"])
    with pytest.warns(DataQualityWarning, match="fonts-noto-cjk"):
        context = fonts.font_context(["温州"])
    with context:
        assert list(rcParams["font.family"]) == before


def test_cjk_names_render_with_an_installed_font():
    found = fonts.cjk_fonts()
    if not found:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-zenhei)")
    with fonts.font_context(["温州"]):
        fig, ax = plt.subplots()
        ax.set_title("温州 纺织")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # "Glyph ... missing from font(s)"
            fig.canvas.draw()
    finally:
        plt.close(fig)
    assert list(rcParams["font.family"]) != [rcParams["font.family"][0], found[0]]
