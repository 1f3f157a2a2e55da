"""Fonts for Chinese, Japanese and Korean names in charts.

matplotlib's default font has no CJK glyphs: region and industry names such
as 温州 or 纺织 come out as empty boxes. :func:`cjk_fonts` lists the installed
font families that cover them, and :func:`font_context` gives a
:func:`matplotlib.rc_context` whose font family list falls back to one of
them glyph by glyph (matplotlib >= 3.6), only when the given texts need it.
Charts drawn inside the context keep the fonts when saved later. Nothing is
changed outside the context: the plotting functions never touch ``rcParams``.

Examples
--------
>>> needs_cjk(["Amberfield", "textiles"]), needs_cjk(["温州", "textiles"])
(False, True)
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from contextlib import nullcontext
from functools import lru_cache

from matplotlib import font_manager, rc_context, rcParams

from talentgap.errors import DataQualityWarning, warn

__all__ = ["needs_cjk", "cjk_fonts", "font_context", "missing_font_note", "MISSING_FONT_HINT"]

#: How to install a font with CJK glyphs (named in the warning and the report's note).
MISSING_FONT_HINT = ("install one (e.g. on Debian or Ubuntu: apt-get install fonts-noto-cjk "
                     "or fonts-wqy-zenhei) and run again")
#: matplotlib's warning for each character its font lacks (one per glyph and chart).
_GLYPH_MISSING = r"Glyph \d+ .*missing from"

#: CJK ideographs, kana, hangul and CJK punctuation.
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
#: Families known to cover CJK, preferred first; any other family whose name says CJK follows.
KNOWN_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                  "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
                  "Hiragino Sans GB", "Heiti SC", "AR PL UMing CN", "Noto Serif CJK SC")


class _QuietWeight(logging.Filter):
    """Drops matplotlib's "Failed to find font weight ... for <family>" for CJK families.

    The CJK families come in one weight (WenQuanYi Zen Hei is 500, not 400),
    so every chart drawn with them logs it once per text style; nothing is
    wrong. Other families and every other message still get through.
    """

    def __init__(self) -> None:
        super().__init__()
        self.families: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (str(record.msg).startswith("findfont: Failed to find font weight")
                    and len(args) > 1 and str(args[1]) in self.families)


_QUIET_WEIGHT = _QuietWeight()


def _quiet_weight_of(family: str) -> None:
    """Silence the font-weight message for ``family`` on matplotlib's font logger."""
    _QUIET_WEIGHT.families.add(family)
    logger = logging.getLogger("matplotlib.font_manager")
    if _QUIET_WEIGHT not in logger.filters:
        logger.addFilter(_QUIET_WEIGHT)


def needs_cjk(texts: Iterable[object]) -> bool:
    """Whether any of ``texts`` holds a CJK character."""
    return any(_CJK.search(str(text)) for text in texts)


@lru_cache(maxsize=1)
def cjk_fonts() -> tuple[str, ...]:
    """Installed font families that cover CJK characters, preferred first.

    Returns
    -------
    tuple of str
        Family names as matplotlib knows them; empty when none is installed
        (on Debian, ``apt-get install fonts-noto-cjk`` or ``fonts-wqy-zenhei``
        provides one).
    """
    manager = font_manager.fontManager
    installed = _families(manager)
    if not _cjk_families(installed):  # fonts installed after matplotlib cached its list
        known_files = {font.fname for font in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known_files:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # unreadable font files
                    continue
        installed = _families(manager)
    return _cjk_families(installed)


def _families(manager) -> set[str]:
    return {font.name for font in manager.ttflist}


def _cjk_families(installed: set[str]) -> tuple[str, ...]:
    known = [name for name in KNOWN_FAMILIES if name in installed]
    other = sorted(name for name in installed - set(known)
                   if re.search(r"CJK|Han Sans|WenQuanYi|Hei\b|Ming|Song|Kai|Gothic", name))
    return tuple(known + other)


def font_context(texts: Iterable[object]):
    """A context in which charts can show ``texts``, CJK names included.

    Parameters
    ----------
    texts : iterable
        The labels the charts will show (region and industry names, ...).

    Returns
    -------
    context manager
        :func:`matplotlib.rc_context` with the default sans-serif fonts
        followed by an installed CJK family when ``texts`` need one; a
        context that changes nothing otherwise. matplotlib's log message that
        the CJK family has no regular weight (it has one weight only) is
        dropped for that family. When they need one and none
        is installed, a :class:`~talentgap.errors.DataQualityWarning` says so
        (the names then show as boxes) and matplotlib's own warning for each
        missing glyph is silenced from then on: the one warning stands for them.
    """
    if not needs_cjk(texts):
        return nullcontext()
    families = cjk_fonts()
    if not families:
        warn("charts show Chinese, Japanese or Korean names but no font with those glyphs "
             f"is installed, so they appear as boxes; {MISSING_FONT_HINT}",
             DataQualityWarning, stacklevel=2)
        # this one warning stands for matplotlib's one per missing glyph, which would
        # otherwise follow by the dozen when the charts are drawn (possibly after the context)
        warnings.filterwarnings("ignore", message=_GLYPH_MISSING, category=UserWarning)
        return nullcontext()
    # charts may be saved after the context ends, so the filter stays for this family
    _quiet_weight_of(families[0])
    # explicit family names: matplotlib falls back glyph by glyph along this list
    base = [name for name in rcParams["font.sans-serif"] if name not in families]
    return rc_context({"font.family": [*base[:1], families[0]]})


def missing_font_note(texts: Iterable[object]) -> str | None:
    """A sentence for a report whose charts show ``texts`` without a font for them, or None.

    Parameters
    ----------
    texts : iterable
        The labels the charts show.

    Returns
    -------
    str or None
        None when no text needs a CJK font or one is installed.

    Examples
    --------
    >>> missing_font_note(["Amberfield"]) is None
    True
    """
    if not needs_cjk(texts) or cjk_fonts():
        return None
    return ("The charts show Chinese, Japanese or Korean names, but no font with those "
            "characters is installed on the computer that made this report, so the names "
            f"appear as empty boxes in the charts (the tables show them correctly); "
            f"{MISSING_FONT_HINT}.")
