"""Risk assessment: drafts, risks scored impact x likelihood x detectability, approval with an e-signature, versions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.models import Signature
from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.monitoring.models import AssessmentStatus, KriDefinition, QualityToleranceLimit
from opencro.monitoring.oversight import risk_services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
PM = RoleCode.PROJECT_MANAGER


def _risk(w, assessment, **kwargs):
    values = {
        "category": "endpoints",
        "description": "Primary endpoint NT-proBNP samples hemolysed in transport.",
        "impact": 3,
        "likelihood": 2,
        "detectability": 2,
        "mitigation": "Central lab kits with gel separators; KRI on lab samples.",
    }
    return risk_services.risk_save(actor=w.user(PM), assessment=assessment, **{**values, **kwargs})


def test_draft_risks_scored_and_approved_with_signature(world):
    draft = risk_services.risk_assessment_draft(actor=world.user(PM), study=world.study)
    assert (draft.version, draft.status) == (1, AssessmentStatus.DRAFT)
    KriDefinition.objects.create(
        study=world.study,
        code="kri0004",
        name="Important PD",
        abbreviation="PD",
        numerator="a",
        denominator="b",
        kind="rate",
        thresholds=[-3, -2, 2, 3],
    )
    first = _risk(world, draft, kri_codes=["kri0004"])
    second = _risk(
        world,
        draft,
        category="safety",
        description="SAEs reported late by sites.",
        impact=3,
        likelihood=3,
        detectability=3,
    )
    assert (first.number, first.score, second.number, second.score) == ("R-01", 12, "R-02", 27)
    approved = risk_services.risk_assessment_approve(
        actor=world.user(RoleCode.SPONSOR_OVERSIGHT), assessment=draft, password=PASSWORD, summary="Version 1."
    )
    assert approved.status == AssessmentStatus.APPROVED
    assert len(approved.content_digest) == 64
    signature = Signature.objects.get(object_id=str(approved.pk), meaning="approve")
    assert signature.signer == world.user(RoleCode.SPONSOR_OVERSIGHT)
    # approved: no more edits
    with pytest.raises(ValidationError, match="start a new version"):
        _risk(world, approved)


def test_new_version_copies_risks_and_supersedes_on_approval(world):
    v1 = risk_services.risk_assessment_draft(actor=world.user(PM), study=world.study)
    _risk(world, v1)
    risk_services.risk_assessment_approve(actor=world.user(PM), assessment=v1, password=PASSWORD)
    v2 = risk_services.risk_assessment_draft(actor=world.user(PM), study=world.study)
    assert v2.version == 2 and [r.number for r in v2.risks.all()] == ["R-01"]
    with pytest.raises(ValidationError, match="still a draft"):
        risk_services.risk_assessment_draft(actor=world.user(PM), study=world.study)
    risk = v2.risks.get()
    risk_services.risk_save(
        actor=world.user(PM),
        assessment=v2,
        risk=risk,
        category="endpoints",
        description=risk.description,
        impact=1,
        likelihood=1,
        detectability=1,
        reason="Mitigated by the central lab.",
    )
    risk_services.risk_assessment_approve(actor=world.user(PM), assessment=v2, password=PASSWORD)
    v1.refresh_from_db()
    assert v1.status == AssessmentStatus.SUPERSEDED
    assert v1.risks.get().score == 12 and v2.risks.get().score == 1  # the old version keeps its scores
    assert AuditRecord.objects.filter(object_type="monitoring.risk", field="impact", new_value="1").exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"impact": 4}, "impact"),
        ({"likelihood": 0}, "likelihood"),
        ({"category": "weather"}, "category"),
        ({"description": "short"}, "description"),
        ({"kri_codes": ["kri9999"]}, "kri_codes"),
        ({"qtl_codes": ["QTL-X"]}, "qtl_codes"),
    ],
)
def test_bad_risks_are_refused_by_field(world, kwargs, field):
    draft = risk_services.risk_assessment_draft(actor=world.user(PM), study=world.study)
    with pytest.raises(ValidationError) as refused:
        _risk(world, draft, **kwargs)
    assert field in refused.value.message_dict


def test_approval_needs_a_risk_the_password_and_the_permission(world):
    draft = risk_services.risk_assessment_draft(actor=world.user(PM), study=world.study)
    with pytest.raises(ValidationError, match="at least one risk"):
        risk_services.risk_assessment_approve(actor=world.user(PM), assessment=draft, password=PASSWORD)
    _risk(world, draft)
    with pytest.raises(PermissionDenied, match="password"):
        risk_services.risk_assessment_approve(actor=world.user(PM), assessment=draft, password="wrong")
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT  # nothing kept
    with pytest.raises(PermissionDenied):
        risk_services.risk_assessment_approve(actor=world.user(RoleCode.MONITOR), assessment=draft, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        risk_services.risk_assessment_draft(actor=world.user(RoleCode.INVESTIGATOR), study=world.study)


def test_remove_a_risk_with_reason(world):
    draft = risk_services.risk_assessment_draft(actor=world.user(PM), study=world.study)
    risk = _risk(world, draft)
    risk_services.risk_remove(actor=world.user(PM), risk=risk, reason="Duplicate of R-02.")
    assert not draft.risks.exists()
    assert AuditRecord.objects.filter(object_type="monitoring.risk", action="delete").exists()
    assert QualityToleranceLimit.objects.count() == 0


def test_numbers_are_not_reused_after_a_removal(world):
    draft = risk_services.risk_assessment_draft(actor=world.user(PM), study=world.study)
    first, second = _risk(world, draft), _risk(world, draft)
    risk_services.risk_remove(actor=world.user(PM), risk=first, reason="Duplicate of R-02.")
    assert (second.number, _risk(world, draft).number) == ("R-02", "R-03")
