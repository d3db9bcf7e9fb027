"""Randomising a subject: checks, list slots in order, dynamic allocation replayed from the stored allocations."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.rtsm.models import AllocationState, ListSlot, Randomisation
from opencro.rtsm.services.allocation import subject_randomise
from opencro.stats.randomization import Minimisation
from opencro.subjects.models import SubjectStatus, TreatmentAssignment
from tests.rtsm.factories import CONSENT, block_scheme, coordinator, dynamic_scheme, screened

pytestmark = pytest.mark.django_db


def randomise(w, subject, role=None, **kw):
    kw.setdefault("eligibility_confirmed", True)
    kw.setdefault("consented_on", CONSENT)
    actor = w.user(role) if role else coordinator(w, subject.site)
    return subject_randomise(actor=actor, subject=subject, **kw)


def test_subjects_take_their_stratum_slots_in_list_order(world):
    scheme = block_scheme(world)
    done = [randomise(world, screened(world.site_a, f"A1-1{i:02d}")) for i in range(5)]
    slots = list(ListSlot.objects.filter(scheme=scheme, stratum__label="A1").order_by("position")[:5])
    assert [r.number for r in done] == [s.number for s in slots]
    assert [r.sequence for r in done] == [1, 2, 3, 4, 5]
    arms = [TreatmentAssignment.objects.get(subject=r.subject).arm_id for r in done]
    assert arms == [s.arm_id for s in slots]
    other = randomise(world, screened(world.site_b, "B1-100"))
    first_b = ListSlot.objects.get(scheme=scheme, stratum__label="B1", position=1)
    assert (other.number, other.sequence, other.levels) == (first_b.number, 6, {"site": "B1"})


def test_randomising_enrols_a_screened_subject_and_is_audited(world):
    block_scheme(world)
    subject = screened(world.site_a, "A1-200")
    r = randomise(world, subject)
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.ENROLLED and subject.enrolled_on is not None
    assert r.randomised_by == world.user(RoleCode.STUDY_COORDINATOR)
    types = set(AuditRecord.objects.filter(study_id=world.study.pk).values_list("object_type", flat=True))
    assert {"rtsm.randomisation", "subjects.treatmentassignment"} <= types


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"eligibility_confirmed": False}, "eligibility_confirmed"),
        ({"consented_on": None}, "consented_on"),
    ],
)
def test_eligibility_and_consent_are_required(world, kwargs, field):
    block_scheme(world)
    subject = screened(world.site_a, "A1-300")
    with pytest.raises(ValidationError) as exc:
        randomise(world, subject, **kwargs)
    assert field in exc.value.message_dict
    assert not Randomisation.objects.filter(subject=subject).exists()


def test_a_subject_is_randomised_once_and_only_when_the_scheme_is_active(world):
    subject = screened(world.site_a, "A1-400")
    with pytest.raises(ValidationError) as exc:
        randomise(world, subject)
    assert "scheme" in exc.value.message_dict
    block_scheme(world)
    randomise(world, subject)
    with pytest.raises(ValidationError) as exc:
        randomise(world, subject)
    assert "subject" in exc.value.message_dict


def test_other_sites_and_roles_without_the_permission_are_refused(world):
    block_scheme(world)
    with pytest.raises(PermissionDenied):
        randomise(world, screened(world.site_b, "B1-500"), role=RoleCode.STUDY_COORDINATOR)  # restricted to A1
    with pytest.raises(PermissionDenied):
        randomise(world, screened(world.site_a, "A1-501"), role=RoleCode.MONITOR)


def test_a_used_up_stratum_says_so(world):
    block_scheme(world, n=2, sizes=(2,))
    for i in range(2):
        randomise(world, screened(world.site_a, f"A1-6{i:02d}"))
    with pytest.raises(ValidationError) as exc:
        randomise(world, screened(world.site_a, "A1-699"))
    assert "used up" in str(exc.value)


def test_entered_factor_levels_are_checked_and_located(world):
    block_scheme(world, factors=(("site", "site"), ("ecog", "entered", ["0-1", "2"])))
    subject = screened(world.site_a, "A1-700")
    for entered in (None, {"ecog": "3"}):
        with pytest.raises(ValidationError) as exc:
            randomise(world, subject, entered=entered)
        assert list(exc.value.message_dict) == ["ecog"]
    r = randomise(world, subject, entered={"ecog": "2"})
    assert r.levels == {"site": "A1", "ecog": "2"} and r.stratum.label == "A1|2"


def test_minimisation_matches_an_uninterrupted_run_of_the_pure_allocator(world):
    scheme = dynamic_scheme(world, p_best=0.9)
    pure = Minimisation(
        ["A", "P"], factors={"site": ["A1", "B1"], "sex": ["F", "M"]}, p_best=0.9, seed=int(scheme.seed)
    )
    for i, sex in enumerate("FFMFMMFFFMFMMMFF"):
        site = world.site_a if i % 3 else world.site_b
        r = randomise(world, screened(site, f"{site.number}-8{i:02d}", sex))
        expected = pure.assign({"site": site.number, "sex": sex})
        assert TreatmentAssignment.objects.get(subject=r.subject).arm.code == expected.arm
        assert TreatmentAssignment.objects.get(subject=r.subject).detail["scores"] == expected.scores
        assert (r.sequence, r.number) == (i + 1, f"R{i + 1:04d}")


def test_the_stored_state_is_the_replayed_one_and_a_lost_or_stale_state_is_rebuilt(world):
    """Each allocation reads the counts row instead of replaying; removing it, or leaving it behind the
    allocations, changes nothing: the next allocation replays and still matches the uninterrupted run."""
    scheme = dynamic_scheme(world, p_best=0.9)
    pure = Minimisation(
        ["A", "P"], factors={"site": ["A1", "B1"], "sex": ["F", "M"]}, p_best=0.9, seed=int(scheme.seed)
    )
    for i, sex in enumerate("FMMFFMFMFFMF"):
        site = world.site_a if i % 2 else world.site_b
        if i == 4:
            AllocationState.objects.filter(scheme=scheme).delete()
        if i == 8:
            state = AllocationState.objects.get(scheme=scheme)
            state.counts = {**state.counts, "n": 3}
            state.save()
        r = randomise(world, screened(site, f"{site.number}-6{i:02d}", sex))
        expected = pure.assign({"site": site.number, "sex": sex})
        assert TreatmentAssignment.objects.get(subject=r.subject).arm.code == expected.arm
        assert AllocationState.objects.get(scheme=scheme).counts == pure.state()
    assert not AuditRecord.objects.filter(object_type="rtsm.allocationstate").exists()


def test_efron_coin_matches_the_pure_allocator(world):
    from opencro.stats.randomization import EfronBiasedCoin

    scheme = dynamic_scheme(world, "biased_coin", factors=(), p_best=2 / 3)
    pure = EfronBiasedCoin(["A", "P"], p=2 / 3, seed=int(scheme.seed))
    for i in range(10):
        r = randomise(world, screened(world.site_a, f"A1-9{i:02d}"))
        assert TreatmentAssignment.objects.get(subject=r.subject).arm.code == pure.assign().arm
    assert AllocationState.objects.get(scheme=scheme).counts == pure.state()
