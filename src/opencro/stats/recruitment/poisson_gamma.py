"""The Poisson-gamma recruitment model: site rate priors, their conjugate update and the closed forms.

Each site recruits as a Poisson process with rate lambda (subjects per site per month); lambda is gamma distributed
across sites. With n sites all active from month 0 the count by month t is negative binomial and the time to the
target-th recruit a scaled beta-prime variable (Anisimov & Fedorov 2007).
"""

import math
import operator
from dataclasses import dataclass

from scipy import special

from opencro.stats.design.errors import DesignInputError, check_non_negative, check_open_unit, check_positive

METHOD = "Poisson-gamma recruitment model (Anisimov-Fedorov)"
REFERENCE = (
    "Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of recruitment in multicentre "
    "trials. Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956; Anisimov VV (2011). Statistical "
    "modeling of clinical trials (recruitment and randomization). Communications in Statistics - Theory and "
    "Methods 40(19-20):3684-3699"
)


def check_whole(name: str, value: object, minimum: int | None = None) -> int:
    """A whole number (not a bool), at least `minimum` when given: a site count, a recruit count, a target."""
    if isinstance(value, bool):
        raise DesignInputError(name, f"must be a whole number, not {value!r}")
    try:
        whole = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise DesignInputError(name, f"must be a whole number, not {value!r}") from None
    if minimum is not None and whole < minimum:
        raise DesignInputError(name, f"must be at least {minimum}, not {whole}")
    return whole


@dataclass(frozen=True)
class RatePrior:
    """Gamma(shape, rate) distribution of one site's recruitment rate, in subjects per site per month.

    The density is ``rate**shape * x**(shape - 1) * exp(-rate * x) / Gamma(shape)``: mean shape / rate,
    variance shape / rate**2, coefficient of variation 1 / sqrt(shape). Used as a prior before a site recruits
    and as a posterior after `rate_posterior` (Anisimov & Fedorov 2007).
    """

    shape: float
    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", check_positive("shape", self.shape))
        object.__setattr__(self, "rate", check_positive("rate", self.rate))

    @property
    def mean(self) -> float:
        return self.shape / self.rate

    @property
    def variance(self) -> float:
        return self.shape / self.rate**2

    @property
    def cv(self) -> float:
        """Coefficient of variation: the standard deviation over the mean."""
        return 1.0 / math.sqrt(self.shape)

    def quantile(self, q: float) -> float:
        """The rate x with ``P(lambda <= x) = q`` for q in (0, 1): ``P^-1(shape, q) / rate``, P the regularised lower
        incomplete gamma function (R's ``qgamma(q, shape, rate)``)."""
        q = check_open_unit("q", q)
        return float(special.gammaincinv(self.shape, q)) / self.rate

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> "RatePrior":
        """The gamma prior with the given mean rate and coefficient of variation (the usual expert input).

        ``cv = 1 / sqrt(shape)`` and ``mean = shape / rate`` give ``shape = 1 / cv**2``, ``rate = shape / mean``
        (moment matching, as Anisimov & Fedorov 2007 suggest for eliciting a prior from a planned mean rate and
        its uncertainty).
        """
        mean = check_positive("mean", mean)
        cv = check_positive("cv", cv)
        shape = 1.0 / cv**2
        return cls(shape=shape, rate=shape / mean)


def rate_posterior(prior: RatePrior, recruited: int, months_active: float) -> RatePrior:
    """Posterior of a site's rate after it recruited `recruited` subjects in `months_active` months.

    The gamma prior is conjugate to the Poisson likelihood ``lambda**k * exp(-lambda * tau)``, so the posterior is
    Gamma(shape + k, rate + tau); its mean ``(shape + k) / (rate + tau)`` moves from the prior mean towards the
    observed rate k / tau as tau grows.

    References
    ----------
    Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of recruitment in multicentre
    trials. Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956
    """
    _check_prior(prior)
    recruited = check_whole("recruited", recruited, 0)
    months_active = check_non_negative("months_active", months_active)
    if recruited > 0 and months_active == 0.0:
        raise DesignInputError("months_active", f"must be greater than 0 when {recruited} subjects were recruited")
    return RatePrior(shape=prior.shape + recruited, rate=prior.rate + months_active)


@dataclass(frozen=True)
class CountDistribution:
    """Negative binomial distribution of the number of recruits: ``P(N = k) = C(k + r - 1, k) p**r (1 - p)**k``.

    `size` is r (real, > 0) and `prob` is p in (0, 1]; the parametrisation of ``scipy.stats.nbinom(r, p)``.
    """

    size: float
    prob: float

    @property
    def mean(self) -> float:
        return self.size * (1.0 - self.prob) / self.prob

    @property
    def variance(self) -> float:
        return self.size * (1.0 - self.prob) / self.prob**2

    def pmf(self, k: int) -> float:
        k = check_whole("k", k)
        if k < 0:
            return 0.0
        log_pmf = (
            special.gammaln(k + self.size)
            - special.gammaln(self.size)
            - special.gammaln(k + 1)
            + self.size * math.log(self.prob)
            + special.xlog1py(k, -self.prob)
        )
        return float(math.exp(log_pmf))

    def cdf(self, k: int) -> float:
        """``P(N <= k) = I_p(r, k + 1)``, the regularised incomplete beta function."""
        k = check_whole("k", k)
        if k < 0:
            return 0.0
        return float(special.betainc(self.size, k + 1, self.prob))

    def quantile(self, q: float) -> int:
        """The smallest k with ``cdf(k) >= q``, for q in (0, 1)."""
        q = check_open_unit("q", q)
        if self.cdf(0) >= q:
            return 0
        below, above = 0, max(1, math.ceil(self.mean))
        while self.cdf(above) < q:
            below, above = above, 2 * above
        while above - below > 1:
            middle = (below + above) // 2
            if self.cdf(middle) >= q:
                above = middle
            else:
                below = middle
        return above


@dataclass(frozen=True)
class TimeDistribution:
    """Distribution of the time to the `target`-th recruit: ``T = scale * B / (1 - B)``, B ~ Beta(target, total_shape).

    That is a beta-prime (beta distribution of the second kind) with shapes (target, total_shape) scaled by
    `scale`, ``scipy.stats.betaprime(target, total_shape, scale=scale)``; ``P(T <= t) = I_x(target, total_shape)``
    with ``x = t / (scale + t)``. A target of 0 is reached at once (T = 0).
    """

    target: int
    total_shape: float
    scale: float

    @property
    def mean(self) -> float:
        """``scale * target / (total_shape - 1)``; infinite when total_shape <= 1 (the mean does not exist)."""
        if self.target == 0:
            return 0.0
        if self.total_shape <= 1.0:
            return math.inf
        return self.scale * self.target / (self.total_shape - 1.0)

    @property
    def variance(self) -> float:
        """``scale**2 * a (a + b - 1) / ((b - 1)**2 (b - 2))`` for a = target, b = total_shape; infinite when b <= 2."""
        if self.target == 0:
            return 0.0
        a, b = self.target, self.total_shape
        if b <= 2.0:
            return math.inf
        return self.scale**2 * a * (a + b - 1.0) / ((b - 1.0) ** 2 * (b - 2.0))

    @property
    def median(self) -> float:
        return self.quantile(0.5)

    def cdf(self, t: float) -> float:
        t = float(t)
        if math.isnan(t):
            raise DesignInputError("t", "must be a number, not nan")
        if t < 0.0:
            return 0.0
        if self.target == 0:
            return 1.0
        if math.isinf(t):
            return 1.0
        return float(special.betainc(self.target, self.total_shape, t / (self.scale + t)))

    def quantile(self, q: float) -> float:
        """The t with ``cdf(t) = q``, for q in (0, 1)."""
        q = check_open_unit("q", q)
        if self.target == 0:
            return 0.0
        b = float(special.betaincinv(self.target, self.total_shape, q))
        if b <= 0.5:
            return self.scale * b / (1.0 - b)
        # 1 - B ~ Beta(total_shape, target): invert it directly so B near 1 keeps its precision.
        complement = float(special.betaincinv(self.total_shape, self.target, 1.0 - q))
        return math.inf if complement == 0.0 else self.scale * (1.0 - complement) / complement


def count_by_time(prior: RatePrior, n_sites: int, months: float) -> CountDistribution:
    """Distribution of the number of recruits by month `months` when `n_sites` sites are all active from month 0.

    Given the rates, the count is Poisson with mean ``t * sum(lambda_i)``; the sum of n independent
    Gamma(alpha, beta) rates is Gamma(n alpha, beta), and mixing the Poisson over it gives the negative binomial
    with ``r = n alpha`` and ``p = beta / (beta + t)``: mean ``n alpha t / beta``.

    References
    ----------
    Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of recruitment in multicentre
    trials. Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956
    """
    _check_prior(prior)
    n_sites = check_whole("n_sites", n_sites, 1)
    months = check_non_negative("months", months)
    return CountDistribution(size=n_sites * prior.shape, prob=prior.rate / (prior.rate + months))


def time_to_target(prior: RatePrior, n_sites: int, target: int) -> TimeDistribution:
    """Distribution of the time (months) to recruit `target` subjects when `n_sites` sites are all active now.

    Given the total rate S ~ Gamma(n alpha, beta), the target-th arrival of a Poisson process with rate S is
    X / S with X ~ Gamma(target, 1); ``X / (beta S)`` is a ratio of independent standard gammas, beta-prime
    (target, n alpha), so ``T = beta * B / (1 - B)`` with B ~ Beta(target, n alpha). Equivalently
    ``P(T <= t) = P(N(t) >= target)`` for the negative binomial count of `count_by_time`. The mean
    ``beta * target / (n alpha - 1)`` is infinite when n alpha <= 1.

    References
    ----------
    Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive adjustment of recruitment in multicentre
    trials. Statistics in Medicine 26(27):4958-4975. doi:10.1002/sim.2956; Anisimov VV (2011).
    Statistical modeling of clinical trials (recruitment and randomization). Communications in Statistics -
    Theory and Methods 40(19-20):3684-3699
    """
    _check_prior(prior)
    n_sites = check_whole("n_sites", n_sites, 1)
    target = check_whole("target", target, 0)
    return TimeDistribution(target=target, total_shape=n_sites * prior.shape, scale=prior.rate)


def _check_prior(prior: object) -> None:
    if not isinstance(prior, RatePrior):
        raise DesignInputError("prior", f"must be a RatePrior, not {prior!r}")
