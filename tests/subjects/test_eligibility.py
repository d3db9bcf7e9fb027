"""The eligibility checklist: computed from entered data where it can be, assessed, confirmed by the investigator."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.models import Signature
from opencro.accounts.permissions import RoleCode
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.spec import spec_cache_clear
from opencro.studies import services as studies
from opencro.studies.models import EligibilityCriterion
from opencro.subjects.eligibility import eligibility_confirm, eligibility_record
from opencro.subjects.models import EligibilityOutcome, SubjectStatus
from opencro.subjects.participants import eligibility_checklist
from tests.conftest import PASSWORD
from tests.edc.builds import small_build
from tests.subjects.factories import approved_form, criteria, screened

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    return criteria(world.study), approved_form(world.study)


def _computed(subject):
    return {str(r.criterion): (r.computed, r.note) for r in eligibility_checklist(subject).rows}


def test_criteria_compute_from_year_of_birth_and_say_what_is_missing(world, setting):
    _crit, form = setting
    subject = screened(world.site_a, form, year_of_birth=1970)
    rows = _computed(subject)
    assert rows["I1"] == ("met", "")
    assert rows["I2"][0] == "" and "investigator" in rows["I2"][1]
    assert rows["E1"] == ("", "cannot be computed: missing weight")
    young = screened(world.site_a, form, year_of_birth=subject.screened_on.year - 16)
    assert _computed(young)["I1"] == ("not_met", "")
    unknown = screened(world.site_a, form, year_of_birth=None)
    assert _computed(unknown)["I1"] == ("", "cannot be computed: missing age")


def test_criteria_read_the_subjects_edc_items_by_name(world, setting):
    spec_cache_clear()
    build_import(actor=world.users["data_manager"], study=world.study, build=small_build())
    _crit, form = setting
    subject = screened(world.site_a, form)
    form_save(actor=None, subject=subject, event_oid="SE.SCR", form_oid="F.VS", entries=[ItemEntry("IT.WEIGHT", "162")])
    assert _computed(subject)["E1"] == ("met", "")
    visit = studies.protocol_item_save(
        actor=None,
        instance=EligibilityCriterion(
            study=world.study,
            kind="exclusion",
            number=2,
            text="Height at screening",
            expression="[SE.SCR][height] > 200",
        ),
    )
    assert _computed(subject)[str(visit)] == ("", "cannot be computed: missing [SE.SCR][height]")
    form_save(actor=None, subject=subject, event_oid="SE.SCR", form_oid="F.VS", entries=[ItemEntry("IT.HEIGHT", "170")])
    assert _computed(subject)[str(visit)] == ("not_met", "")


def test_the_site_records_assessments_and_a_disagreement_needs_a_comment(world, setting):
    crit, form = setting
    crc = world.user(RoleCode.STUDY_COORDINATOR)
    subject = screened(world.site_a, form)
    with pytest.raises(ValidationError, match="differs"):
        eligibility_record(actor=crc, subject=subject, answers={crit["I1"].pk: "not_met"})
    review = eligibility_record(
        actor=crc,
        subject=subject,
        answers={crit["I1"].pk: "not_met", crit["I2"].pk: "met"},
        comments={crit["I1"].pk: "Year of birth entered wrongly; source says 2010"},
    )
    assert {a.criterion_id: (a.assessed, a.computed) for a in review.assessments.all()} == {
        crit["I1"].pk: ("not_met", "met"),
        crit["I2"].pk: ("met", ""),
    }
    with pytest.raises(ValidationError):
        eligibility_record(actor=crc, subject=subject, answers={crit["E1"].pk: "maybe"})
    with pytest.raises(PermissionDenied):
        eligibility_record(actor=world.user(RoleCode.MONITOR), subject=subject, answers={crit["I2"].pk: "met"})


def test_only_the_investigator_confirms_with_a_signature(world, setting):
    crit, form = setting
    subject = screened(world.site_a, form)
    answers = {crit["I1"].pk: "met", crit["I2"].pk: "met", crit["E1"].pk: "not_met"}
    with pytest.raises(PermissionDenied):
        eligibility_confirm(
            actor=world.user(RoleCode.STUDY_COORDINATOR), subject=subject, password=PASSWORD, answers=answers
        )
    investigator = world.user(RoleCode.INVESTIGATOR)
    with pytest.raises(ValidationError, match="every criterion"):
        eligibility_confirm(actor=investigator, subject=subject, password=PASSWORD, answers={crit["I1"].pk: "met"})
    with pytest.raises(ValidationError) as err:
        eligibility_confirm(actor=investigator, subject=subject, password="nope", answers=answers)
    assert "password" in err.value.message_dict
    review = eligibility_confirm(actor=investigator, subject=subject, password=PASSWORD, answers=answers)
    assert (review.outcome, review.confirmed_by) == (EligibilityOutcome.ELIGIBLE, investigator)
    assert Signature.objects.filter(object_id=str(review.pk), signer=investigator, meaning="approve").exists()
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.SCREENING
    with pytest.raises(ValidationError, match="already confirmed"):
        eligibility_record(actor=investigator, subject=subject, answers={crit["I2"].pk: "not_met"})


def test_a_not_met_inclusion_or_a_met_exclusion_is_a_screen_failure_with_the_reasons(world, setting):
    crit, form = setting
    subject = screened(world.site_a, form, year_of_birth=None)
    review = eligibility_confirm(
        actor=world.user(RoleCode.INVESTIGATOR),
        subject=subject,
        password=PASSWORD,
        answers={crit["I1"].pk: "met", crit["I2"].pk: "not_met", crit["E1"].pk: "met"},
    )
    subject.refresh_from_db()
    assert review.outcome == EligibilityOutcome.NOT_ELIGIBLE
    assert subject.status == SubjectStatus.SCREEN_FAILED
    assert subject.screen_failure_reason == (
        "Not eligible: I2 not met: Able to understand the study; E1 met: Weight over 150 kg"
    )
