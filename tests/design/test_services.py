"""Design services: compute every kind, save (computed again, audited), adopt (signed, supersedes), delete."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.models import Signature, User
from opencro.accounts.permissions import RoleCode
from opencro.accounts.signatures import content_hash
from opencro.audit.models import AuditRecord
from opencro.design.kinds import KINDS
from opencro.design.models import Design, DesignStatus
from opencro.design.services import design_adopt, design_compute, design_delete, design_save
from opencro.stats.design.boin import boin_decision_table
from opencro.stats.design.dose_simulation import simulate_boin, simulate_crm
from opencro.stats.design.group_sequential import group_sequential
from opencro.stats.design.means import means_two_sample
from opencro.stats.design.three_plus_three import three_plus_three_oc
from tests.conftest import PASSWORD
from tests.design.conftest import MEANS, saved

pytestmark = pytest.mark.django_db
TYPE = "design.design"
REFERENCE = json.loads((Path(__file__).parents[1] / "reference/design/workspace_defaults.json").read_text())


# ------------------------------------------------------------------------------------------- compute


def test_means_defaults_match_r():
    """pwr.t.test(d = 5/10, sig.level = 0.05, power = 0.8) (tests/reference/design/workspace_defaults.R)."""
    computed = design_compute("means", MEANS)
    assert computed.result["n_per_arm_raw"][0] == pytest.approx(REFERENCE["means"]["n_per_arm_raw"], rel=1e-4)
    assert computed.result["n_per_arm"] == [64, 64] and computed.result["n_total"] == 128
    assert computed.inputs == {
        "delta": 5.0,
        "sd": 10.0,
        "alpha": 0.05,
        "power": 0.8,
        "sides": 2,
        "ratio": 1.0,
        "test": "t",
        "hypothesis": "superiority",
        "margin": 0.0,
        "dropout": 0.0,
        "baseline_correlation": 0.0,
    }


def test_proportions_defaults_match_r():
    """power.prop.test(p1 = 0.4, p2 = 0.25, power = 0.8) (workspace_defaults.R), rounded up per arm."""
    computed = design_compute("proportions", {})
    assert computed.result["n_per_arm_raw"][0] == pytest.approx(REFERENCE["proportions"]["n_per_arm_raw"], rel=1e-7)
    assert computed.result["n_per_arm"] == [152, 152]


def test_survival_defaults_match_rpact():
    """rpact getSampleSizeSurvival with the control median 12 and hr 0.7 (workspace_defaults.R)."""
    result = design_compute("survival", {}).result
    assert result["events_raw"] == pytest.approx(REFERENCE["survival"]["events_raw"], rel=1e-7)
    assert result["n_total_raw"] == pytest.approx(REFERENCE["survival"]["n_total_raw"], rel=1e-6)
    assert result["events"] == 247


def test_gsd_defaults_match_rpact():
    """rpact getDesignGroupSequential(kMax = 3, alpha = 0.025, beta = 0.2, typeOfDesign = "asOF")."""
    result = design_compute("gsd", {}).result
    assert result["upper"] == pytest.approx(REFERENCE["gsd"]["upper"], abs=1e-6)
    assert result["inflation_factor"] == pytest.approx(REFERENCE["gsd"]["inflation_factor"], abs=1e-6)
    assert result["expected_n_h1"] == pytest.approx(REFERENCE["gsd"]["expected_n_h1"], abs=1e-6)
    assert "sample_size" not in result


def test_gsd_with_a_fixed_size_gives_the_maximum_and_expected_n():
    """N max = ceil(N fixed x inflation factor); E[N] = N fixed x the expected fractions."""
    result = design_compute("gsd", {"n_fixed": 128, "k": 2, "spending": "of", "info_rates": "0.5, 1"}).result
    design = group_sequential(k=2, spending="of", info_rates=[0.5, 1.0])
    size = result["sample_size"]
    assert size["n_max"] == -(-128 * design.inflation_factor // 1)
    assert size["n_per_look"] == [-(-size["n_max"] * 0.5 // 1), size["n_max"]]
    assert size["expected_n_h1"] == pytest.approx(128 * design.expected_n_h1, rel=1e-12)


def test_boin_defaults_match_the_published_boundaries_and_the_library():
    """lambda_e, lambda_d by Liu and Yuan's (2015) formula (workspace_defaults.R); the simulation is the
    library's with the same seed, so the saved design can be recomputed exactly."""
    result = design_compute("boin", {}).result
    assert result["boundaries"]["lambda_e"] == pytest.approx(REFERENCE["boin"]["lambda_e"], abs=1e-12)
    assert result["boundaries"]["lambda_d"] == pytest.approx(REFERENCE["boin"]["lambda_d"], abs=1e-12)
    tox = [0.05, 0.1, 0.2, 0.3, 0.45]
    direct = simulate_boin(tox, target=0.3, n_sims=2000, seed=2026, max_n=36)
    assert result["oc"]["p_select"] == list(direct.p_select)
    assert result["boundaries"]["rows"] == boin_decision_table(target=0.3, max_n=36).as_dict()["rows"]


def test_crm_and_three_plus_three_are_the_library_answers():
    tox = [0.05, 0.1, 0.2, 0.3, 0.45]
    crm = design_compute("crm", {"n_sims": 200, "start_level": 2}).result
    skeleton = [0.05, 0.12, 0.25, 0.4, 0.55]
    direct = simulate_crm(tox, skeleton=skeleton, target=0.3, n_sims=200, seed=2026, start_dose=1)  # level 2
    assert crm["oc"]["p_select"] == list(direct.p_select)
    tpt = design_compute("three_plus_three", {"true_tox": "0.1 0.2 0.35", "de_escalation": "false"}).result
    assert tpt["p_select"] == list(three_plus_three_oc([0.1, 0.2, 0.35], de_escalation=False).p_select)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_computes_with_its_defaults_and_gives_key_figures(kind):
    computed = design_compute(kind, {} if kind != "means" else MEANS)
    figures = KINDS[kind].figures(computed.inputs, computed.result)
    assert figures[-1].key == "method" and figures[-1].text
    assert json.loads(json.dumps(computed.result, allow_nan=False)) == computed.result
    assert set(computed.inputs) == {p.name for p in KINDS[kind].params}


def test_form_text_is_read_as_the_library_types():
    """What a page sends (text) and what the API sends (JSON values) give the same design."""
    text = design_compute("means", {"delta": " 5 ", "sd": "10", "sides": "1", "alpha": "0.025", "test": "z"})
    json_values = design_compute("means", {"delta": 5, "sd": 10.0, "sides": 1, "alpha": 0.025, "test": "z"})
    assert text == json_values
    direct = means_two_sample(delta=5, sd=10, sides=1, alpha=0.025, test="z")
    assert text.result["n_per_arm_raw"] == list(direct.n_per_arm_raw)


@pytest.mark.parametrize(
    ("kind", "inputs", "parameter"),
    [
        ("means", {"delta": 5, "sd": 10, "alpha": 1.5}, "alpha"),  # the library refuses (DesignInputError)
        ("means", {"delta": 5, "sd": -1}, "sd"),
        ("means", {"delta": "five", "sd": 10}, "delta"),  # not a number
        ("means", {"delta": 5, "sd": 10, "sides": 3}, "sides"),  # not a choice
        ("means", {"delta": 5, "sd": 10, "n_total": 12}, "n_total"),  # not a parameter
        ("gsd", {"k": 2.5}, "k"),
        ("gsd", {"k": 3, "info_rates": "0.5, 0.4, 1"}, "info_rates"),
        ("boin", {"n_sims": 10**9}, "n_sims"),  # bounded: a request's work stays bounded
        ("boin", {"true_tox": "0.3, 0.1"}, "true_tox"),
        ("crm", {"skeleton": "0.1, 0.2"}, "skeleton"),
        ("boin", {"start_level": 6}, "start_level"),  # five doses
        ("crm", {"start_level": 0}, "start_level"),
        ("survival", {"hr": None, "median1": None}, "lambda1"),  # the library names the missing hazard
    ],
)
def test_bad_input_names_the_parameter(kind, inputs, parameter):
    with pytest.raises(ValidationError) as caught:
        design_compute(kind, inputs)
    assert parameter in caught.value.message_dict, caught.value.message_dict


def test_unknown_kind_and_inputs_of_the_wrong_shape():
    with pytest.raises(ValidationError) as caught:
        design_compute("magic", {})
    assert "kind" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        design_compute("means", ["delta", 5])
    assert "inputs" in caught.value.message_dict


# ---------------------------------------------------------------------------------------------- save


def test_save_computes_on_the_server_and_is_audited(design_world):
    w = design_world
    design = saved(w, notes="  primary endpoint  ")
    assert design.result == design_compute("means", MEANS).result
    assert (design.status, design.created_by, design.notes, design.protocol_version) == (
        "draft",
        w.stat,
        "primary endpoint",
        None,
    )
    records = AuditRecord.objects.filter(object_type=TYPE, object_id=str(design.pk))
    assert {r.field for r in records} >= {"name", "kind", "inputs", "result", "status"}
    assert {r.action for r in records} == {"create"} and {r.study_id for r in records} == {w.study.pk}


def test_save_never_takes_a_result_from_the_client(design_world):
    with pytest.raises(ValidationError) as caught:
        saved(design_world, inputs={**MEANS, "result": {"n_total": 2}})
    assert "result" in caught.value.message_dict
    assert not Design.objects.exists()


def test_save_refuses_a_missing_or_duplicate_name_and_bad_inputs(design_world):
    w = design_world
    with pytest.raises(ValidationError) as caught:
        saved(w, name="  ")
    assert "name" in caught.value.message_dict
    saved(w)
    with pytest.raises(ValidationError) as caught:
        saved(w)
    assert "__all__" in caught.value.message_dict or "name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        saved(w, name="Other", inputs={"delta": 0, "sd": 10})
    assert "delta" in caught.value.message_dict
    assert Design.objects.count() == 1


def test_only_analysts_save(design_world):
    w = design_world
    for role in (RoleCode.MONITOR, RoleCode.PROJECT_MANAGER, RoleCode.AUDITOR):
        with pytest.raises(PermissionDenied):
            design_save(actor=w.user(role), study=w.study, name="x", kind="means", inputs=MEANS)
    with pytest.raises(PermissionDenied):
        design_save(actor=w.outsider, study=w.study, name="x", kind="means", inputs=MEANS)
    unblinded = w.user(RoleCode.UNBLINDED_STATISTICIAN)
    assert design_save(actor=unblinded, study=w.study, name="x", kind="means", inputs=MEANS).pk


# --------------------------------------------------------------------------------------------- adopt


def test_adopt_signs_and_supersedes_the_previous_design(design_world):
    w = design_world
    first, second = saved(w, "First"), saved(w, "Second", inputs={"delta": 4, "sd": 10})
    design_adopt(actor=w.stat, design=first, protocol_version=w.draft, password=PASSWORD, reason="SAP v1")
    first.refresh_from_db()
    assert (first.status, first.protocol_version, first.adopted_at is not None) == ("adopted", w.draft, True)
    signature = Signature.objects.get(object_id=str(first.pk))
    assert (signature.signer, signature.meaning, signature.content_hash) == (w.stat, "approve", content_hash(first))
    reasons = set(
        AuditRecord.objects.filter(object_type=TYPE, object_id=str(first.pk), action="update").values_list(
            "reason", flat=True
        )
    )
    assert reasons == {"SAP v1"}
    assert AuditRecord.objects.filter(object_type=TYPE, object_id=str(first.pk), action="sign").count() == 1

    design_adopt(actor=w.stat, design=second, protocol_version=w.draft, password=PASSWORD)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (DesignStatus.SUPERSEDED, DesignStatus.ADOPTED)
    assert Signature.objects.get(object_id=str(first.pk)).broken_at is None  # superseding is workflow, not content
    superseded = AuditRecord.objects.filter(object_type=TYPE, object_id=str(first.pk), field="status").last()
    assert (superseded.new_value, superseded.reason) == ("superseded", "superseded by design Second")
    assert AuditRecord.objects.filter(object_type=TYPE, object_id=str(second.pk), field="status").last().reason == (
        "adopted into protocol version 2.0"
    )


@pytest.mark.parametrize("which", ["approved", "other_draft"])
def test_adopt_only_into_a_draft_version_of_the_same_study(design_world, which):
    w = design_world
    design = saved(w)
    with pytest.raises(ValidationError) as caught:
        design_adopt(actor=w.stat, design=design, protocol_version=getattr(w, which), password=PASSWORD)
    assert "protocol_version" in caught.value.message_dict
    design.refresh_from_db()
    assert design.status == "draft" and not Signature.objects.exists()


def test_adopt_with_a_wrong_password_changes_nothing_and_counts_a_failed_login(design_world):
    w = design_world
    design = saved(w)
    with pytest.raises(PermissionDenied):
        design_adopt(actor=w.stat, design=design, protocol_version=w.draft, password="wrong")
    design.refresh_from_db()
    assert design.status == "draft" and not Signature.objects.exists()
    assert User.objects.get(pk=w.stat.pk).failed_logins == 1


def test_adopt_needs_analysis_and_signing_and_a_draft_design(design_world):
    w = design_world
    design = saved(w)
    for role in (RoleCode.MONITOR, RoleCode.DATA_MANAGER):  # they sign, but do not run analyses
        with pytest.raises(PermissionDenied):
            design_adopt(actor=w.user(role), design=design, protocol_version=w.draft, password=PASSWORD)
    design_adopt(actor=w.stat, design=design, protocol_version=w.draft, password=PASSWORD)
    with pytest.raises(ValidationError) as caught:
        design_adopt(actor=w.stat, design=design, protocol_version=w.draft, password=PASSWORD)
    assert "status" in caught.value.message_dict


# -------------------------------------------------------------------------------------------- delete


def test_delete_a_draft_with_its_reason(design_world):
    w = design_world
    design = saved(w)
    pk = design.pk
    with pytest.raises(ValidationError):
        design_delete(actor=w.stat, design=design, reason=" ")
    with pytest.raises(PermissionDenied):
        design_delete(actor=w.user(RoleCode.MONITOR), design=design, reason="no")
    design_delete(actor=w.stat, design=design, reason="superseded by a better idea")
    assert not Design.objects.filter(pk=pk).exists()
    records = AuditRecord.objects.filter(object_type=TYPE, object_id=str(pk), action="delete")
    assert records.exists() and {r.reason for r in records} == {"superseded by a better idea"}


def test_an_adopted_design_is_not_deleted(design_world):
    w = design_world
    design = saved(w)
    design_adopt(actor=w.stat, design=design, protocol_version=w.draft, password=PASSWORD)
    with pytest.raises(ValidationError) as caught:
        design_delete(actor=w.stat, design=design, reason="oops")
    assert "status" in caught.value.message_dict
    assert Design.objects.filter(pk=design.pk).exists()
