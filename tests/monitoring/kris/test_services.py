"""KRI writes: the default KRIs (gsm's table), adding, editing and retiring one, and the snapshot at a data cut
with its values computed by hand."""

import csv
import math
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.monitoring.kris import services
from opencro.monitoring.kris.defaults import DEFAULT_KRIS
from opencro.monitoring.models import KriDefinition, KriResult, KriSnapshot
from opencro.studies.dates import site_today
from tests.monitoring.kris.conftest import CUT, D

pytestmark = pytest.mark.django_db
GSM = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "monitoring" / "gsm" / "reportingMetrics.csv"
)
CUSTOM = {
    "name": "Late page rate",
    "abbreviation": "LATE",
    "numerator": "data_pages_late",
    "denominator": "data_pages",
    "method": "identity",
    "kind": "binary",
    "thresholds": [-1, -0.5, 0.1, 0.5],
    "min_denominator": 1,
}


def _pm(w):
    return w.user(RoleCode.PROJECT_MANAGER)


def test_the_defaults_are_gsms_twelve_and_are_added_once(world):
    created = services.kri_definitions_create_default(actor=_pm(world), study=world.study)
    assert [d.code for d in created] == [f"kri{n:04d}" for n in range(1, 13)]
    assert services.kri_definitions_create_default(actor=_pm(world), study=world.study) == []
    assert KriDefinition.objects.filter(study=world.study).count() == 12
    records = AuditRecord.objects.filter(object_type="monitoring.kridefinition", action="create", field="code")
    assert records.count() == 12 and set(records.values_list("user_id", flat=True)) == {_pm(world).pk}


def test_the_defaults_match_gsms_published_metric_table():
    if not GSM.exists():
        pytest.skip("reference data ../shared/reference/monitoring not present")
    with GSM.open(newline="") as f:
        rows = {r["ID"]: r for r in csv.DictReader(f)}
    assert set(rows) == {d.code for d in DEFAULT_KRIS}
    for d in DEFAULT_KRIS:
        row = rows[d.code]
        assert (d.name, d.kind, d.min_denominator) == (
            row["Metric"],
            row["AnalysisType"],
            float(row["nMinDenominator"]),
        )
        assert d.thresholds == tuple(float(t) for t in row["Threshold"].split(","))
        assert row["Model"] == "Normal Approximation" and d.method == "normal"


def test_a_kri_is_added_with_the_next_code_and_edited_with_a_reason(world):
    services.kri_definitions_create_default(actor=None, study=world.study)
    added = services.kri_definition_save(actor=_pm(world), study=world.study, **CUSTOM)
    assert (added.code, added.thresholds, added.active) == ("kri0013", [-1.0, -0.5, 0.1, 0.5], True)
    with pytest.raises(ValidationError) as exc:
        services.kri_definition_save(actor=_pm(world), study=world.study, definition=added, **CUSTOM)
    assert "reason" in exc.value.message_dict
    edited = services.kri_definition_save(
        actor=_pm(world),
        study=world.study,
        definition=added,
        reason="Stricter upper threshold.",
        **{**CUSTOM, "thresholds": [-1, -0.5, 0.05, 0.5]},
    )
    assert edited.code == "kri0013" and edited.thresholds == [-1.0, -0.5, 0.05, 0.5]
    change = AuditRecord.objects.get(object_type="monitoring.kridefinition", object_id=str(added.pk), action="update")
    assert (change.field, change.reason) == ("thresholds", "Stricter upper threshold.")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"numerator": "heartbeats"}, "numerator"),
        ({"denominator": ""}, "denominator"),
        ({"method": "bayes"}, "method"),
        ({"kind": "ratio"}, "kind"),
        ({"thresholds": [3, 2, -2, -3]}, "thresholds"),
        ({"method": "fisher", "thresholds": [-3, -2, 2, 3]}, "thresholds"),  # Fisher takes two p-values
        ({"thresholds": [-2, 2, 3]}, "thresholds"),  # three thresholds: no default flags
        ({"min_denominator": -1}, "min_denominator"),
        ({"name": " "}, "name"),
        ({"code": "Bad Code"}, "code"),
        ({"code": "compute"}, "code"),  # a page path
        ({"code": "kri0001"}, "code"),  # taken
    ],
)
def test_a_bad_kri_is_refused_with_its_field_and_writes_nothing(world, change, field):
    services.kri_definitions_create_default(actor=None, study=world.study)
    with pytest.raises(ValidationError) as exc:
        services.kri_definition_save(actor=_pm(world), study=world.study, **{**CUSTOM, **change})
    assert field in exc.value.message_dict
    assert KriDefinition.objects.filter(study=world.study).count() == 12


def test_fisher_takes_two_p_values(world):
    kri = services.kri_definition_save(
        actor=None, study=world.study, **{**CUSTOM, "method": "fisher", "thresholds": [0.01, 0.05]}
    )
    assert kri.thresholds == [0.01, 0.05]


def test_who_may_write_kris(world):
    for role in (RoleCode.AUDITOR, RoleCode.SPONSOR_OVERSIGHT, RoleCode.DATA_MANAGER, RoleCode.STUDY_COORDINATOR):
        with pytest.raises(PermissionDenied):
            services.kri_definitions_create_default(actor=world.user(role), study=world.study)
        with pytest.raises(PermissionDenied):
            services.kri_snapshot_compute(actor=world.user(role), study=world.study)
    with pytest.raises(PermissionDenied):
        services.kri_definition_save(actor=world.outsider, study=world.study, **CUSTOM)
    # a monitor holds risk.manage (at site A1): study-level definitions, snapshots over every site
    assert services.kri_definition_save(actor=world.user(RoleCode.MONITOR), study=world.study, **CUSTOM).pk


def test_a_retired_kri_leaves_new_snapshots_and_keeps_old_ones(kri_world):
    w = kri_world
    services.kri_definitions_create_default(actor=None, study=w.study)
    first = services.kri_snapshot_compute(actor=None, study=w.study, cut_on=D(2026, 5, 1))
    kri = KriDefinition.objects.get(study=w.study, code="kri0002")
    with pytest.raises(ValidationError):
        services.kri_definition_retire(actor=_pm(w), definition=kri, reason="  ")
    services.kri_definition_retire(actor=_pm(w), definition=kri, reason="No SAEs expected in this population.")
    with pytest.raises(ValidationError) as exc:
        services.kri_definition_retire(actor=_pm(w), definition=kri, reason="again")
    assert "active" in exc.value.message_dict
    second = services.kri_snapshot_compute(actor=None, study=w.study, cut_on=CUT)
    assert "kri0002" in first.definitions and "kri0002" not in second.definitions
    assert KriResult.objects.filter(snapshot=first, kri_code="kri0002").count() == 4
    assert not KriResult.objects.filter(snapshot=second, kri_code="kri0002").exists()


def _normal_rate_scores(groups: list[tuple[float, float]]) -> list[float]:
    """gsm's Analyze_NormalApprox for a rate, written out: p = sum x / sum n; z0 = (x/n - p) / sqrt(p / n);
    phi = mean(z0^2); z = (x/n - p) / sqrt(phi p / n) (Spiegelhalter 2005, over-dispersion)."""
    p = sum(x for x, _ in groups) / sum(n for _, n in groups)
    z0 = [(x / n - p) / math.sqrt(p / n) for x, n in groups]
    phi = sum(z * z for z in z0) / len(z0)
    return [(x / n - p) / math.sqrt(phi * p / n) for x, n in groups]


def test_the_snapshot_at_the_cut_as_computed_by_hand(kri_world):
    w = kri_world
    services.kri_definitions_create_default(actor=None, study=w.study)
    snapshot = services.kri_snapshot_compute(actor=_pm(w), study=w.study, cut_on=CUT)
    assert (snapshot.cut_on, snapshot.n_subjects, snapshot.created_by) == (CUT, 5, _pm(w))
    results = {(r.kri_code, r.level, r.group): r for r in KriResult.objects.filter(snapshot=snapshot)}
    assert len(results) == 12 * 4  # each KRI at sites A1, B1 and countries US, JP
    ae_a, ae_b = results[("kri0001", "site", "A1")], results[("kri0001", "site", "B1")]
    # A1: AEs 2 + 1 over days 84 + 1 + 38; B1: none over 84 + 61 days
    assert (ae_a.numerator, ae_a.denominator, ae_a.n_subjects, ae_a.site_id) == (3, 123, 3, w.site_a.pk)
    assert (ae_b.numerator, ae_b.denominator, ae_b.n_subjects) == (0, 145, 2)
    z_a, z_b = _normal_rate_scores([(3, 123), (0, 145)])
    assert ae_a.metric == pytest.approx(3 / 123) and ae_b.metric == 0
    assert ae_a.score == pytest.approx(z_a, rel=1e-9) and ae_b.score == pytest.approx(z_b, rel=1e-9)
    assert z_a == pytest.approx(1.0402, abs=1e-4) and (ae_a.flag, ae_b.flag) == (0, 0)  # thresholds -2, -1, 2, 3
    country = results[("kri0001", "country", "US")]
    assert (country.numerator, country.denominator, country.site_id, country.score) == (3, 123, None, ae_a.score)
    # screen failures: 1 of 3 screened at A1; B1's 2 screened are under the minimum denominator of 3
    sf_a, sf_b = results[("kri0012", "site", "A1")], results[("kri0012", "site", "B1")]
    assert (sf_a.numerator, sf_a.denominator, sf_a.metric) == (1, 3, pytest.approx(1 / 3))
    assert sf_a.flag is not None and (sf_b.metric, sf_b.score, sf_b.flag) == (0, None, None)
    # outstanding queries: A1 1 of 2; B1 has no query: no metric at all
    oq_b = results[("kri0009", "site", "B1")]
    assert (oq_b.numerator, oq_b.denominator, oq_b.metric, oq_b.flag) == (0, 0, None, None)
    assert results[("kri0005", "site", "A1")].numerator == 1  # the grade-3 sample
    assert snapshot.definitions["kri0001"] == {
        "name": "Adverse Event Rate",
        "abbreviation": "AE",
        "numerator": "aes",
        "denominator": "days_on_study",
        "method": "normal",
        "kind": "rate",
        "thresholds": [-2.0, -1.0, 2.0, 3.0],
        "min_denominator": 30.0,
    }
    event = AuditRecord.objects.filter(object_type="monitoring.krisnapshot", object_id=str(snapshot.pk))
    assert dict(event.values_list("field", "new_value")) == {
        "cut_on": "2026-06-01",
        "n_subjects": "5",
        "kris": ",".join(f"kri{n:04d}" for n in range(1, 13)),
        "results": "48",
    }
    assert set(event.values_list("action", flat=True)) == {"create"}


def test_computing_the_same_cut_again_replaces_it(kri_world):
    w = kri_world
    services.kri_definitions_create_default(actor=None, study=w.study)
    first = services.kri_snapshot_compute(actor=None, study=w.study, cut_on=CUT)
    services.kri_definition_save(actor=None, study=w.study, **CUSTOM)
    again = services.kri_snapshot_compute(actor=_pm(w), study=w.study, cut_on=CUT)
    assert again.pk == first.pk and KriSnapshot.objects.filter(study=w.study).count() == 1
    assert KriResult.objects.filter(snapshot=again).count() == 13 * 4
    update = AuditRecord.objects.get(
        object_type="monitoring.krisnapshot", object_id=str(first.pk), action="update", field="results"
    )
    assert (update.old_value, update.new_value, update.reason) == ("48", "52", "recomputed")


def test_a_snapshot_keeps_the_definitions_it_was_computed_with(kri_world):
    w = kri_world
    kri = services.kri_definition_save(actor=None, study=w.study, **CUSTOM)
    snapshot = services.kri_snapshot_compute(actor=None, study=w.study, cut_on=CUT)
    services.kri_definition_save(
        actor=None, study=w.study, definition=kri, reason="new numerator", **{**CUSTOM, "numerator": "queries_old"}
    )
    snapshot.refresh_from_db()
    assert snapshot.definitions[kri.code]["numerator"] == "data_pages_late"


def test_a_cut_in_the_future_is_refused(kri_world):
    tomorrow = max(site_today(s) for s in (kri_world.site_a, kri_world.site_b)).toordinal() + 1
    with pytest.raises(ValidationError) as exc:
        services.kri_snapshot_compute(actor=None, study=kri_world.study, cut_on=D.fromordinal(tomorrow))
    assert "cut_on" in exc.value.message_dict
    assert not KriSnapshot.objects.exists()
