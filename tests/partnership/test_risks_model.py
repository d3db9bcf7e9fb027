"""The register's model rules: the score and its level on the 5 x 5 matrix, and the database's own checks (scales of
1 to 5, one number per work order)."""

import re

import pytest
from django.db import IntegrityError, transaction

from opencro.partnership.models import ProjectRisk
from opencro.partnership.models.risks import HIGH_FROM, MEDIUM_FROM, level_range, risk_level
from tests.partnership.risk_helpers import raise_risk

# every product of likelihood 1-5 and impact 1-5, by hand: low 1-4, medium 5-12, high 15-25 (13 and 14 cannot occur)
LEVELS = {
    1: "low",
    2: "low",
    3: "low",
    4: "low",
    5: "medium",
    6: "medium",
    8: "medium",
    9: "medium",
    10: "medium",
    12: "medium",
    15: "high",
    16: "high",
    20: "high",
    25: "high",
}


def test_every_score_of_the_matrix_has_its_level():
    products = {lk * im for lk in range(1, 6) for im in range(1, 6)}
    assert products == set(LEVELS)
    assert {score: risk_level(score) for score in products} == LEVELS


def test_the_level_ranges_are_the_thresholds():
    assert (MEDIUM_FROM, HIGH_FROM) == (5, 15)
    assert [level_range(level) for level in ("low", "medium", "high")] == [(1, 4), (5, 14), (15, 25)]
    for score in range(1, 26):
        low, high = level_range(risk_level(score))
        assert low <= score <= high


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("likelihood", 0), ("likelihood", 6), ("impact", 0), ("impact", 6)])
def test_the_database_refuses_a_score_outside_1_to_5(partners, field, value):
    risk = raise_risk(partners)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectRisk.objects.filter(pk=risk.pk).update(**{field: value})


@pytest.mark.django_db
def test_a_number_is_unique_within_its_work_order(partners):
    risk = raise_risk(partners)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectRisk.objects.filter(pk=raise_risk(partners).pk).update(number=risk.number)
    assert str(risk) == "WO-001 RSK-001"


def test_the_heat_map_svg_escapes_its_texts_and_marks_each_cell():
    from opencro.partnership.risk_heatmap import Cell, HeatLabels, heatmap_svg

    rows = [
        [Cell(lk, im, int(lk == 2 and im == 1), risk_level(lk * im), f"<{lk}&{im}>") for lk in (1, 2)] for im in (2, 1)
    ]
    svg = heatmap_svg(rows, labels=HeatLabels(title='Risks "<all>"', likelihood="L<", impact="I&"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert '<title>Risks "&lt;all&gt;"</title>' in svg and "aria-label='Risks \"&lt;all&gt;\"'" in svg
    assert "<title>&lt;2&amp;1&gt;</title>" in svg and "L&lt; →" in svg and "I&amp; →" in svg
    cells = re.findall(r'data-likelihood="(\d)" data-impact="(\d)" data-count="(\d)" data-level="(\w+)"', svg)
    assert cells == [("1", "2", "0", "low"), ("2", "2", "0", "low"), ("1", "1", "0", "low"), ("2", "1", "1", "low")]
