"""Conformal prediction intervals from rolling-origin forecast errors.

The method, for horizon step ``h`` and coverage level ``1 - a``:

1. **Errors.** Origin ``k`` of the rolling-origin backtest holds out each
   series' last ``H + k`` periods, refits and forecasts ``H`` steps; its
   errors are ``e = actual - forecast``.
2. **Scale-free errors, without look-ahead.** Each error is divided by a
   scale of its series: the mean absolute seasonal difference (the MASE
   denominator, :func:`series_scale`) computed from the series *without the
   H periods that origin forecast* (:func:`calibration_scales`). A scale
   computed from the whole series would contain the very actuals the errors
   are measured against: a window with a large surprise also has large
   differences, so its scaled error shrinks. On short series that bias is
   large (on the yearly Tourism series, 80% intervals covered 70% of the
   actuals), while the forecast being issued has no future in its scale.
   A window's scale is the same statistic as the series' own scale (the
   seasonal differences, or the fallback the series needs); a window that
   leaves too little data for it contributes no errors.
   The statistic is the geometric mean of its value over the whole series
   and over the series' recent periods (:func:`recent_periods`: four
   seasons, at least 8 periods, before the forecast or the window). A series
   whose movements grew or faded over the years is then scaled by what it
   does now, while the long history keeps the scale steady: with the whole
   series alone, the long series of a data set (whose early, smaller
   movements dilute the scale) were under-covered and the short ones
   over-covered; with the recent periods alone, the noise of a few
   differences widened the intervals. A difference far outside the
   series' own (beyond ``10`` interquartile ranges of its differences,
   :func:`difference_fences`) is left out of the statistic: it is a data
   error, one value typed 50 times too large, say, not a movement of the
   series (with it, such a value made one series' scale 160 times its usual
   size). :func:`outlying_values` names such values, and the forecasters
   warn about them when fitted.
   A series that never changed (:func:`never_changed`: two seasons of
   history or more, at least 4 observations, every observed change 0, one
   period and one season apart) has scale 0. Every model forecasts it
   without backtest error and its history has no typical change to scale
   the pooled errors by, so its interval is its point forecast; its errors
   (0 over 0) stay out of the pool and out of the pooled medians of step 7,
   and the other series' intervals are the same with or without it. (The
   fallback to ``mean(|y|)`` once applied here: a level, not a change, it
   gave a series at exactly 40 for 40 quarters an 80% interval of 21 to 60
   from the naive model and about 40 +- 3 from ETS, set by how small the
   other series' errors happened to be against the zeros it put in the
   pool.) A shorter run of equal values keeps the fallback ``mean(|y|)``
   and the calibration of its history class (step 6). A short run of zeros
   (:func:`uninformative_scales`) has no statistic at all; the last fallback,
   1 person, made its interval a person or two wide next to series of
   hundreds. It takes the median scale of the windows that calibrate its
   history class instead (:func:`class_scales`; a window of zeros, the
   median of the other windows', :func:`window_scales`).
3. **Pooling.** The ``n`` scaled errors of all series and origins at step
   ``h`` are pooled, so that short series borrow calibration from the
   others (one series has only ``n_windows`` errors per step).
4. **Finite-sample quantiles of signed errors.** With ``r = ceil((n + 1)(1 -
   a/2))``, the upper bound is the ``r``-th smallest scaled error and the
   lower bound the ``r``-th largest: each tail holds at most ``a/2`` of a new
   exchangeable error, so the interval covers at least ``1 - a`` (split
   conformal prediction, Vovk, Gammerman & Shafer 2005; Lei et al. 2018,
   section 5.2, for the two one-sided quantiles; Stankeviciute et al. 2021
   for multi-horizon forecasts). Signed errors keep a systematic bias of the
   forecasts (a growth they undershoot, say) in the interval, which may then
   be asymmetric. A step with too few errors for the tails (``n + 1 < 2/a``:
   fewer than 9 for 80%, 39 for 95%) uses the symmetric conformal quantile of
   ``|e|``, rank ``ceil((n + 1)(1 - a))``; with fewer still (``n + 1 < 1/a``)
   the largest ``|e|``, with a :class:`~talentgap.errors.DataQualityWarning`.
5. **Shape.** The interval contains the point forecast (lower <= 0 <=
   upper), its width never shrinks with the horizon (a narrower step is
   widened equally on both sides), and a wider level contains a narrower
   one. The bounds are ``mean + lower * s`` and ``mean + upper * s`` with
   ``s`` the series' scale from all its data times its difficulty factor
   (step 7), clipped at 0 for count data. Before the ranks are taken, a
   pooled scaled error beyond the step's far fences (``10`` interquartile
   ranges beyond its quartiles) is set to the fence: the widest bounds of a
   small pool (a 95% bound from 50 errors is the largest of them) then
   reach the fence, not a data error hundreds of typical errors out; ranks
   inside the fences do not move.
6. **Short histories (Mondrian by history length).** A series with fewer
   than :func:`short_history_limit` observations (two seasons, at least 4)
   has no rolling-origin errors of its own, a scale estimated from a few
   differences, and a forecast from a fallback model; the errors pooled
   from long series understate its uncertainty (80% intervals covered
   61-65% of the truth for cells with 2-8 quarters on synthetic data). So
   does a series none of whose backtest errors can be scaled without the
   periods they forecast (step 2; e.g. 8 quarters and a 4-step horizon):
   :func:`short_histories` names both kinds.
   Such series are calibrated within their own class: for each history
   length ``k`` present, windows of ``k`` consecutive observations of the
   longer series (from their first observation, shifted by ``0 ..
   n_windows - 1`` periods; :func:`short_windows`) are forecast by the same
   model as a ``k``-observation series would be and scaled by the same
   statistic computed from those ``k`` observations. Their scaled errors
   give the class's conformal quantiles as in steps 4 and 5 (Mondrian
   conformal prediction with the history length as taxonomy; Vovk,
   Gammerman & Shafer 2005, ch. 4), never narrower than the pooled ones.
   Series with more observations keep the pooled quantiles unchanged.
7. **Difficulty of each series (locally adaptive scale).** The MASE scale
   of step 2 measures how much a series moves, not how hard it is to
   forecast: a smooth trend moves a lot and is easy, a noisy series the
   reverse. Pooled quantiles then mix easy and hard series, and one band
   is too wide for the first and too narrow for the second; at 95% the
   hard series' errors set the band for all. Each series'
   scale is therefore multiplied by a difficulty factor
   (:func:`difficulty_factors`; normalised conformal prediction,
   Papadopoulos, Vovk & Gammerman 2011; Lei et al. 2018, section 5.2): the
   square root of the mean of its absolute scaled backtest errors relative
   to the pool's median at the same step, with one origin's worth of
   pseudo-errors at the pool's level (a series without backtest errors
   keeps factor 1). A relative error above the pool's "far out" fence at
   its step (``Q3 + 3 IQR``, about 5 times the median error) counts as the
   fence, so the errors one data error causes do not make the series look
   hundreds of times harder than it is. The square root pools the series' estimate half-way
   (geometrically) towards the common level, because the few, overlapping
   origins of one series measure its difficulty with much noise. The
   errors of origin ``k`` are scaled by the factor estimated from the
   errors of the other origins whose actuals origin ``k`` does not forecast
   (cross-fitted; origins one period apart share most of their actuals, and
   leaving out only origin ``k`` let a large error shrink itself: 95%
   intervals covered 93% of simulated AR(1) series instead of 95%). The
   forecast's factor is the mean of the origins' factors: estimated from
   as many errors as those, it is shrunk as much towards 1 (a factor from
   all errors would be less so, and intervals of hard series too wide).

Where the steps live: the scales of step 2 (and the outlying values they
reveal) in :mod:`talentgap.models._conformal.scales`, the fences of a
series' own differences in :mod:`talentgap.models._conformal.fences`;
the pooled quantiles of steps 3-5, the difficulty factors of step 7 and the
interval bounds in :mod:`talentgap.models._conformal.quantiles`; the short
histories of step 6 in :mod:`talentgap.models._conformal.short_series`.
Every name of ``__all__`` is importable from this package.
"""

from talentgap.models._conformal.quantiles import (
    DIFFICULTY_FENCE_IQR,
    conformal_quantiles,
    difficulty_factors,
    interval_bounds,
)
from talentgap.models._conformal.scales import (
    OWN_FENCE_IQR,
    OWN_FENCE_MIN,
    calibration_scales,
    class_scales,
    difference_fences,
    never_changed,
    outlying_changes,
    outlying_values,
    recent_periods,
    series_scale,
    uninformative_scales,
    window_scales,
)
from talentgap.models._conformal.short_series import (
    short_histories,
    short_history_limit,
    short_windows,
)

__all__ = ["series_scale", "recent_periods", "calibration_scales", "conformal_quantiles",
           "interval_bounds", "short_history_limit", "short_histories", "short_windows",
           "difficulty_factors", "difference_fences", "outlying_values", "outlying_changes",
           "never_changed", "uninformative_scales", "window_scales", "class_scales",
           "OWN_FENCE_IQR",
           "OWN_FENCE_MIN", "DIFFICULTY_FENCE_IQR"]
