"""The demo study OPC-301 matches the issue's description and loads exactly once."""

import pytest

from opencro.accounts.models import Membership, User
from opencro.accounts.permissions import DEFAULT_ROLES
from opencro.audit.models import AuditRecord
from opencro.audit.verify import chain_verify
from opencro.demo.loader import STEPS, load_demo
from opencro.subjects.models import TreatmentAssignment

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # the demo loads a whole study (see conftest)


def test_demo_reports_every_step(demo_loaded):
    assert len(demo_loaded.steps) == STEPS == 9
    assert demo_loaded.steps[-2:] == ["eCRF build", "clinical data"]


def test_demo_is_a_realistic_phase_three(demo):
    assert demo.phase == "III"
    assert demo.arms.count() == 3
    assert demo.sites.count() == 12
    assert demo.countries.count() >= 5
    assert {"US", "JP", "IN", "BR"} <= set(demo.countries.values_list("code", flat=True))
    assert demo.countries.filter(code__in=["DE", "ES"]).exists()  # EU
    assert 9 <= demo.visits.filter(is_unscheduled=False).count() <= 11
    assert demo.visits.filter(is_unscheduled=True).exists()
    assert len({s.time_zone for s in demo.sites.all()}) >= 6
    assert demo.criteria.exclude(expression="").count() >= 5


def test_demo_has_a_user_for_every_role(demo):
    roles = set(Membership.objects.filter(study=demo).values_list("role__code", flat=True))
    assert roles == set(DEFAULT_ROLES)


def test_demo_loads_once(demo):
    before = (AuditRecord.objects.count(), User.objects.count(), TreatmentAssignment.objects.count())
    assert load_demo() is False
    assert (AuditRecord.objects.count(), User.objects.count(), TreatmentAssignment.objects.count()) == before


def test_demo_audit_trail_is_intact_and_signed_versions_are_valid(demo):
    result = chain_verify()
    assert result.ok and result.checked == AuditRecord.objects.count()
    from opencro.accounts.signatures import signatures_for

    approved = demo.protocol_versions.get(version="2.0")
    signatures = signatures_for(approved)
    assert {s.meaning for s in signatures} == {"author", "approve"}
    assert not any(s.is_broken for s in signatures)


def test_demo_randomises_in_balanced_blocks(demo):
    counts = {arm.code: arm.assignments.count() for arm in demo.arms.all()}
    assert max(counts.values()) - min(counts.values()) <= 1
