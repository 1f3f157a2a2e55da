"""Domain variances over a sampling design reduced to integer codes.

:class:`DesignIndex` is a checked design as codes: the PSU of every row, the
stratum of every PSU, the variance scale and lonely-PSU flags of every
stratum (built by :func:`talentgap.features.design.design_index`).
:class:`DomainVariance` turns it into the with-replacement linearisation
variance of the domain totals of any number of score variables, and their
Satterthwaite degrees of freedom, with a few :func:`numpy.bincount` passes: no
loop over strata, PSUs or domains. A domain (a cell in a period) is estimated
within the whole design, so the PSUs of its strata without a row in it count
with ``z = 0``. :mod:`talentgap.features.design` re-exports both classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talentgap.features._variance import NOISE, snap_noise

__all__ = ["DesignIndex", "DomainVariance"]


@dataclass
class DesignIndex:
    """The design of one table, as integer codes.

    Built by :func:`talentgap.features.design.design_index`.

    Attributes
    ----------
    unit : numpy.ndarray of int64
        PSU (within period) of every row, 0..n_units-1.
    stratum_of_unit : numpy.ndarray of int64
        Stratum (within period) of every PSU.
    n_psu : numpy.ndarray of float
        Sampled PSUs per stratum.
    scale : numpy.ndarray of float
        ``(1 - f_h) n_h / (n_h - 1)`` per stratum with ``n_h > 1``;
        ``1 - f_h`` for a lonely stratum under "adjust"; 0 for take-all and
        "certainty" lonely strata.
    lonely : numpy.ndarray of bool
        Strata whose single PSU is centred at the grand mean ("adjust").
    period_of_stratum : numpy.ndarray of int64
        Dense period number of each stratum.
    period_of_row : numpy.ndarray of int64
        Dense period number of each row.
    units_per_period : numpy.ndarray of float
        PSUs sampled per period.
    take_all : numpy.ndarray of bool or None
        Strata whose every PSU was sampled (``n_h >= N_h``): no sampling
        variance, exactly. None when no stratum is (or without ``fpc``).
    period_factor : numpy.ndarray of float or None
        Under ``lonely_psu="average"`` with lonely strata: per period, the
        factor ``S / (S - L)`` on every domain variance (NaN if ``S == L``).

    Examples
    --------
    Two strata (``band``) of two enterprises each, the enterprises the PSUs:

    >>> import pandas as pd
    >>> from talentgap.features.design import SurveyDesign, design_index
    >>> table = pd.DataFrame({"period": pd.period_range("2024Q1", periods=1, freq="Q").repeat(4),
    ...                       "enterprise_id": ["A", "B", "C", "D"],
    ...                       "band": ["s", "s", "l", "l"]})
    >>> index = design_index(table, SurveyDesign(strata="band"))
    >>> index.unit.tolist(), index.stratum_of_unit.tolist(), index.n_psu.tolist()
    ([0, 1, 2, 3], [1, 1, 0, 0], [2.0, 2.0])
    >>> index.scale.tolist()  # n_h / (n_h - 1), no population counts
    [2.0, 2.0]
    """

    unit: np.ndarray
    stratum_of_unit: np.ndarray
    n_psu: np.ndarray
    scale: np.ndarray
    lonely: np.ndarray
    period_of_stratum: np.ndarray
    period_of_row: np.ndarray
    units_per_period: np.ndarray
    take_all: np.ndarray | None = None
    period_factor: np.ndarray | None = None


class DomainVariance:
    """Domain variances of many score variables over one design.

    Built once per (design, domain codes); :meth:`__call__` then costs a few
    :func:`numpy.bincount` passes per score variable.

    Parameters
    ----------
    index : DesignIndex
    codes : numpy.ndarray of int
        Domain (cell-period slot) of every row, 0..n_domains-1.
    n_domains : int

    Examples
    --------
    Two strata of two enterprises each (no population counts); the domain
    holds units 0 and 2, one in each stratum:

    >>> import numpy as np, pandas as pd
    >>> from talentgap.features.design import SurveyDesign, design_index
    >>> table = pd.DataFrame({"period": pd.period_range("2024Q1", periods=1, freq="Q").repeat(4),
    ...                       "enterprise_id": ["A", "B", "C", "D"],
    ...                       "band": ["s", "s", "l", "l"]})
    >>> index = design_index(table, SurveyDesign(strata="band"))
    >>> variance = DomainVariance(index, np.array([0, 1, 0, 1]), 2)
    >>> variance(np.array([4.0, 1.0, 10.0, 3.0])).tolist()
    [116.0, 10.0]

    Domain 0 gets ``2*((4-2)^2 + (0-2)^2) + 2*((10-5)^2 + (0-5)^2)``: the unit
    outside the domain counts with ``z = 0``.
    """

    def __init__(self, index: DesignIndex, codes: np.ndarray, n_domains: int) -> None:
        n_units = index.stratum_of_unit.size
        n_strata = index.n_psu.size
        codes = np.asarray(codes, dtype=np.int64)
        domain_of_unit = np.empty(n_units, dtype=np.int64)
        domain_of_unit[index.unit] = codes
        if (domain_of_unit[index.unit] == codes).all():  # each PSU inside one domain
            self.pair_of_row, pair_domain = index.unit, domain_of_unit
            pair_unit = np.arange(n_units)
        else:  # (domain, PSU) pairs
            pairs, self.pair_of_row = np.unique(codes * n_units + index.unit,
                                                return_inverse=True)
            pair_domain, pair_unit = np.divmod(pairs, n_units)
        pair_stratum = index.stratum_of_unit[pair_unit]
        blocks, self.block_of_pair, pairs_in_block = np.unique(
            pair_domain * n_strata + pair_stratum, return_inverse=True, return_counts=True)
        self.block_domain, self.block_stratum = np.divmod(blocks, n_strata)
        self.n_domains = n_domains
        self.n_in_block = index.n_psu[self.block_stratum]
        self.missing_in_block = self.n_in_block - pairs_in_block  # PSUs with z = 0
        self.block_scale = index.scale[self.block_stratum]
        self.block_lonely = index.lonely[self.block_stratum]
        self.index = index
        # per domain: its period (domains without rows get period 0 and no variance)
        period_of_domain = np.zeros(n_domains, dtype=np.int64)
        period_of_domain[codes] = index.period_of_row
        self.domain_units = index.units_per_period[period_of_domain]
        self.any_lonely = bool(index.lonely.any())
        self.factor = (None if index.period_factor is None
                       else index.period_factor[period_of_domain])
        self.absent_scale, self.absent_scale2 = _absent_lonely(
            index.lonely, index.scale, index.period_of_stratum, index.units_per_period.size,
            period_of_domain, self.block_domain, self.block_lonely, self.block_scale)

    def __call__(self, score: np.ndarray, size: np.ndarray | None = None) -> np.ndarray:
        """Variance of the domain totals of ``score`` (one value per row).

        ``size`` (one value per row, default ``|score|``) is the magnitude
        each score came from before any cancelling (for a ratio score, see
        :func:`~talentgap.features._variance.ratio_scores`): a variance at
        or below :data:`~talentgap.features._variance.NOISE` times the sum
        of squares of the PSU totals of ``size`` is rounding noise, and
        exactly 0.
        """
        return self._variance(score, size)[0]

    def degrees_of_freedom(self, score: np.ndarray, size: np.ndarray | None = None, *,
                           variance: np.ndarray | None = None) -> np.ndarray:
        """Satterthwaite degrees of freedom of the domain totals of ``score``.

        ``(sum_h v_h)^2 / sum_h v_h^2 / (n_h - 1)`` over the strata h of the
        domain's period, ``v_h`` the stratum's part of :meth:`__call__` and
        ``n_h`` its sampled PSUs. Under ``lonely_psu="adjust"`` every lonely
        stratum is a term of its own with one degree of freedom,
        ``v_h = (1 - f_h) (z_h - T / P)^2``, also a lonely stratum without a
        row in the domain (``z_h = 0``). Few PSUs, or a variance dominated by
        one stratum, give few degrees of freedom and so wider ``t``
        intervals.

        NaN where the variance is 0 (``size`` as for :meth:`__call__`):
        Satterthwaite's ratio is then ``0 / 0``, and a ``t`` interval around
        an SE of 0 is the estimate whatever its degrees of freedom. R's
        ``survey`` has no per-estimate degrees of freedom (``degf()`` is the
        design's PSUs minus strata, the same for every estimate), so its
        intervals are the estimate too; a NaN here says there is nothing to
        widen, rather than a number that widens nothing. ``variance`` (the
        result of a call with the same ``score``) is accepted for the
        interface of the calibrated variances; here the sums are made again,
        snapped to 0 the same way.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from talentgap.features.design import SurveyDesign, design_index
        >>> period = pd.period_range("2024Q1", periods=1, freq="Q").repeat(4)
        >>> table = pd.DataFrame({"period": period, "enterprise_id": ["A", "B", "C", "D"],
        ...                       "band": ["s", "s", "l", "l"]})
        >>> index = design_index(table, SurveyDesign(strata="band"))
        >>> variance = DomainVariance(index, np.array([0, 0, 0, 0]), 1)
        >>> score = np.array([4.0, 2.0, 10.0, 4.0])
        >>> variance(score).tolist(), variance.degrees_of_freedom(score).round(3).tolist()
        ([40.0], [1.22])

        The strata add 4 and 36 to the variance, each with one degree of
        freedom: ``40^2 / (4^2 + 36^2) = 1.22``. Equal PSU totals in every
        stratum give a variance of exactly 0, and no degrees of freedom:

        >>> flat = np.array([3.0, 3.0, 5.0, 5.0])
        >>> variance(flat).tolist(), variance.degrees_of_freedom(flat).tolist()
        ([0.0], [nan])
        """
        top, contribution, g = self._variance(score, size, factor=False)
        with np.errstate(invalid="ignore", divide="ignore"):
            df_block = np.where(self.block_lonely, 1.0, self.n_in_block - 1.0)
            share = np.where(df_block > 0, contribution * contribution / df_block, 0.0)
            bottom = np.bincount(self.block_domain, weights=share, minlength=self.n_domains)
            if self.any_lonely:  # lonely strata without a row in the domain: (0 - g)^2 each
                g2 = g * g
                bottom += self.absent_scale2 * g2 * g2
            df = top * top / bottom
        df[~(top > 0)] = np.nan
        if self.factor is not None:  # a constant factor leaves df alone; NaN stays NaN
            df[np.isnan(self.factor)] = np.nan
        return df

    def _variance(self, score: np.ndarray, size: np.ndarray | None, *, factor: bool = True):
        """Per domain the variance (rounding noise snapped to 0), and its block parts.

        Returns the variance (times the "average" factor when ``factor``),
        the per-block contributions and each domain's grand mean ``g``
        (see :meth:`_contributions`).
        """
        if size is None:
            size = np.abs(score)
        contribution, g, limit = self._contributions(score, size)
        variance = np.bincount(self.block_domain, weights=contribution, minlength=self.n_domains)
        if self.any_lonely:
            variance += self.absent_scale * g * g
        snap_noise(variance, NOISE * limit, 1.0)  # an exact 0 (or below) is 0
        if factor and self.factor is not None:  # "average": the lonely strata at the others' mean
            variance *= self.factor
        return variance, contribution, g

    def _contributions(self, score: np.ndarray,
                       size: np.ndarray) -> tuple[np.ndarray, np.ndarray | float, np.ndarray]:
        """Per (domain, stratum) block variance parts, each domain's grand mean, and sizes.

        A lonely block adds ``scale (z_h - g)^2`` with ``g = T / P`` the
        grand mean of the PSU totals of the domain's period; the lonely
        strata without a block add ``scale g^2`` each (see the callers).
        The third value is, per domain, the same sums on the PSU totals of
        ``size`` instead of their deviations: what the variance is rounding
        noise against. A block's part is snapped to 0 against its own.
        """
        n_blocks = self.block_domain.size
        z = np.bincount(self.pair_of_row, weights=score)  # PSU x domain totals
        s1 = np.bincount(self.block_of_pair, weights=z, minlength=n_blocks)
        # the PSU totals' magnitudes before cancelling, and their squares per block
        z_size = np.bincount(self.pair_of_row, weights=size)
        squares = np.bincount(self.block_of_pair, weights=z_size * z_size, minlength=n_blocks)
        grand: np.ndarray | float = 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s1 / self.n_in_block
            deviation = z - mean[self.block_of_pair]
            ss = np.bincount(self.block_of_pair, weights=deviation * deviation,
                             minlength=n_blocks)
            ss += self.missing_in_block * mean * mean
            ss[ss <= NOISE * squares] = 0.0  # rounding noise around an exact 0
            contribution = self.block_scale * ss
            if self.any_lonely:
                total = np.bincount(self.block_domain, weights=s1, minlength=self.n_domains)
                grand = total / self.domain_units
                g = grand[self.block_domain]
                # lonely strata: (z - grand)^2 instead of (z - mean)^2 = 0
                contribution = np.where(self.block_lonely, self.block_scale * (s1 - g) ** 2,
                                        contribution)
                s1_size = np.bincount(self.block_of_pair, weights=z_size, minlength=n_blocks)
                grand_size = np.bincount(self.block_domain, weights=s1_size,
                                         minlength=self.n_domains) / self.domain_units
                squares = np.where(self.block_lonely,
                                   (s1_size + grand_size[self.block_domain]) ** 2, squares)
            limit = np.bincount(self.block_domain, weights=self.block_scale * squares,
                                minlength=self.n_domains)
            if self.any_lonely:
                limit += self.absent_scale * grand_size * grand_size
        return contribution, grand, limit


def _absent_lonely(lonely: np.ndarray, scale: np.ndarray, period_of_stratum: np.ndarray,
                   n_periods: int, period_of_domain: np.ndarray, block_domain: np.ndarray,
                   block_lonely: np.ndarray,
                   block_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per domain: summed ``scale`` and ``scale^2`` of the lonely strata it has no PSU in.

    Only lonely strata of the domain's own period count. Each adds
    ``scale (0 - g)^2`` to the variance and, as a one-df term of its own,
    ``scale^2 g^4`` to the denominator of the Satterthwaite degrees of freedom.
    """
    n_domains = period_of_domain.size

    def per_domain(weights_stratum: np.ndarray, weights_block: np.ndarray) -> np.ndarray:
        period = np.bincount(period_of_stratum, weights=np.where(lonely, weights_stratum, 0.0),
                             minlength=n_periods)
        present = np.bincount(block_domain, weights=np.where(block_lonely, weights_block, 0.0),
                              minlength=n_domains)
        return period[period_of_domain] - present

    absent = np.rint(per_domain(np.ones(lonely.size), np.ones(block_domain.size))) > 0
    scale_sum = np.where(absent, per_domain(scale, block_scale), 0.0)
    square_sum = np.where(absent, per_domain(scale * scale, block_scale * block_scale), 0.0)
    return np.maximum(scale_sum, 0.0), np.maximum(square_sum, 0.0)
