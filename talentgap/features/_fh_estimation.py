"""Fitting one Fay-Herriot model: the model variance, the EBLUP and its MSE.

For direct estimates ``y`` with known sampling variances ``psi`` and a
design matrix ``X``, the model variance ``s2u`` is estimated by restricted
maximum likelihood (:func:`reml`, Fisher scoring from the Prasad-Rao start,
with a bounded search as fallback) or by the Prasad-Rao moment estimator
(:func:`prasad_rao`); :func:`eblup` then gives the empirical best linear
unbiased predictor and its Prasad-Rao MSE terms (Rao & Molina, *Small Area
Estimation*, 2nd ed., Wiley 2015, sections 6.1-6.2). The regression is
solved through a QR decomposition of the weighted design (:func:`wls`).
:func:`talentgap.features.shrink` checks the table, fits the model with these
and writes the columns.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import linalg, optimize

__all__ = ["MAX_ITER", "Eblup", "eblup", "prasad_rao", "reml", "reml_terms", "wls"]

#: Iteration cap of Fisher scoring (and of the variance-function fit in ``shrink``).
MAX_ITER = 100


class Eblup(NamedTuple):
    """EBLUP and its MSE components for the cells of one fit (all arrays of length m)."""

    theta: np.ndarray
    beta: np.ndarray
    cov_beta: np.ndarray
    gamma: np.ndarray
    g1: np.ndarray
    g2: np.ndarray
    g3: np.ndarray
    mse: np.ndarray


def wls(y: np.ndarray, X: np.ndarray, psi: np.ndarray,
        s2u: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``beta = (X'V^-1 X)^-1 X'V^-1 y`` with ``V = diag(s2u + psi)``.

    Solved through the QR decomposition ``W^(1/2) X = Q R`` (``W = V^-1``),
    which keeps the conditioning of ``X`` rather than squaring it. Returns
    ``beta``, ``(X'V^-1 X)^-1 = R^-1 R^-T``, the weights ``1/(s2u + psi)``,
    ``Q`` and ``R^-1``.
    """
    w = 1.0 / (s2u + psi)
    sw = np.sqrt(w)
    Q, R = np.linalg.qr(X * sw[:, None])
    r_inv = linalg.solve_triangular(R, np.eye(R.shape[0]))
    beta = r_inv @ (Q.T @ (sw * y))
    return beta, r_inv @ r_inv.T, w, Q, r_inv


def eblup(y: np.ndarray, X: np.ndarray, psi: np.ndarray, s2u: float, *,
          method: str = "REML") -> Eblup:
    """EBLUP and Prasad-Rao MSE terms for a given ``s2u`` (Rao & Molina 2015, 6.2.1).

    ``g1_i = g_i*psi_i``, ``g2_i = (1-g_i)^2 x_i'(X'V^-1X)^-1 x_i``,
    ``g3_i = psi_i^2 (s2u+psi_i)^-3 Vbar(s2u)`` with the asymptotic variance
    ``Vbar = 2 / sum((s2u+psi)^-2)`` for REML and
    ``Vbar = 2 m^-2 sum((s2u+psi)^2)`` for the Prasad-Rao moment estimator;
    ``mse = g1 + g2 + 2*g3`` for both (Prasad & Rao 1990; Datta & Lahiri 2000).
    """
    beta, cov_beta, w, _, r_inv = wls(y, X, psi, s2u)
    synthetic = X @ beta
    gamma = s2u * w
    theta = gamma * y + (1 - gamma) * synthetic
    g1 = gamma * psi
    g2 = (1 - gamma) ** 2 * np.sum((X @ r_inv) ** 2, axis=1)
    if method == "REML":
        vbar = 2.0 / np.sum(w**2)
    else:
        vbar = 2.0 * np.sum((s2u + psi) ** 2) / len(y) ** 2
    g3 = psi**2 * w**3 * vbar
    return Eblup(theta, beta, cov_beta, gamma, g1, g2, g3, g1 + g2 + 2 * g3)


def prasad_rao(y: np.ndarray, X: np.ndarray, psi: np.ndarray) -> float:
    """Moment estimator ``(sum r^2 - sum psi_i(1-h_ii)) / (m-p)``, truncated at 0.

    ``r`` are the OLS residuals and ``h_ii`` the OLS leverages (Rao & Molina
    2015, eq. 6.1.15).
    """
    m, p = X.shape
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ (X.T @ y)
    resid = y - X @ beta
    leverage = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
    return max(0.0, float((resid @ resid - np.sum(psi * (1 - leverage))) / (m - p)))


def reml_terms(y: np.ndarray, X: np.ndarray, psi: np.ndarray,
               s2u: float) -> tuple[float, float, float]:
    """Restricted log-likelihood (up to a constant), its score and Fisher information.

    With ``P = V^-1 - V^-1 X (X'V^-1 X)^-1 X'V^-1`` (never formed):
    ``l = -(sum log(s2u+psi) + log|X'V^-1X| + y'Py)/2``,
    ``score = (y'PPy - tr P)/2``, ``info = tr(PP)/2`` (Rao & Molina 2015, 6.2.4).
    """
    beta, _, w, Q, r_inv = wls(y, X, psi, s2u)
    resid = y - X @ beta
    wr = w * resid  # = P y
    logdet = 2 * np.sum(np.log(np.abs(np.diag(r_inv))))  # log |(X'V^-1 X)^-1|
    loglik = -0.5 * (np.sum(np.log(s2u + psi)) - logdet + float(wr @ resid))
    leverage = np.sum(Q * Q, axis=1)  # of the weighted regression
    qwq = Q.T @ (Q * w[:, None])
    trace_p = np.sum(w * (1 - leverage))
    trace_pp = np.sum(w**2 * (1 - 2 * leverage)) + np.sum(qwq * qwq)
    return float(loglik), float(0.5 * (wr @ wr - trace_p)), float(0.5 * trace_pp)


def reml(y: np.ndarray, X: np.ndarray, psi: np.ndarray) -> tuple[float, bool]:
    """REML estimate of ``s2u`` over ``[0, inf)``: Fisher scoring with step halving.

    Starts from the Prasad-Rao estimate; each step is projected onto
    ``s2u >= 0`` and halved until the restricted likelihood does not decrease.
    If scoring does not converge (or the information is lost to rounding,
    with sampling variances many orders of magnitude apart), a bounded Brent search
    (:func:`scipy.optimize.minimize_scalar`) on ``[0, upper]`` is used instead.
    """
    scale = max(float(np.var(y)), float(np.mean(psi)), np.finfo(float).tiny)
    tol_abs, tol_rel = 1e-14 * scale, 1e-10
    s2u = prasad_rao(y, X, psi)
    loglik, score, info = reml_terms(y, X, psi, s2u)
    for _ in range(MAX_ITER):  # Fisher scoring
        if s2u == 0.0 and score <= 0.0:
            return 0.0, True
        if not (np.isfinite(info) and info > 0):  # lost to rounding: extreme weights
            break
        step = score / info
        while True:
            new = max(0.0, s2u + step)
            new_loglik, new_score, new_info = reml_terms(y, X, psi, new)
            small = abs(new - s2u) <= tol_abs + tol_rel * s2u
            if new_loglik >= loglik - 1e-12 * abs(loglik) or small:
                break
            step /= 2
        done = small
        s2u, loglik, score, info = new, new_loglik, new_score, new_info
        if done:
            return s2u, True
    upper = 10.0 * (float(np.var(y)) + float(np.max(psi)))
    res = optimize.minimize_scalar(lambda s: -reml_terms(y, X, psi, s)[0],
                                   bounds=(0.0, upper), method="bounded",
                                   options={"xatol": tol_abs + tol_rel * s2u})
    candidates = [(loglik, s2u), (-res.fun, float(res.x)), (reml_terms(y, X, psi, 0.0)[0], 0.0)]
    best = max(candidates)[1]
    return best, bool(res.success)
