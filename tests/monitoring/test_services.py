"""Protocol deviation writes: report, correct, classify, reject, close, reopen; permissions and site scope."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.monitoring import services
from opencro.monitoring.models import Deviation, DeviationSource, DeviationStatus
from opencro.studies.dates import site_today

pytestmark = pytest.mark.django_db
D = dt.date
RATIONALE = "Dosing outside the window affects the primary endpoint's exposure."


def _report(w, role=RoleCode.STUDY_COORDINATOR, site=None, subject="A1-001", **kwargs) -> Deviation:
    values = {"category": "procedures", "description": "ECG not done at Week 4.", "occurred_on": D(2026, 4, 7)}
    return services.deviation_report(
        actor=w.user(role),
        site=site or w.site_a,
        subject=w.subject_a if subject == "A1-001" else subject,
        **{**values, **kwargs},
    )


def test_a_report_is_numbered_per_study_audited_and_awaits_review(world):
    first = _report(world)
    second = _report(world, role=RoleCode.MONITOR, subject=None, category="data_source")
    third = _report(world, role=RoleCode.DATA_MANAGER, site=world.site_b, subject=world.subject_b)
    assert [first.number, second.number, third.number] == ["PD-0001", "PD-0002", "PD-0003"]
    assert (first.status, first.important, first.reported_by) == (
        DeviationStatus.OPEN,
        None,
        world.user(RoleCode.STUDY_COORDINATOR),
    )
    # who found it, when not given: site staff, monitoring, data review
    assert [first.source, second.source, third.source] == [
        DeviationSource.SITE,
        DeviationSource.MONITORING,
        DeviationSource.DATA_REVIEW,
    ]
    assert second.subject is None
    assert first.identified_on is not None
    created = AuditRecord.objects.filter(object_type="monitoring.deviation", object_id=str(first.pk))
    assert set(created.values_list("field", flat=True)) >= {"category", "description", "occurred_on", "number"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"occurred_on": D(2099, 1, 1)}, "occurred_on"),
        ({"identified_on": D(2026, 4, 1)}, "identified_on"),  # before it occurred (7 April)
        ({"category": "misc"}, "category"),
        ({"description": "  "}, "description"),
        ({"source": "rule"}, "source"),
    ],
)
def test_a_bad_report_is_refused_with_the_field_and_writes_nothing(world, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        _report(world, **kwargs)
    assert field in exc.value.message_dict
    assert not Deviation.objects.exists()


def test_the_participant_must_be_at_the_site(world):
    with pytest.raises(ValidationError) as exc:
        _report(world, role=RoleCode.PROJECT_MANAGER, site=world.site_a, subject=world.subject_b)
    assert "subject" in exc.value.message_dict


def test_who_may_report_and_where(world):
    with pytest.raises(PermissionDenied):  # site A1 only
        _report(world, site=world.site_b, subject=world.subject_b)
    for role in (RoleCode.BIOSTATISTICIAN, RoleCode.PHARMACIST, RoleCode.AUDITOR, RoleCode.SAFETY_PHYSICIAN):
        with pytest.raises(PermissionDenied):
            _report(world, role=role)
    with pytest.raises(PermissionDenied):
        services.deviation_report(
            actor=world.outsider, site=world.site_a, category="other", description="x", occurred_on=D(2026, 4, 1)
        )
    assert not Deviation.objects.exists()


def test_classify_then_close_an_important_deviation(world):
    deviation = _report(world)
    monitor = world.user(RoleCode.MONITOR)
    with pytest.raises(PermissionDenied):  # the site reports; it does not classify
        services.deviation_classify(
            actor=world.user(RoleCode.INVESTIGATOR), deviation=deviation, important=True, rationale=RATIONALE
        )
    with pytest.raises(ValidationError) as exc:
        services.deviation_classify(actor=monitor, deviation=deviation, important=True, rationale="bad")
    assert "rationale" in exc.value.message_dict
    deviation = services.deviation_classify(
        actor=monitor, deviation=deviation, important=True, rationale=RATIONALE, category="visit_schedule"
    )
    assert (deviation.status, deviation.important, deviation.category) == ("confirmed", True, "visit_schedule")
    assert deviation.reviewed_by == monitor and deviation.reviewed_at is not None
    with pytest.raises(ValidationError) as exc:
        services.deviation_close(actor=monitor, deviation=deviation, corrective_action=" ")
    assert "corrective_action" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.deviation_close(
            actor=monitor, deviation=deviation, corrective_action="Retrain.", closed_on=D(2026, 4, 1)
        )
    assert "closed_on" in exc.value.message_dict
    deviation = services.deviation_close(
        actor=monitor, deviation=deviation, corrective_action="Site retrained on the visit schedule."
    )
    assert deviation.status == DeviationStatus.CLOSED
    assert deviation.closed_on is not None
    reasons = AuditRecord.objects.filter(object_type="monitoring.deviation", field="status").values_list(
        "reason", flat=True
    )
    assert RATIONALE in reasons and "Site retrained on the visit schedule." in reasons


def test_a_minor_deviation_closes_without_an_action_and_reopens_with_its_classification(world):
    deviation = _report(world)
    pm = world.user(RoleCode.PROJECT_MANAGER)
    deviation = services.deviation_classify(actor=pm, deviation=deviation, important=False, rationale=RATIONALE)
    deviation = services.deviation_close(actor=pm, deviation=deviation, corrective_action="")
    assert deviation.status == DeviationStatus.CLOSED
    with pytest.raises(ValidationError, match="reason"):
        services.deviation_reopen(actor=pm, deviation=deviation, reason="oops")
    deviation = services.deviation_reopen(actor=pm, deviation=deviation, reason="The visit date was wrong in the EDC.")
    assert (deviation.status, deviation.important, deviation.closed_on) == (DeviationStatus.CONFIRMED, False, None)


def test_reject_what_is_not_a_deviation_and_reopen_it_for_review(world):
    deviation = _report(world)
    pm = world.user(RoleCode.PROJECT_MANAGER)
    deviation = services.deviation_reject(
        actor=pm, deviation=deviation, rationale="The ECG was done; the page was not entered yet."
    )
    assert (deviation.status, deviation.important) == (DeviationStatus.REJECTED, None)
    with pytest.raises(ValidationError) as exc:  # a rejected deviation is not classified
        services.deviation_classify(actor=pm, deviation=deviation, important=True, rationale=RATIONALE)
    assert "status" in exc.value.message_dict
    deviation = services.deviation_reopen(actor=pm, deviation=deviation, reason="The ECG tracing cannot be found.")
    assert deviation.status == DeviationStatus.OPEN


def test_a_correction_needs_a_reason_and_only_while_awaiting_review(world):
    deviation = _report(world)
    coordinator = world.user(RoleCode.STUDY_COORDINATOR)
    fields = {
        "category": "procedures",
        "description": "ECG and vital signs not done at Week 4.",
        "occurred_on": D(2026, 4, 7),
        "identified_on": site_today(world.site_a),
    }
    with pytest.raises(ValidationError, match="reason"):
        services.deviation_update(actor=coordinator, deviation=deviation, reason="", **fields)
    deviation = services.deviation_update(actor=coordinator, deviation=deviation, reason="vitals missed too", **fields)
    assert deviation.description == "ECG and vital signs not done at Week 4."
    services.deviation_classify(
        actor=world.user(RoleCode.PROJECT_MANAGER), deviation=deviation, important=False, rationale=RATIONALE
    )
    with pytest.raises(ValidationError) as exc:
        services.deviation_update(actor=coordinator, deviation=deviation, reason="again", **fields)
    assert "status" in exc.value.message_dict


def test_a_site_restricted_reviewer_acts_only_at_their_sites(world):
    deviation = _report(world, role=RoleCode.PROJECT_MANAGER, site=world.site_b, subject=world.subject_b)
    with pytest.raises(PermissionDenied):
        services.deviation_classify(
            actor=world.user(RoleCode.MONITOR), deviation=deviation, important=False, rationale=RATIONALE
        )
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.OPEN
