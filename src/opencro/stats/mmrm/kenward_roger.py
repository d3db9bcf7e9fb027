"""Kenward-Roger adjusted covariance of the fixed effects and denominator df, unstructured covariance.

The unstructured covariance is taken in its linear parameterisation, Sigma = sum_k sigma_k G_k with one
parameter per distinct entry (G_k = E_aa, or E_ab + E_ba), so the second-derivative term R_ij of Kenward &
Roger (1997) vanishes; this is what SAS PROC MIXED (TYPE=UN DDFM=KR) and R's pbkrtest do for linear
covariance structures.
"""

from dataclasses import dataclass

import numpy as np

from opencro.stats.mmrm.reml import RemlFit, RemlProblem


@dataclass(frozen=True)
class KenwardRoger:
    """What the adjusted tests need: Phi_A, the unadjusted Phi, the P_k matrices and W (inverse information)."""

    adjusted_covariance: np.ndarray
    covariance: np.ndarray
    p_matrices: np.ndarray  # K x p x p
    w: np.ndarray  # K x K

    def df(self, contrast: np.ndarray) -> float:
        """Denominator df m of the Kenward-Roger F test of L beta = 0 (L: rows x coefficients)."""
        lmat = np.atleast_2d(contrast)
        q = lmat.shape[0]
        phi = self.covariance
        theta = lmat.T @ np.linalg.solve(lmat @ phi @ lmat.T, lmat)
        u = np.einsum("ab,kbc,cd->kad", theta @ phi, self.p_matrices, phi)  # Theta Phi P_k Phi
        traces = np.einsum("kaa->k", u)
        a1 = float(traces @ self.w @ traces)
        a2 = float(np.einsum("kl,kab,lba->", self.w, u, u))
        b = (a1 + 6.0 * a2) / (2.0 * q)
        g = ((q + 1.0) * a1 - (q + 4.0) * a2) / ((q + 2.0) * a2)
        denominator = 3.0 * q + 2.0 * (1.0 - g)
        c1, c2, c3 = g / denominator, (q - g) / denominator, (q + 2.0 - g) / denominator
        e_star = 1.0 / (1.0 - a2 / q)
        v_star = (2.0 / q) * (1.0 + c1 * b) / ((1.0 - c2 * b) ** 2 * (1.0 - c3 * b))
        rho = v_star / (2.0 * e_star**2)
        return float(4.0 + (q + 2.0) / (q * rho - 1.0))


def kenward_roger(problem: RemlProblem, fit: RemlFit) -> KenwardRoger:
    """Compute Phi_A = Phi + 2 Phi [sum_kl W_kl (Q_kl - P_k Phi P_l)] Phi at the REML estimate.

    With V_i^-1 embedded in the T x T visit grid (zero rows and columns for missing visits) and
    A_i = V_i^-1 X_i: P_k = -sum_i A_i' G_k A_i, Q_kl = sum_i A_i' G_k V_i^-1 G_l A_i, and W the inverse
    of the expected REML information 1/2 tr(P~ G_k P~ G_l), P~ = V^-1 - V^-1 X Phi X' V^-1.
    """
    n_visits = problem.n_visits
    pairs = [(a, b) for b in range(n_visits) for a in range(b, n_visits)]
    basis = np.zeros((len(pairs), n_visits, n_visits))
    for k, (a, b) in enumerate(pairs):
        basis[k, a, b] = 1.0
        basis[k, b, a] = 1.0
    vinv, x = problem.embedded(fit.sigma)
    phi = fit.beta_covariance
    a_mat = np.einsum("nab,nbp->nap", vinv, x)
    ga = np.einsum("kab,nbp->nkap", basis, a_mat)
    p_mats = -np.einsum("nap,nkaq->kpq", a_mat, ga)
    vga = np.einsum("nab,nkbp->nkap", vinv, ga)
    n, k_count, t, p = ga.shape
    left = ga.transpose(0, 2, 1, 3).reshape(n * t, k_count * p)
    right = vga.transpose(0, 2, 1, 3).reshape(n * t, k_count * p)
    q_mats = (left.T @ right).reshape(k_count, p, k_count, p).transpose(0, 2, 1, 3)
    vg = np.einsum("nab,kbc->nkac", vinv, basis)
    trace_term = np.einsum("nkac,nlca->kl", vg, vg)
    phi_p = np.einsum("ab,kbc->kac", phi, p_mats)
    information = 0.5 * (
        trace_term - 2.0 * np.einsum("ab,klba->kl", phi, q_mats) + np.einsum("kab,lba->kl", phi_p, phi_p)
    )
    information = (information + information.T) / 2.0
    w = np.linalg.pinv(information)
    correction = np.einsum("kl,klpq->pq", w, q_mats) - np.einsum("kl,kpa,lab->pb", w, p_mats, phi_p)
    correction = (correction + correction.T) / 2.0
    adjusted = phi + 2.0 * phi @ correction @ phi
    return KenwardRoger(adjusted_covariance=adjusted, covariance=phi, p_matrices=p_mats, w=w)
