"""REML fit of a linear model with an unstructured within-subject covariance (generalised least squares).

The covariance over the T visits is Sigma = L L' with L lower triangular; the parameters are L's entries
below the diagonal and the logarithms of its diagonal (so Sigma stays positive definite). Subjects are
grouped by their pattern of observed visits so each pattern needs one Cholesky factorisation.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

from opencro.stats.mmrm.errors import MmrmError


@dataclass(frozen=True)
class _Pattern:
    visits: np.ndarray  # visit indices observed in this pattern, ascending
    x: np.ndarray  # subjects x visits-in-pattern x coefficients
    y: np.ndarray  # subjects x visits-in-pattern


@dataclass(frozen=True)
class RemlFit:
    """The REML estimate: covariance parameters, Sigma, fixed effects and their covariance, the Hessian."""

    theta: np.ndarray
    sigma: np.ndarray
    beta: np.ndarray
    beta_covariance: np.ndarray
    reml_loglik: float
    information: np.ndarray  # minus the Hessian of the REML log-likelihood in theta, at theta
    iterations: int


@dataclass(frozen=True)
class _Evaluation:
    loglik: float
    gradient: np.ndarray
    beta: np.ndarray
    w: np.ndarray  # (X' V^-1 X)^-1


class RemlProblem:
    """REML log-likelihood of y = X beta + e, e_i ~ N(0, Sigma[visits_i, visits_i]), with its gradient."""

    def __init__(
        self, x: np.ndarray, y: np.ndarray, subject_codes: np.ndarray, visit_codes: np.ndarray, n_visits: int
    ) -> None:
        self.n_visits = n_visits
        self.n_obs, self.p = x.shape
        order = np.lexsort((visit_codes, subject_codes))
        x, y, subject_codes, visit_codes = x[order], y[order], subject_codes[order], visit_codes[order]
        starts = np.flatnonzero(np.r_[True, subject_codes[1:] != subject_codes[:-1]])
        ends = np.r_[starts[1:], subject_codes.size]
        groups: dict[tuple[int, ...], list[tuple[int, int]]] = {}
        for start, end in zip(starts, ends, strict=True):
            groups.setdefault(tuple(visit_codes[start:end].tolist()), []).append((int(start), int(end)))
        self.patterns = [
            _Pattern(
                visits=np.array(key),
                x=np.stack([x[s:e] for s, e in spans]),
                y=np.stack([y[s:e] for s, e in spans]),
            )
            for key, spans in groups.items()
        ]
        self.lower = np.tril_indices(n_visits)
        self.diagonal = self.lower[0] == self.lower[1]

    @property
    def n_theta(self) -> int:
        return self.n_visits * (self.n_visits + 1) // 2

    def cholesky(self, theta: np.ndarray) -> np.ndarray:
        factor = np.zeros((self.n_visits, self.n_visits))
        values = theta.astype(float).copy()
        values[self.diagonal] = np.exp(theta[self.diagonal])
        factor[self.lower] = values
        return factor

    def theta_from_sigma(self, sigma: np.ndarray) -> np.ndarray:
        factor = np.linalg.cholesky(sigma)
        values = factor[self.lower].copy()
        values[self.diagonal] = np.log(values[self.diagonal])
        return values

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        factor = self.cholesky(theta)
        return factor @ factor.T

    def evaluate(self, theta: np.ndarray, *, gradient: bool = True) -> _Evaluation:
        """REML log-likelihood (with the constant of SAS PROC MIXED and lme4), GLS estimate, and the gradient."""
        sigma = self.sigma(theta)
        xtvx = np.zeros((self.p, self.p))
        xtvy = np.zeros(self.p)
        yvy = 0.0
        logdet = 0.0
        whitened = []
        for pattern in self.patterns:
            block = sigma[np.ix_(pattern.visits, pattern.visits)]
            try:
                chol = linalg.cho_factor(block, lower=True)
            except linalg.LinAlgError:
                return _Evaluation(-math.inf, np.zeros_like(theta), np.zeros(self.p), np.zeros((self.p, self.p)))
            logdet += pattern.y.shape[0] * 2.0 * float(np.sum(np.log(np.diag(chol[0]))))
            vinv = linalg.cho_solve(chol, np.eye(pattern.visits.size))
            vinv_x = np.einsum("ts,nsp->ntp", vinv, pattern.x)
            vinv_y = pattern.y @ vinv  # vinv is symmetric
            xtvx += np.einsum("ntp,ntq->pq", pattern.x, vinv_x)
            xtvy += np.einsum("ntp,nt->p", pattern.x, vinv_y)
            yvy += float(np.einsum("nt,nt->", pattern.y, vinv_y))
            whitened.append((vinv, vinv_x, vinv_y))
        try:
            xtvx_chol = linalg.cho_factor(xtvx, lower=True)
        except linalg.LinAlgError:
            return _Evaluation(-math.inf, np.zeros_like(theta), np.zeros(self.p), np.zeros((self.p, self.p)))
        beta = linalg.cho_solve(xtvx_chol, xtvy)
        w = linalg.cho_solve(xtvx_chol, np.eye(self.p))
        quad = yvy - float(beta @ xtvy)
        logdet_xtvx = 2.0 * float(np.sum(np.log(np.diag(xtvx_chol[0]))))
        loglik = -0.5 * ((self.n_obs - self.p) * math.log(2.0 * math.pi) + logdet + logdet_xtvx + quad)
        if not gradient:
            return _Evaluation(loglik, np.zeros_like(theta), beta, w)
        # d loglik = -1/2 tr(M dSigma), M summed over subjects of
        # Sigma_i^-1 - Sigma_i^-1 X_i W X_i' Sigma_i^-1 - Sigma_i^-1 r_i r_i' Sigma_i^-1
        m = np.zeros((self.n_visits, self.n_visits))
        for pattern, (vinv, vinv_x, vinv_y) in zip(self.patterns, whitened, strict=True):
            idx = np.ix_(pattern.visits, pattern.visits)
            vinv_r = vinv_y - vinv_x @ beta  # Sigma_i^-1 (y_i - X_i beta), subjects x visits
            m[idx] += pattern.y.shape[0] * vinv
            projected = vinv_x @ w  # subjects x visits x coefficients
            m[idx] -= np.einsum("ntp,nsp->ts", projected, vinv_x)
            m[idx] -= vinv_r.T @ vinv_r
        return _Evaluation(loglik, self.chain(-0.5 * m, theta), beta, w)

    def chain(self, d_sigma: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Turn a derivative with respect to Sigma (as tr(D dSigma)) into one with respect to theta."""
        factor = self.cholesky(theta)
        d_factor = 2.0 * (d_sigma @ factor)  # symmetric D: d tr(D L L') = 2 tr(L' D dL)
        values = d_factor[self.lower].copy()
        values[self.diagonal] *= np.exp(theta[self.diagonal])
        return values

    def fit(self, start: np.ndarray) -> RemlFit:
        """Maximise the REML log-likelihood by BFGS, then polish with Newton steps on the numerical Hessian."""

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            ev = self.evaluate(theta)
            if not math.isfinite(ev.loglik):
                return 1e300, np.zeros_like(theta)
            return -ev.loglik, -ev.gradient

        result = optimize.minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-7, "maxiter": 2000})
        theta = result.x
        iterations = int(result.nit)
        current = self.evaluate(theta)
        information = self.information(theta)
        for _ in range(5):
            try:
                step = np.linalg.solve(information, current.gradient)
            except np.linalg.LinAlgError:
                break
            candidate = self.evaluate(theta + step)
            if not candidate.loglik >= current.loglik - 1e-10 * abs(current.loglik):
                break
            theta, current = theta + step, candidate
            iterations += 1
            if np.max(np.abs(step)) < 1e-7:
                break  # the Hessian moves by O(step): the one in hand serves at the new theta
            information = self.information(theta)
        gradient_size = float(np.max(np.abs(current.gradient)))
        if not math.isfinite(current.loglik) or gradient_size > 1e-5 * max(1.0, abs(current.loglik)):
            raise MmrmError(
                "covariance",
                f"REML optimisation did not converge (largest gradient {gradient_size:.3g}); the unstructured "
                "covariance may not be estimable from these data (too few subjects per visit pair?)",
            )
        eigen = np.linalg.eigvalsh(information)
        if eigen.min() <= 0:
            raise MmrmError(
                "covariance",
                "REML optimum is not a strict maximum (information matrix not positive definite); the "
                "unstructured covariance is not identifiable from these data",
            )
        return RemlFit(
            theta=theta,
            sigma=self.sigma(theta),
            beta=current.beta,
            beta_covariance=current.w,
            reml_loglik=current.loglik,
            information=information,
            iterations=iterations,
        )

    def information(self, theta: np.ndarray) -> np.ndarray:
        """Minus the Hessian of the REML log-likelihood: central differences of the analytic gradient."""
        k = theta.size
        hessian = np.zeros((k, k))
        for j in range(k):
            h = 1e-5 * max(1.0, abs(theta[j]))
            up = theta.copy()
            down = theta.copy()
            up[j] += h
            down[j] -= h
            hessian[:, j] = (self.evaluate(up).gradient - self.evaluate(down).gradient) / (2.0 * h)
        return -(hessian + hessian.T) / 2.0

    def embedded(self, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per subject, Sigma_i^-1 and X_i placed in the full visit grid, zero where a visit is missing."""
        vinv_blocks = []
        x_blocks = []
        for pattern in self.patterns:
            n = pattern.y.shape[0]
            vinv = np.zeros((n, self.n_visits, self.n_visits))
            vinv[:, pattern.visits[:, None], pattern.visits[None, :]] = np.linalg.inv(
                sigma[np.ix_(pattern.visits, pattern.visits)]
            )
            x = np.zeros((n, self.n_visits, self.p))
            x[:, pattern.visits, :] = pattern.x
            vinv_blocks.append(vinv)
            x_blocks.append(x)
        return np.concatenate(vinv_blocks), np.concatenate(x_blocks)

    def variance_gradient(self, theta: np.ndarray, w: np.ndarray, contrast: np.ndarray) -> np.ndarray:
        """Gradient in theta of Var(c' beta-hat) = c' (X' V^-1 X)^-1 c, holding nothing but Sigma fixed."""
        sigma = self.sigma(theta)
        wc = w @ contrast
        q = np.zeros((self.n_visits, self.n_visits))
        for pattern in self.patterns:
            idx = np.ix_(pattern.visits, pattern.visits)
            vinv = np.linalg.inv(sigma[idx])
            u = (pattern.x @ wc) @ vinv  # rows: Sigma_i^-1 X_i W c
            q[idx] += u.T @ u
        return self.chain(q, theta)
