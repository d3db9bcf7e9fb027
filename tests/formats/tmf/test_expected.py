"""eTMF metrics on a small study worked by hand.

The study: trial level expects 01.01.01 and 01.01.02, each country 03.01.01, each site 05.01.01
and 05.01.02; countries FR and DE; sites S1 and S2 in FR, S3 in DE - 2 + 2x1 + 3x2 = 10 expected
slots. Timely means filed at most 5 days after the document date. Each figure below is counted
from the placements listed in `PLACEMENTS` (numbered #1-#9 in the comments).
"""

from datetime import date
from fractions import Fraction

import pytest

from opencro.formats.tmf import (
    ExpectedArtifacts,
    Placement,
    Ratio,
    StudySite,
    expected_from_model,
    read_reference_model,
    tmf_metrics,
)
from tests.formats.tmf.helpers import v3_rows, write_csv

EXPECTED = ExpectedArtifacts(
    trial=frozenset({"01.01.01", "01.01.02"}),
    country=frozenset({"03.01.01"}),
    site=frozenset({"05.01.01", "05.01.02"}),
)
COUNTRIES = ["FR", "DE"]
SITES = [StudySite("S1", "FR"), StudySite("S2", "FR"), StudySite("S3", "DE")]
D = date
PASSED, REJECTED = "passed", "rejected"

PLACEMENTS = [
    # 1: lag 2 days, timely, passed
    Placement("01.01.01", "trial", filed_date=D(2025, 1, 3), qc_status="passed", document_date=D(2025, 1, 1)),
    # 2: lag 9, late, rejected: the slot stays empty
    Placement("01.01.02", "trial", filed_date=D(2025, 1, 10), qc_status="rejected", document_date=D(2025, 1, 1)),
    # 3: lag 5, timely at the boundary, QC pending (fills its slot)
    Placement(
        "03.01.01", "country", filed_date=D(2025, 2, 6), qc_status="pending", document_date=D(2025, 2, 1), country="FR"
    ),
    # 4: lag 0, timely, passed
    Placement("05.01.01", "site", filed_date=D(2025, 3, 1), qc_status="passed", document_date=D(2025, 3, 1), site="S1"),
    # 5: undated, passed
    Placement("05.01.02", "site", filed_date=D(2025, 3, 5), qc_status="passed", site="S1", country="FR"),
    # 6: lag 10, late, passed
    Placement("05.01.01", "site", filed_date=D(2025, 3, 20), qc_status=PASSED, document_date=D(2025, 3, 10), site="S2"),
    # 7: filed 2 days before its document date: timely; rejected
    Placement(
        "05.01.01", "site", filed_date=D(2025, 3, 30), qc_status=REJECTED, site="S3", document_date=D(2025, 4, 1)
    ),
    # 8: its replacement, lag 1, timely, passed
    Placement("05.01.01", "site", filed_date=D(2025, 4, 2), qc_status="passed", document_date=D(2025, 4, 1), site="S3"),
    # 9: not expected anywhere: counts for timeliness (lag 1) and quality, not completeness
    Placement("99.99.99", "trial", filed_date=D(2025, 1, 2), qc_status="passed", document_date=D(2025, 1, 1)),
]


def figures(metrics):
    return (
        (metrics.completeness.numerator, metrics.completeness.denominator),
        (metrics.timeliness.numerator, metrics.timeliness.denominator),
        (metrics.quality.numerator, metrics.quality.denominator),
        metrics.qc_rejected,
        metrics.qc_pending,
        metrics.undated,
        metrics.missing,
    )


def run(days=5, placements=PLACEMENTS):
    return tmf_metrics(EXPECTED, countries=COUNTRIES, sites=SITES, placements=placements, timely_within_days=days)


def test_sites():
    result = run()
    # S1: #4, #5 fill both slots; #4 timely, #5 undated; both passed.
    assert figures(result.site("S1")) == ((2, 2), (1, 1), (2, 2), 0, 0, 1, ())
    # S2: #6 fills 05.01.01, late, passed; 05.01.02 missing.
    assert figures(result.site("S2")) == ((1, 2), (0, 1), (1, 1), 0, 0, 0, ("05.01.02",))
    # S3: #8 fills 05.01.01 (#7 rejected); #7 and #8 timely; one passed of two.
    assert figures(result.site("S3")) == ((1, 2), (2, 2), (1, 2), 1, 0, 0, ("05.01.02",))


def test_countries_include_their_sites():
    result = run()
    # FR: own slot by #3, plus S1 (2 of 2) and S2 (1 of 2): 4 of 5. Dated #3, #4, #6: #3, #4 timely.
    # Filed #3, #4, #5, #6: three passed, #3 pending; #5 undated.
    assert figures(result.country("FR")) == ((4, 5), (2, 3), (3, 4), 0, 1, 1, ())
    # DE: own slot empty, plus S3 (1 of 2): 1 of 3. #7, #8 timely; #8 passed, #7 rejected.
    assert figures(result.country("DE")) == ((1, 3), (2, 2), (1, 2), 1, 0, 0, ("03.01.01",))


def test_study_includes_everything():
    result = run()
    # Completeness: trial 1 of 2 (#2 rejected) + FR 4 + DE 1 = 6 of 10.
    # Timeliness: dated #1-#4, #6-#9 = 8; timely #1, #3, #4, #7, #8, #9 = 6.
    # Quality: 9 filed; passed #1, #4, #5, #6, #8, #9 = 6; rejected #2, #7; pending #3.
    assert figures(result.study) == ((6, 10), (6, 8), (6, 9), 2, 1, 1, ("01.01.02",))
    assert result.study.completeness.value == Fraction(3, 5)
    assert result.study.completeness.percent == 60.0
    assert [m.country for m in result.countries] == ["FR", "DE"]
    assert [m.site for m in result.sites] == ["S1", "S2", "S3"]
    assert result.timely_within_days == 5


def test_the_allowed_lag_is_a_parameter():
    # With 4 days #3 (lag 5) becomes late: FR 1 of 3, the study 5 of 8. With 10 days #2 (lag 9)
    # and #6 (lag 10) become timely: all 8 dated documents of the study.
    assert run(days=4).country("FR").timeliness == Ratio(1, 3)
    assert run(days=4).study.timeliness == Ratio(5, 8)
    assert run(days=10).study.timeliness == Ratio(8, 8)


def test_nothing_filed():
    result = run(placements=[])
    assert figures(result.study) == ((0, 10), (0, 0), (0, 0), 0, 0, 0, ("01.01.01", "01.01.02"))
    assert result.study.timeliness.value is None and result.study.quality.percent is None
    assert result.site("S3").missing == ("05.01.01", "05.01.02")


def test_expected_from_model(tmp_path):
    # Fixture rows: 01.01.01 core trial; 01.01.02 recommended trial+country; 01.02.01 core country+site;
    # 02.01.03 core site.
    model = read_reference_model(write_csv(tmp_path / "model.csv", v3_rows()))
    assert expected_from_model(model) == ExpectedArtifacts(
        trial=frozenset({"01.01.01"}), country=frozenset({"01.02.01"}), site=frozenset({"01.02.01", "02.01.03"})
    )
    everything = expected_from_model(model, core_only=False)
    assert everything.trial == {"01.01.01", "01.01.02"} and everything.country == {"01.01.02", "01.02.01"}


def test_inputs_that_cannot_be_placed():
    bad = [
        Placement("01.01.01", "region", filed_date=D(2025, 1, 1), qc_status="passed"),
        Placement("03.01.01", "country", filed_date=D(2025, 1, 1), qc_status="passed", country="IT"),
        Placement("05.01.01", "site", filed_date=D(2025, 1, 1), qc_status="passed", site="S9"),
        Placement("05.01.01", "site", filed_date=D(2025, 1, 1), qc_status="done", site="S1", country="DE"),
    ]
    with pytest.raises(ValueError) as error:
        tmf_metrics(
            EXPECTED, countries=COUNTRIES, sites=[*SITES, StudySite("S4", "ES")], placements=bad, timely_within_days=5
        )
    assert str(error.value).split("; ") == [
        "site 'S4' is in country 'ES', which is not among the study's countries",
        "placement 1 (artifact 01.01.01): level 'region' is not one of trial, country, site",
        "placement 2 (artifact 03.01.01): country 'IT' is not among the study's countries",
        "placement 3 (artifact 05.01.01): site 'S9' is not among the study's sites",
        "placement 4 (artifact 05.01.01): site 'S1' is in 'FR', not 'DE'",
        "placement 4 (artifact 05.01.01): QC status 'done' is not one of passed, rejected, pending",
    ]
    with pytest.raises(ValueError, match="timely_within_days must be 0 or more"):
        run(days=-1)
