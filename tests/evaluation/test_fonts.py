"""CJK names in charts: a fallback font when one is installed, a warning when none is."""

from __future__ import annotations

import logging
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


def test_the_cjk_font_weight_message_is_dropped_for_that_family_only(caplog):
    found = fonts.cjk_fonts()
    if not found:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-zenhei)")
    with fonts.font_context(["温州"]):
        pass
    log = logging.getLogger("matplotlib.font_manager")
    message = "findfont: Failed to find font weight %s for %s, now using %s."
    with caplog.at_level(logging.WARNING, logger="matplotlib.font_manager"):
        log.warning(message, "normal", found[0], 500)
        log.warning(message, "normal", "Some Latin Family", 500)
        log.warning("findfont: Font family %s not found.", found[0])
    shown = [record.getMessage() for record in caplog.records]
    assert not any(found[0] in text and "weight" in text for text in shown)
    assert any("Some Latin Family" in text for text in shown)
    assert any("not found" in text for text in shown)
