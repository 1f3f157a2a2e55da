"""No CJK font installed: one warning instead of matplotlib's one per missing glyph."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from talentgap.errors import DataQualityWarning
from talentgap.evaluation.plots import fonts


def test_glyph_warnings_give_way_to_one_summary(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_fonts", lambda: ())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with fonts.font_context(["温州", "纺织"]):
            fig, ax = plt.subplots()
            ax.set_title("温州 纺织 杭州")
        fig.canvas.draw()  # drawn after the context, as the charts are saved later
        plt.close(fig)
    glyphs = [w for w in caught if "Glyph" in str(w.message)]
    summaries = [w for w in caught if issubclass(w.category, DataQualityWarning)]
    assert glyphs == []
    assert len(summaries) == 1 and "fonts-noto-cjk" in str(summaries[0].message)


def test_the_report_note_names_the_font_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_fonts", lambda: ())
    note = fonts.missing_font_note(["温州", "textiles"])
    assert "empty boxes" in note and "fonts-noto-cjk" in note and "fonts-wqy-zenhei" in note
    assert fonts.missing_font_note(["Amberfield"]) is None
