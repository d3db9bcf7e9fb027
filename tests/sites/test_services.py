"""Registry and feasibility services: permission rules, audit records, token hashing, expiry, answer once."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.sites.models import Answer, Institution, Invitation, SiteLink
from opencro.sites.services import feasibility as feas
from opencro.sites.services import registry
from opencro.studies.models import Site

pytestmark = pytest.mark.django_db


def test_registry_writes_need_site_edit_without_a_site_restriction(world):
    study = world.study
    for role in (RoleCode.MONITOR, RoleCode.INVESTIGATOR, RoleCode.DATA_MANAGER, RoleCode.AUDITOR):
        with pytest.raises(PermissionDenied):
            registry.institution_create(actor=world.user(role), study=study, name="N", country_code="FR")
    with pytest.raises(PermissionDenied):  # a member of another study only
        registry.institution_create(actor=world.outsider, study=study, name="N", country_code="FR")
    made = registry.institution_create(
        actor=world.user(RoleCode.PROJECT_MANAGER), study=study, name="N", country_code="fr"
    )
    assert (made.country_code, made.country) == ("FR", "France")  # the code upper-cased, the name looked up


def test_institution_create_and_update_are_audited_with_the_reason(world):
    pm = world.user(RoleCode.PROJECT_MANAGER)
    inst = registry.institution_create(actor=pm, study=world.study, name="Lyon Sud", country_code="FR", city="Lyon")
    records = AuditRecord.objects.filter(object_type="site_registry.institution", object_id=str(inst.pk))
    assert {r.field for r in records} >= {"name", "country_code", "country", "city"}
    assert all(r.username == pm.username for r in records)
    with pytest.raises(ValidationError):  # a change needs a reason
        registry.institution_update(
            actor=pm, study=world.study, institution=inst, changes={"city": "Pierre-Bénite"}, reason=""
        )
    registry.institution_update(
        actor=pm, study=world.study, institution=inst, changes={"city": "Pierre-Bénite"}, reason="moved"
    )
    change = records.filter(field="city").order_by("-id").first()
    assert (change.old_value, change.new_value, change.reason) == ("Lyon", "Pierre-Bénite", "moved")
    with pytest.raises(ValidationError):
        registry.institution_update(actor=pm, study=world.study, institution=inst, changes={"id": 3}, reason="x")
    with pytest.raises(ValidationError):
        registry.institution_create(actor=pm, study=world.study, name="Bad", country_code="F1")


def test_facility_key_is_unique_and_a_facility_registers_from_its_rows(feasibility):
    f = feasibility
    with pytest.raises(ValidationError):
        registry.institution_create(
            actor=f.pm, study=f.world.study, name="Dup", country_code="FR", ctgov_key="x|lyon|france"
        )
    made = registry.institution_from_facility(actor=f.pm, study=f.world.study, facility_key="a|lyon|france")
    assert (made.name, made.city, made.country_code, made.ctgov_key) == ("a", "Lyon", "FR", "a|lyon|france")
    with pytest.raises(ValidationError):
        registry.institution_from_facility(actor=f.pm, study=f.world.study, facility_key="a|lyon|france")
    with pytest.raises(ValidationError):
        registry.institution_from_facility(actor=f.pm, study=f.world.study, facility_key="nowhere")


def test_investigator_dates_and_capabilities(world):
    pm = world.user(RoleCode.PROJECT_MANAGER)
    inst = registry.institution_create(actor=pm, study=world.study, name="I", country_code="US")
    inv = registry.investigator_create(
        actor=pm,
        study=world.study,
        institution=inst,
        name="Dr Q",
        gcp_training_date=dt.date(2024, 2, 29),
        cv_date=dt.date(2023, 1, 1),
        licence_number="L-1",
        licence_expires_on=dt.date(2027, 1, 1),
    )
    assert inv.gcp_current(dt.date(2027, 2, 28)) and not inv.gcp_current(dt.date(2027, 3, 1))  # 3 years
    assert not inv.cv_current(dt.date(2026, 11, 26))  # older than 2 years
    assert inv.licence_valid(dt.date(2026, 12, 31)) and not inv.licence_valid(dt.date(2027, 1, 2))
    with pytest.raises(ValidationError):
        registry.investigator_update(actor=pm, study=world.study, investigator=inv, changes={"name": "Dr R"}, reason="")
    cap = registry.capability_add(actor=pm, study=world.study, institution=inst, kind="equipment", value="3T MRI")
    with pytest.raises(ValidationError):
        registry.capability_add(actor=pm, study=world.study, institution=inst, kind="magic", value="x")
    registry.capability_delete(actor=pm, study=world.study, capability=cap, reason="sold")
    assert not inst.capabilities.exists()


def test_site_link_checks_the_investigator_and_needs_a_reason_to_change(feasibility):
    f = feasibility
    other = registry.investigator_create(actor=f.pm, study=f.world.study, institution=f.y, name="Dr Y")
    with pytest.raises(ValidationError):
        registry.site_link(actor=f.pm, site=f.world.site_b, institution=f.x, investigator=other)
    with pytest.raises(ValidationError):  # A1 is linked to X already: a change needs a reason
        registry.site_link(actor=f.pm, site=f.world.site_a, institution=f.y)
    registry.site_link(actor=f.pm, site=f.world.site_a, institution=f.y, investigator=other, reason="merged")
    assert SiteLink.objects.get(site=f.world.site_a).institution == f.y
    with pytest.raises(PermissionDenied):
        registry.site_link(actor=f.world.user(RoleCode.STUDY_COORDINATOR), site=f.world.site_a, institution=f.x)


def test_the_token_is_stored_only_as_its_hash(feasibility):
    f = feasibility
    invitation = Invitation.objects.get(pk=f.invitations["w"].pk)
    token = f.tokens["w"]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Invitation.objects.values()))
    assert not AuditRecord.objects.filter(new_value__contains=invitation.token_hash).exists()
    assert feas.invitation_by_token(token).pk == invitation.pk
    assert feas.invitation_by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert feas.invitation_by_token("") is None


def test_answers_are_taken_once_validated_and_audited_under_the_respondent(feasibility):
    f = feasibility
    q1, q2, q3 = (q.pk for q in f.questions)
    with pytest.raises(ValidationError) as caught:
        feas.invitation_answer(token=f.tokens["w"], respondent="Dr W", values={q1: "maybe", q2: "-1", q3: "lots"})
    assert set(caught.value.message_dict) == {f"q{q1}", f"q{q2}", f"q{q3}"}
    with pytest.raises(ValidationError):
        feas.invitation_answer(token=f.tokens["w"], respondent="", values={q1: "yes", q2: "1", q3: "none"})
    assert not Answer.objects.filter(invitation=f.invitations["w"]).exists()  # nothing half-written
    feas.invitation_answer(token=f.tokens["w"], respondent="Dr W", values={q1: "Yes", q2: "2,5", q3: "none"})
    assert dict(Answer.objects.filter(invitation=f.invitations["w"]).values_list("question_id", "value")) == {
        q1: "yes",
        q2: "2.5",
        q3: "none",
    }
    records = AuditRecord.objects.filter(object_type="site_registry.answer")
    assert records.filter(username="site respondent: Dr W").count() >= 3
    with pytest.raises(ValidationError, match="answered already"):
        feas.invitation_answer(token=f.tokens["w"], respondent="Dr W", values={q1: "no", q2: "1", q3: "none"})


def test_an_expired_invitation_takes_no_answers(feasibility):
    f = feasibility
    invitation = f.invitations["w"]
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    q1, q2, q3 = (q.pk for q in f.questions)
    with pytest.raises(ValidationError, match="expired"):
        feas.invitation_answer(token=f.tokens["w"], respondent="Dr W", values={q1: "yes", q2: "1", q3: "none"})
    assert Invitation.objects.get(pk=invitation.pk).status == "expired"


def test_questions_are_fixed_once_sent_and_one_open_invitation_per_institution(feasibility):
    f = feasibility
    with pytest.raises(ValidationError, match="sent"):
        feas.question_add(actor=f.pm, questionnaire=f.questionnaire, text="More?", answer_type="yes_no")
    with pytest.raises(ValidationError, match="sent"):
        feas.question_delete(actor=f.pm, question=f.questions[0], reason="x")
    with pytest.raises(ValidationError, match="open invitation"):
        feas.invitation_create(actor=f.pm, questionnaire=f.questionnaire, institution=f.w)
    _inv, token = feas.invitation_create(actor=f.pm, questionnaire=f.questionnaire, institution=f.x, days=5)
    assert token != f.tokens["x"]  # X answered: it may be asked again
    with pytest.raises(ValidationError):
        feas.invitation_create(actor=f.pm, questionnaire=f.questionnaire, institution=f.y, days=0)


def test_question_rules_are_validated(world):
    pm = world.user(RoleCode.PROJECT_MANAGER)
    questionnaire = feas.questionnaire_save(actor=pm, study=world.study, title="T")
    for bad in (
        {"answer_type": "choice", "choices": []},
        {"answer_type": "choice", "choices": [["a", 120]]},
        {"answer_type": "choice", "choices": [["a", 10], ["a", 20]]},
        {"answer_type": "yes_no", "choices": [["a", 10]]},
        {"answer_type": "yes_no", "threshold": 3},
        {"answer_type": "number", "threshold": -1},
    ):
        with pytest.raises(ValidationError):
            feas.question_add(actor=pm, questionnaire=questionnaire, text="Q", **bad)
    with pytest.raises(ValidationError):  # every weight zero
        feas.questionnaire_save(
            actor=pm, study=world.study, title="T", reason="r", weights=dict.fromkeys(
                ("weight_questionnaire", "weight_enrolment", "weight_screen_failure", "weight_query_rate",
                 "weight_deviations", "weight_startup", "weight_competition"), 0),
        )  # fmt: skip
    with pytest.raises(ValidationError):
        feas.invitation_create(
            actor=pm,
            questionnaire=questionnaire,
            institution=registry.institution_create(actor=pm, study=world.study, name="I", country_code="US"),
        )  # fmt: skip  (no questions yet)


def test_selecting_a_candidate_creates_the_study_site_and_its_link(feasibility):
    f = feasibility
    with pytest.raises(ValidationError, match="answered"):
        feas.candidate_select(actor=f.pm, invitation=f.invitations["w"], number="F9", time_zone="Europe/Paris")
    with pytest.raises(ValidationError):  # no investigator on the invitation, none given
        feas.candidate_select(actor=f.pm, invitation=f.invitations["x"], number="F1", time_zone="Europe/Paris")
    link = feas.candidate_select(
        actor=f.pm, invitation=f.invitations["x"], number="F1", time_zone="Europe/Paris", principal_investigator="Dr X"
    )
    site = Site.objects.get(pk=link.site_id)
    assert (site.number, site.status, site.institution, site.country.code, site.city) == (
        "F1", "selected", "Hôpital X", "FR", "Lyon"
    )  # fmt: skip
    assert link.institution == f.x and Invitation.objects.get(pk=f.invitations["x"].pk).site_id == site.pk
    assert AuditRecord.objects.filter(object_type="studies.site", object_id=str(site.pk), action="create").exists()
    with pytest.raises(ValidationError, match="already"):
        feas.candidate_select(
            actor=f.pm, invitation=f.invitations["x"], number="F2", time_zone="Europe/Paris", principal_investigator="P"
        )
    with pytest.raises(PermissionDenied):
        feas.candidate_select(
            actor=f.world.user(RoleCode.MONITOR), invitation=f.invitations["y"], number="F3", time_zone="UTC"
        )
    us = registry.institution_create(actor=f.pm, study=f.world.study, name="De", country_code="DE")
    _inv, token = feas.invitation_create(actor=f.pm, questionnaire=f.questionnaire, institution=us)
    q1, q2, q3 = (q.pk for q in f.questions)
    invitation = feas.invitation_answer(token=token, respondent="D", values={q1: "no", q2: "0", q3: "none"})
    with pytest.raises(ValidationError, match="DE"):  # Germany is not a country of the study
        feas.candidate_select(actor=f.pm, invitation=invitation, number="F4", time_zone="Europe/Berlin",
                              principal_investigator="P")  # fmt: skip
    assert Institution.objects.filter(pk=us.pk).exists()


def test_the_link_is_mailed_to_the_contact_once_committed(feasibility, mailoutbox, django_capture_on_commit_callbacks):
    f = feasibility
    new = registry.institution_create(actor=f.pm, study=f.world.study, name="Mailed", country_code="FR", city="Nice")
    with django_capture_on_commit_callbacks(execute=True):
        _inv, token = feas.invitation_create(
            actor=f.pm,
            questionnaire=f.questionnaire,
            institution=new,
            contact_email="feasibility@mailed.example",
            base_url="https://cro.example/",
        )
    [message] = mailoutbox
    assert message.to == ["feasibility@mailed.example"] and message.subject == "Asthma feasibility"
    assert f"https://cro.example/feasibility/respond/{token}/" in message.body
    with django_capture_on_commit_callbacks(execute=True):  # no contact: nothing mailed
        feas.invitation_create(actor=f.pm, questionnaire=f.questionnaire, institution=f.w.__class__.objects.create(
            name="Quiet", country_code="FR", country="France"))  # fmt: skip
    assert len(mailoutbox) == 1
