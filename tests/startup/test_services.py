"""The start-up services: the green-light rule item by item, audit, permissions and site isolation."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import services as accounts
from opencro.accounts.models import Role
from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from opencro.audit.models import AuditRecord
from opencro.startup import services as startup
from opencro.startup.models import REQUIRED_DOCUMENTS, DocumentKind, MilestoneKind, StaffRole, StartupMilestone
from opencro.studies import services as studies
from opencro.studies.models import ProtocolVersion, Site, SiteStatus
from tests.startup.activation import COUNTRY_APPROVALS, SITE_STEPS, prepare
from tests.startup.conftest import DAY

pytestmark = pytest.mark.django_db
ALL_ITEMS = (*COUNTRY_APPROVALS, *SITE_STEPS, *REQUIRED_DOCUMENTS, "training")


def _prepare_except(site: Site, on: dt.date, skip: str) -> None:
    """Everything the green light needs, dated `on`, except `skip`."""
    for kind in COUNTRY_APPROVALS:
        if kind != skip:
            startup.country_milestone_set(actor=None, country=site.country, kind=kind, actual_on=on)
    for kind in SITE_STEPS:
        if kind != skip:
            startup.site_milestone_set(actor=None, site=site, kind=kind, actual_on=on)
    for kind in REQUIRED_DOCUMENTS:
        if kind != skip:
            startup.document_record(actor=None, site=site, kind=kind, received_on=on, approved_on=on)
    if skip != "training":
        startup.training_record(
            actor=None, site=site, staff_name="Dr C", role=StaffRole.PRINCIPAL_INVESTIGATOR, trained_on=on
        )


def _refusal(site: Site, on: dt.date) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        startup.green_light_give(actor=None, site=site, on=on)
    return caught.value.message_dict


def test_green_light_refused_with_every_missing_item_located(fresh_site):
    errors = _refusal(fresh_site, DAY)
    assert set(errors) == {
        MilestoneKind.REGULATORY_APPROVAL,
        MilestoneKind.LOCAL_ETHICS_APPROVAL,  # neither central nor local ethics approval
        *SITE_STEPS,
        *REQUIRED_DOCUMENTS,
        "training",
    }
    assert errors[MilestoneKind.REGULATORY_APPROVAL] == ["Country DE: no regulatory approval recorded (BfArM)"]
    assert errors[DocumentKind.PI_CV] == ["Site C1: Principal investigator's CV not received"]
    site = Site.objects.get(pk=fresh_site.pk)
    assert (site.status, site.activated_on) == (SiteStatus.PLANNED, None)


@pytest.mark.parametrize("missing", ALL_ITEMS)
def test_each_item_alone_blocks_the_green_light(fresh_site, missing):
    _prepare_except(fresh_site, DAY, missing)
    errors = _refusal(fresh_site, DAY)
    expected = MilestoneKind.LOCAL_ETHICS_APPROVAL if missing == MilestoneKind.CENTRAL_ETHICS_APPROVAL else missing
    assert list(errors) == [expected]


def test_local_ethics_approval_replaces_a_central_one(fresh_site):
    _prepare_except(fresh_site, DAY, MilestoneKind.CENTRAL_ETHICS_APPROVAL)
    startup.site_milestone_set(actor=None, site=fresh_site, kind=MilestoneKind.LOCAL_ETHICS_APPROVAL, actual_on=DAY)
    assert startup.green_light_give(actor=None, site=fresh_site, on=DAY).status == SiteStatus.ACTIVE


def test_items_dated_after_the_green_light_block_it(fresh_site):
    prepare(fresh_site, DAY)
    errors = _refusal(fresh_site, DAY - dt.timedelta(days=1))
    assert "dated 2026-02-02, after 2026-02-01" in errors[MilestoneKind.REGULATORY_APPROVAL][0]
    assert "Site initiation visit: dated 2026-02-02" in errors[MilestoneKind.INITIATION_VISIT][0]
    assert startup.green_light_give(actor=None, site=fresh_site, on=DAY).activated_on == DAY


def test_documents_must_be_approved_and_valid_on_the_day(fresh_site):
    _prepare_except(fresh_site, DAY, DocumentKind.MEDICAL_LICENCE)
    licence = startup.document_record(
        actor=None, site=fresh_site, kind=DocumentKind.MEDICAL_LICENCE, received_on=DAY, expires_on=DAY
    )
    assert _refusal(fresh_site, DAY)[DocumentKind.MEDICAL_LICENCE] == [
        "Site C1: Medical licence received but not approved"
    ]
    startup.document_approve(actor=None, document=licence, approved_on=DAY)
    later = DAY + dt.timedelta(days=1)
    assert _refusal(fresh_site, later)[DocumentKind.MEDICAL_LICENCE] == [
        "Site C1: Medical licence expired on 2026-02-02"
    ]
    with pytest.raises(ValidationError, match="approved already"):
        startup.document_approve(actor=None, document=licence, approved_on=DAY)
    assert startup.green_light_give(actor=None, site=fresh_site, on=DAY).activated_on == DAY


def test_training_must_be_on_the_protocol_version_in_force(fresh_site, world):
    v1 = studies.protocol_item_save(
        actor=None, instance=ProtocolVersion(study=world.study, version="1.0", effective_date=dt.date(2026, 1, 1))
    )
    studies.protocol_version_approve(actor=world.user("project_manager"), version=v1, reason="approved")
    v2 = studies.protocol_item_save(
        actor=None, instance=ProtocolVersion(study=world.study, version="2.0", effective_date=dt.date(2026, 3, 1))
    )
    with pytest.raises(ValidationError, match="protocol version"):  # a study with approved versions names one
        startup.training_record(
            actor=None, site=fresh_site, staff_name="Dr C", role=StaffRole.PRINCIPAL_INVESTIGATOR, trained_on=DAY
        )
    with pytest.raises(ValidationError, match="approved protocol version"):  # a draft is not trained on
        startup.training_record(
            actor=None,
            site=fresh_site,
            staff_name="Dr C",
            role=StaffRole.PRINCIPAL_INVESTIGATOR,
            trained_on=DAY,
            protocol_version=v2,
        )
    prepare(fresh_site, DAY, version=v1)
    studies.protocol_version_approve(actor=world.user("project_manager"), version=v2, reason="amendment")
    march = dt.date(2026, 3, 2)
    assert _refusal(fresh_site, march) == {
        "training": ["Site C1: the principal investigator is not trained on protocol version 2.0"]
    }
    startup.training_record(  # a coordinator's training does not stand in for the investigator's
        actor=None,
        site=fresh_site,
        staff_name="Ms D",
        role=StaffRole.COORDINATOR,
        trained_on=march,
        protocol_version=v2,
    )
    assert "training" in _refusal(fresh_site, march)
    startup.training_record(
        actor=None,
        site=fresh_site,
        staff_name="Dr C",
        role=StaffRole.PRINCIPAL_INVESTIGATOR,
        trained_on=march,
        protocol_version=v2,
    )
    assert startup.green_light_give(actor=None, site=fresh_site, on=march).activated_on == march


def test_no_version_in_force_yet_blocks(fresh_site, world):
    version = studies.protocol_item_save(
        actor=None, instance=ProtocolVersion(study=world.study, version="1.0", effective_date=dt.date(2026, 6, 1))
    )
    studies.protocol_version_approve(actor=world.user("project_manager"), version=version, reason="approved")
    prepare(fresh_site, DAY, version=version)
    assert _refusal(fresh_site, DAY) == {
        "training": [
            "Site C1: no approved protocol version is in force on 2026-02-02 (version 1.0 is effective from 2026-06-01)"
        ]
    }


def test_green_light_activates_the_site_and_is_audited(fresh_site, world):
    pm = world.user("project_manager")
    prepare(fresh_site, DAY)
    site = startup.green_light_give(actor=pm, site=fresh_site, on=DAY, reason="all approvals in")
    stored = Site.objects.get(pk=site.pk)
    assert (stored.status, stored.activated_on) == (SiteStatus.ACTIVE, DAY)
    green = StartupMilestone.objects.get(site=site, kind=MilestoneKind.GREEN_LIGHT)
    documents = StartupMilestone.objects.get(site=site, kind=MilestoneKind.DOCUMENTS_COMPLETE)
    assert (green.actual_on, documents.actual_on) == (DAY, DAY)
    records = AuditRecord.objects.filter(object_type="studies.site", object_id=str(site.pk), user=pm)
    assert {(r.field, r.new_value, r.reason) for r in records} == {
        ("status", "active", "all approvals in"),
        ("activated_on", "2026-02-02", "all approvals in"),
    }
    assert all(r.site_id == site.pk for r in records)
    assert AuditRecord.objects.filter(
        object_type="startup.startupmilestone", object_id=str(green.pk), field="actual_on", new_value="2026-02-02"
    ).exists()
    with pytest.raises(ValidationError, match="has had its green light since 2026-02-02"):
        startup.green_light_give(actor=pm, site=site, on=DAY)


def test_a_green_light_cannot_be_given_in_advance(fresh_site):
    prepare(fresh_site, DAY)
    with pytest.raises(ValidationError, match="future"):
        startup.green_light_give(actor=None, site=fresh_site, on=dt.date.today() + dt.timedelta(days=3))


def test_the_green_light_milestone_is_not_typed_in(fresh_site):
    with pytest.raises(ValidationError, match="green light"):
        startup.site_milestone_set(actor=None, site=fresh_site, kind=MilestoneKind.GREEN_LIGHT, actual_on=DAY)
    planned = startup.site_milestone_set(actor=None, site=fresh_site, kind=MilestoneKind.GREEN_LIGHT, planned_on=DAY)
    assert planned.planned_on == DAY and planned.actual_on is None
    with pytest.raises(ValidationError):
        startup.site_milestone_set(actor=None, site=fresh_site, kind=MilestoneKind.REGULATORY_APPROVAL, planned_on=DAY)
    with pytest.raises(ValidationError):
        startup.country_milestone_set(actor=None, country=fresh_site.country, kind=MilestoneKind.CDA_SIGNED)


def test_milestones_move_the_site_status_and_changes_need_a_reason(fresh_site):
    startup.site_milestone_set(actor=None, site=fresh_site, kind=MilestoneKind.SITE_SELECTED, planned_on=DAY)
    with pytest.raises(ValidationError, match="reason"):
        startup.site_milestone_set(actor=None, site=fresh_site, kind=MilestoneKind.SITE_SELECTED, actual_on=DAY)
    startup.site_milestone_set(
        actor=None, site=fresh_site, kind=MilestoneKind.SITE_SELECTED, actual_on=DAY, reason="selected"
    )
    assert Site.objects.get(pk=fresh_site.pk).status == SiteStatus.SELECTED
    startup.site_milestone_set(actor=None, site=fresh_site, kind=MilestoneKind.INITIATION_VISIT, actual_on=DAY)
    assert Site.objects.get(pk=fresh_site.pk).status == SiteStatus.INITIATED
    record = AuditRecord.objects.filter(object_type="studies.site", object_id=str(fresh_site.pk), field="status")
    assert [r.new_value for r in record.order_by("id")] == ["planned", "selected", "initiated"]


def test_site_services_may_not_set_the_green_light(world):
    pm = world.user("project_manager")
    site_in = {
        "number": "C9",
        "institution": "Gamma",
        "principal_investigator": "Dr C",
        "country": world.site_a.country,
        "time_zone": "UTC",
    }
    with pytest.raises(ValidationError, match="green light"):
        studies.site_create(actor=pm, study=world.study, status="active", **site_in)
    with pytest.raises(ValidationError, match="green light"):
        studies.site_create(actor=pm, study=world.study, activated_on=DAY, **site_in)
    with pytest.raises(ValidationError):
        studies.site_create(actor=pm, study=world.study, status="on_hold", **site_in)
    site = studies.site_create(actor=pm, study=world.study, status="selected", **site_in)
    with pytest.raises(ValidationError, match="green light"):
        studies.site_update(actor=pm, site=site, changes={"status": "active"}, reason="r")
    with pytest.raises(ValidationError, match="green light"):
        studies.site_update(actor=pm, site=site, changes={"activated_on": DAY}, reason="r")
    assert Site.objects.get(pk=site.pk).activated_on is None


def test_hold_resume_and_close(world):
    pm = world.user("project_manager")
    site = startup.site_status_set(actor=pm, site=world.site_a, status=SiteStatus.ON_HOLD, reason="audit finding")
    assert site.status == SiteStatus.ON_HOLD
    site = startup.site_status_set(actor=pm, site=site, status=SiteStatus.ACTIVE, reason="CAPA closed")
    assert site.status == SiteStatus.ACTIVE
    with pytest.raises(ValidationError, match="cannot become"):
        startup.site_status_set(actor=pm, site=site, status=SiteStatus.ACTIVE, reason="again")
    with pytest.raises(ValidationError):
        startup.site_status_set(actor=pm, site=site, status=SiteStatus.SELECTED, reason="back")
    site = startup.site_status_set(actor=pm, site=site, status=SiteStatus.CLOSED, reason="close-out visit done")
    with pytest.raises(ValidationError):
        startup.site_status_set(actor=pm, site=site, status=SiteStatus.ACTIVE, reason="reopen")


def test_resume_needs_a_green_light(fresh_site, world):
    pm = world.user("project_manager")
    startup.site_milestone_set(actor=None, site=fresh_site, kind=MilestoneKind.INITIATION_VISIT, actual_on=DAY)
    with pytest.raises(ValidationError):
        startup.site_status_set(actor=pm, site=fresh_site, status=SiteStatus.ACTIVE, reason="r")
    closed = startup.site_status_set(actor=pm, site=fresh_site, status=SiteStatus.CLOSED, reason="not recruiting")
    prepare(closed, DAY)
    assert "status" in _refusal(closed, DAY)


def test_writes_need_site_edit(world, fresh_site):
    for role in (RoleCode.MONITOR, RoleCode.INVESTIGATOR, RoleCode.DATA_MANAGER, RoleCode.SPONSOR_OVERSIGHT):
        with pytest.raises(PermissionDenied):
            startup.site_milestone_set(
                actor=world.user(role), site=world.site_a, kind=MilestoneKind.CDA_SIGNED, planned_on=DAY
            )
    with pytest.raises(PermissionDenied):
        startup.green_light_give(actor=world.outsider, site=fresh_site, on=DAY)
    made = startup.document_record(
        actor=world.user("project_manager"), site=fresh_site, kind=DocumentKind.PI_CV, received_on=DAY, approved_on=DAY
    )
    assert made.reviewed_by == world.user("project_manager")


def test_site_restricted_writers_stop_at_their_sites(world):
    """A monitor given site.edit records start-up at A1 only, and no country milestone."""
    role = Role.objects.get(study=world.study, code=RoleCode.MONITOR)
    accounts.role_permissions_set(
        actor=world.admin,
        role=role,
        permissions={*DEFAULT_ROLES[RoleCode.MONITOR], Perm.SITE_EDIT},
        reason="start-up specialists are monitors here",
    )
    monitor = world.user(RoleCode.MONITOR)
    with pytest.raises(PermissionDenied):
        startup.document_record(actor=monitor, site=world.site_b, kind=DocumentKind.PI_CV, received_on=DAY)
    with pytest.raises(PermissionDenied):
        startup.site_status_set(actor=monitor, site=world.site_b, status=SiteStatus.ON_HOLD, reason="r")
    with pytest.raises(PermissionDenied):
        startup.country_milestone_set(
            actor=monitor, country=world.site_a.country, kind=MilestoneKind.REGULATORY_SUBMISSION, planned_on=DAY
        )
    document = startup.document_record(actor=monitor, site=world.site_a, kind=DocumentKind.PI_CV, received_on=DAY)
    assert AuditRecord.objects.filter(
        object_type="startup.essentialdocument", object_id=str(document.pk), site_id=world.site_a.pk
    ).exists()


def test_activation_helper_gives_the_fixture_sites_their_green_light(world):
    for site in (world.site_a, world.site_b):
        stored = Site.objects.get(pk=site.pk)
        assert (stored.status, stored.activated_on) == (SiteStatus.ACTIVE, dt.date(2026, 1, 1))


def test_document_corrections_keep_approval_with_its_reviewer(fresh_site, world):
    pm = world.user("project_manager")
    document = startup.document_record(actor=pm, site=fresh_site, kind=DocumentKind.LAB_NORMAL_RANGES, received_on=DAY)
    with pytest.raises(ValidationError, match="reviewer"):
        startup.document_update(actor=pm, document=document, changes={"approved_on": DAY}, reason="r")
    with pytest.raises(ValidationError):
        startup.document_update(actor=pm, document=document, changes={"reviewed_by": pm}, reason="r")
    document = startup.document_approve(actor=pm, document=document, approved_on=DAY)
    document = startup.document_update(actor=pm, document=document, changes={"expires_on": DAY}, reason="lab renewed")
    assert (document.reviewed_by, document.expires_on) == (pm, DAY)
    document = startup.document_update(actor=pm, document=document, changes={"approved_on": None}, reason="wrong file")
    assert document.reviewed_by is None
    assert AuditRecord.objects.filter(
        object_type="startup.essentialdocument", object_id=str(document.pk), field="reviewed_by", reason="wrong file"
    ).exists()
