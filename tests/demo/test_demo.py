"""The demo study OPC-301 matches the issue's description and loads exactly once."""

from collections import Counter

import pytest

from opencro.accounts.models import Membership, User
from opencro.accounts.permissions import DEFAULT_ROLES
from opencro.audit.models import AuditRecord
from opencro.audit.verify import chain_verify
from opencro.demo.loader import STEPS, load_demo
from opencro.subjects.models import TreatmentAssignment

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # the demo loads a whole study (see conftest)


def test_demo_reports_every_step(demo_loaded):
    assert len(demo_loaded.steps) == STEPS == 21
    assert demo_loaded.steps[-10:-7] == ["clinical data", "protocol deviations", "analysis specifications"]
    assert demo_loaded.steps[-7].startswith("oversight")
    assert demo_loaded.steps[-6].startswith("regulatory")
    assert demo_loaded.steps[-5].startswith("trial master file")
    assert demo_loaded.steps[-4].startswith("partnership")
    assert demo_loaded.steps[-3].startswith("site payments")
    assert demo_loaded.steps[-2].startswith("status reports")
    assert demo_loaded.steps[-1].startswith("a second study")


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


def test_demo_randomises_through_the_site_stratified_list(demo):
    """Every randomised subject took its site's next slot; within a site, blocks of 3 and 6 keep arms within 2."""
    from opencro.rtsm.models import Randomisation

    done = list(Randomisation.objects.filter(scheme__study=demo).select_related("slot__stratum", "subject__site"))
    assert done and all(r.slot.stratum.label == r.subject.site.number for r in done)
    for site in {r.subject.site.number for r in done}:
        mine = sorted((r for r in done if r.subject.site.number == site), key=lambda r: r.sequence)
        assert [r.slot.position for r in mine] == list(range(1, len(mine) + 1))
        counts = {arm.code: 0 for arm in demo.arms.all()}
        for r in mine:
            counts[r.subject.assignment.arm.code] += 1
        assert max(counts.values()) - min(counts.values()) <= 2


def test_demo_supply_stocks_the_active_sites_and_dispensed_day_one_kits(demo):
    from opencro.rtsm.models import Dispensation, Kit, KitStatus, Randomisation

    active = set(demo.sites.filter(status="active").values_list("number", flat=True))
    stocked = set(Kit.objects.filter(study=demo, site__isnull=False).values_list("site__number", flat=True))
    assert stocked == active
    dispensed = Dispensation.objects.filter(subject__study=demo)
    randomised = Randomisation.objects.filter(scheme__study=demo, subject__site__number__in=("101", "401"))
    assert dispensed.count() == randomised.count() > 0
    for d in dispensed.select_related("kit__kit_type", "subject__assignment"):
        assert d.kit.status == KitStatus.DISPENSED and d.kit.kit_type.arm_id == d.subject.assignment.arm_id


def test_demo_is_mid_recruitment_with_consent_and_differing_sites(demo):
    """Every participant consented first; some are due to re-consent to 2.0; sites recruit at different rates (one
    active site has nobody yet); the recruitment plan is set, so the enrolment page forecasts."""
    from opencro.recruitment.models import RecruitmentPlan
    from opencro.subjects.models import ConsentRecord
    from opencro.subjects.participants import consent_statuses

    subjects = list(demo.subjects.all())
    consented = set(ConsentRecord.objects.filter(subject__study=demo).values_list("subject_id", flat=True))
    assert consented == {s.pk for s in subjects}
    statuses = consent_statuses(subjects)
    due = sum(1 for s in statuses.values() if s.reconsent_due)
    assert 0 < due < len(subjects)
    enrolled = Counter(s.site.number for s in subjects if s.enrolled_on)
    active = set(demo.sites.filter(status="active").values_list("number", flat=True))
    assert active - set(enrolled)  # an active site that has enrolled nobody
    assert max(enrolled.values()) >= 3 * min(enrolled.values())
    assert RecruitmentPlan.objects.get(study=demo).target > len(subjects)
