"""Study core writes: validation, permissions, reasons, lifecycle, and their audit records."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.models import Role
from opencro.audit.models import AuditRecord
from opencro.studies import services
from opencro.studies.models import (
    Activity,
    EligibilityCriterion,
    ProtocolVersion,
    ScheduledActivity,
    StudyStatus,
    Visit,
)

pytestmark = pytest.mark.django_db


def test_study_create_seeds_every_default_role(world):
    assert Role.objects.filter(study=world.study).count() == 14
    with pytest.raises(PermissionDenied):
        services.study_create(actor=world.user("project_manager"), protocol_number="X-1")


def test_study_update_needs_reason_and_permission(world):
    pm = world.user("project_manager")
    with pytest.raises(ValidationError, match="reason"):
        services.study_update(actor=pm, study=world.study, changes={"short_title": "New"}, reason="")
    services.study_update(actor=pm, study=world.study, changes={"short_title": "New"}, reason="sponsor request")
    record = AuditRecord.objects.get(object_type="studies.study", field="short_title", action="update")
    assert (record.old_value, record.new_value, record.reason) == ("T-001", "New", "sponsor request")
    with pytest.raises(PermissionDenied):
        services.study_update(actor=world.user("auditor"), study=world.study, changes={"title": "x"}, reason="r")


def test_study_update_refuses_fields_outside_the_editable_set(world):
    with pytest.raises(ValidationError):
        services.study_update(
            actor=world.user("project_manager"), study=world.study, changes={"protocol_number": "Z"}, reason="r"
        )


def test_nct_number_is_validated(world):
    with pytest.raises(ValidationError, match="NCT"):
        services.study_update(
            actor=world.user("project_manager"), study=world.study, changes={"nct_number": "NCT12"}, reason="r"
        )


def test_status_advances_through_the_lifecycle_and_stops_at_closed(world):
    pm = world.user("project_manager")
    seen = [world.study.status]
    for _ in range(4):
        seen.append(services.study_status_advance(actor=pm, study=world.study, reason="milestone").status)
    assert seen == [s.value for s in StudyStatus]
    with pytest.raises(ValidationError):
        services.study_status_advance(actor=pm, study=world.study, reason="again")


def test_protocol_version_approval_supersedes_previous(world):
    pm = world.user("project_manager")
    v1 = services.protocol_item_save(
        actor=pm, instance=ProtocolVersion(study=world.study, version="1.0", effective_date=dt.date(2026, 1, 1))
    )
    services.protocol_version_approve(actor=pm, version=v1, reason="ok")
    v2 = services.protocol_item_save(
        actor=pm,
        instance=ProtocolVersion(
            study=world.study, version="2.0", is_amendment=True, effective_date=dt.date(2026, 6, 1)
        ),
    )
    services.protocol_version_approve(actor=pm, version=v2, reason="amendment 1")
    v1.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "approved")
    with pytest.raises(ValidationError):
        services.protocol_version_approve(actor=pm, version=v2, reason="twice")


def test_protocol_version_needs_effective_date_to_be_approved(world):
    pm = world.user("project_manager")
    draft = services.protocol_item_save(actor=pm, instance=ProtocolVersion(study=world.study, version="0.9"))
    with pytest.raises(ValidationError, match="effective"):
        services.protocol_version_approve(actor=pm, version=draft, reason="x")


def test_visit_rules(world):
    pm = world.user("project_manager")
    with pytest.raises(ValidationError, match="day"):
        services.protocol_item_save(actor=pm, instance=Visit(study=world.study, code="V9", name="No day"))
    with pytest.raises(ValidationError):
        services.protocol_item_save(
            actor=pm, instance=Visit(study=world.study, code="U", name="Uns", is_unscheduled=True, day=3)
        )
    unscheduled = services.protocol_item_save(
        actor=pm, instance=Visit(study=world.study, code="U", name="Unscheduled", is_unscheduled=True)
    )
    assert unscheduled.window_label == ""


def test_criterion_expression_is_parsed_on_save(world):
    pm = world.user("project_manager")
    with pytest.raises(ValidationError, match="expression"):
        services.protocol_item_save(
            actor=pm,
            instance=EligibilityCriterion(
                study=world.study, kind="inclusion", number=1, text="Adults", expression="__import__('os')"
            ),
        )
    ok = services.protocol_item_save(
        actor=pm,
        instance=EligibilityCriterion(
            study=world.study, kind="inclusion", number=1, text="Adults", expression="age >= 18"
        ),
    )
    assert str(ok) == "I1"


def test_schedule_set_marks_and_unmarks_cells_with_audit(world):
    pm = world.user("project_manager")
    visit = world.study.visits.get(code="V1")
    activity = services.protocol_item_save(
        actor=pm, instance=Activity(study=world.study, code="VS", name="Vital signs", kind="form")
    )
    services.schedule_set(actor=pm, visit=visit, activity=activity, planned=True)
    services.schedule_set(actor=pm, visit=visit, activity=activity, planned=True)
    assert ScheduledActivity.objects.filter(visit=visit, activity=activity).count() == 1
    services.schedule_set(actor=pm, visit=visit, activity=activity, planned=False, reason="removed in amendment")
    assert not ScheduledActivity.objects.exists()
    assert AuditRecord.objects.filter(object_type="studies.scheduledactivity", action="delete").exists()
    other_visit = world.other_study.visits.get(code="V1")
    with pytest.raises(ValidationError):
        services.schedule_set(actor=pm, visit=other_visit, activity=activity, planned=True)


def test_site_services_respect_site_restriction(world):
    pm = world.user("project_manager")
    site = services.site_update(actor=pm, site=world.site_b, changes={"status": "on_hold"}, reason="audit finding")
    assert site.status == "on_hold"
    with pytest.raises(ValidationError):
        services.site_update(actor=pm, site=world.site_b, changes={"time_zone": "Mars/Olympus"}, reason="r")
    with pytest.raises(PermissionDenied):
        services.site_update(actor=world.user("monitor"), site=world.site_b, changes={"city": "x"}, reason="r")


def test_site_country_must_belong_to_the_study(world):
    foreign_country = world.other_study.countries.first()
    with pytest.raises(ValidationError, match="country"):
        services.site_create(
            actor=world.user("project_manager"),
            study=world.study,
            number="C1",
            institution="Gamma",
            principal_investigator="Dr C",
            country=foreign_country,
            time_zone="UTC",
        )
