"""The whole pipeline on FDA CAERS (openEBGM's data set) against openEBGM's published and recomputed results.

Skipped when ../shared/reference/signals/caers.csv is absent.
"""

import numpy as np
import pytest

from opencro.stats.signals import detect_signals, eb_scores, fit_gamma_mixture, negative_log_likelihood
from opencro.stats.signals.gps import STARTS

from .conftest import VIGNETTE4_THETA


@pytest.fixture(scope="module")
def unstratified(caers):
    return detect_signals(caers, report_col="id", product_col="var1", event_col="var2")


def test_counts_match_processraw(unstratified, openebgm_scores):
    # vignette 3: nrow(processed) -> 17189; processRaw(caers) E of the first pair 0.0360548272
    result = unstratified
    assert result.n_pairs == 17189 and len(result.table) == 17189
    assert result.n_reports == 3356  # distinct ids in caers.csv (the data's documentation: 3,356 reports)
    assert result.table.expected.iloc[0] == pytest.approx(0.0360548272, abs=5e-11)
    reference = openebgm_scores.rename(columns={"prr": "prr_openebgm"})
    merged = reference.merge(result.table, left_on=["var1", "var2"], right_on=["product", "event"])
    assert len(merged) == len(openebgm_scores)
    np.testing.assert_array_equal(merged.N, merged.n)
    np.testing.assert_allclose(merged.expected, merged.E, rtol=1e-13)  # R writes 15 significant digits
    # processRaw's PRR is (N/N_v1) / ((N_v2 - N)/(N_tot - N_v1)) rounded to 2 decimals
    np.testing.assert_array_equal(np.round(merged.prr, 2), merged.prr_openebgm)


def test_hyperparameters_from_dumouchels_start_match_the_published_fit(unstratified):
    # vignette 3: autoHyper(data = processed, theta_init = theta_init, squashed = FALSE)$estimates
    #   alpha1 3.25596685, beta1 0.39998994, alpha2 2.02376139, beta2 1.90614108, P 0.06530755; minimum 4162.456
    # the three nlminb starts themselves differ by up to 3e-4 in alpha1 (theta_hats table): the precision this allows.
    # That optimum is local: started at DuMouchel's point (the vignette's first start) we land on it too.
    table = unstratified.table
    prior = fit_gamma_mixture(table.n, table.expected, starts=STARTS[:1])
    assert prior.converged
    published = [3.25596685, 0.39998994, 2.02376139, 1.90614108, 0.06530755]
    np.testing.assert_allclose(prior.theta(), published, rtol=1e-4)
    assert -prior.loglik == pytest.approx(4162.456, abs=5e-4)


def test_hyperparameters_from_dumouchels_start_match_openebgm_recomputed(unstratified, openebgm_hyper):
    # tests/reference/signals/openebgm_caers.R part 2, full precision: -log L = 4162.45571037949 at
    # (3.2559666440092, 0.399989608486761, 2.02375172860923, 1.90613252757708, 0.0653073552694443); estimates agree
    # to nlminb's tolerance, the likelihood to 1e-9
    ref = openebgm_hyper.loc["full_unstratified"]
    table = unstratified.table
    prior = fit_gamma_mixture(table.n, table.expected, starts=STARTS[:1])
    assert -prior.loglik == pytest.approx(ref.negll, abs=1e-8)
    np.testing.assert_allclose(prior.theta(), ref[["alpha1", "beta1", "alpha2", "beta2", "p"]].astype(float), rtol=2e-5)


def test_default_fit_finds_the_better_optimum_openebgm_confirms(unstratified, openebgm_hyper):
    # From the vignette's third start our fit reaches a higher likelihood than every autoHyper start; openEBGM's own
    # negLL there, polished by nlminb (openebgm_caers.R part 2b): -log L = 4162.18083727162 at
    # (20.95776093, 1.65775862, 1.73831314, 1.56425853, 0.03493785), i.e. 0.275 below autoHyper's 4162.4557.
    ref = openebgm_hyper.loc["better_local_optimum"]
    prior = unstratified.prior
    assert prior.converged
    assert -prior.loglik == pytest.approx(ref.negll, abs=1e-8)
    assert -prior.loglik < openebgm_hyper.loc["full_unstratified"].negll - 0.27
    np.testing.assert_allclose(prior.theta(), ref[["alpha1", "beta1", "alpha2", "beta2", "p"]].astype(float), rtol=1e-5)


def test_stratified_by_sex_matches_openebgm(caers, openebgm_hyper, openebgm_scores):
    # processRaw(caers, stratify = TRUE) (strat1: Female, Male, Not Available) then autoHyper as above
    result = detect_signals(caers, report_col="id", product_col="var1", event_col="var2", strata_col="strat1")
    merged = openebgm_scores.merge(result.table, left_on=["var1", "var2"], right_on=["product", "event"])
    np.testing.assert_allclose(merged.expected, merged.E_strat, rtol=1e-13)
    ref = openebgm_hyper.loc["full_stratified_sex"]
    assert -result.prior.loglik == pytest.approx(ref.negll, abs=1e-8)
    # a flat likelihood in alpha1 (about 24): agreement to the optimisers' tolerance
    np.testing.assert_allclose(
        result.prior.theta(), ref[["alpha1", "beta1", "alpha2", "beta2", "p"]].astype(float), rtol=2e-5
    )


def test_vignette4_likelihood_and_suspicious_count(unstratified):
    # openebgm_caers.R: negLL(theta of vignette 4, processed$N, processed$E) = 4162.45572843942, and
    # vignette 4: nrow(processed[processed$QUANT_05 >= 2, ]) -> 131 (at theta of vignette 4)
    table = unstratified.table
    assert negative_log_likelihood(VIGNETTE4_THETA, table.n, table.expected) == pytest.approx(
        4162.45572843942, rel=1e-13
    )
    scores = eb_scores(VIGNETTE4_THETA, table.n.to_numpy(), table.expected.to_numpy())
    assert int((np.round(scores.eb05, 2) >= 2).sum()) == 131
    top = table.assign(eb05=scores.eb05).nlargest(5, "eb05")
    # vignette 4, head(suspicious, 5): REUMOFAN PLUS/WEIGHT INCREASED, HYDROXYCUT REGULAR RAPID RELEASE CAPLETS/
    # EMOTIONAL DISTRESS, REUMOFAN PLUS/IMMOBILE, HYDROXYCUT HARDCORE CAPSULES/CARDIO-RESPIRATORY DISTRESS,
    # HYDROXYCUT REGULAR RAPID RELEASE CAPLETS/INJURY
    assert list(top["event"]) == [
        "WEIGHT INCREASED",
        "EMOTIONAL DISTRESS",
        "IMMOBILE",
        "CARDIO-RESPIRATORY DISTRESS",
        "INJURY",
    ]
    assert list(top["n"]) == [16, 19, 6, 8, 11]
