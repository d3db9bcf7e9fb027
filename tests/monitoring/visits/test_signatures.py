"""E-signatures of visit reports: the author's signature survives approval, letters and follow-up; a corrected
report breaks it visibly; nobody approves their own report; a signature is audited with the visit's site."""

import pytest
from django.core.exceptions import PermissionDenied

from opencro.accounts.signatures import content_hash, signatures_for
from opencro.audit.models import AuditAction, AuditRecord
from opencro.monitoring.models import MonitoringVisit, VisitStatus
from opencro.monitoring.visits import services
from tests.conftest import PASSWORD
from tests.monitoring.visits.helpers import MONITOR, PM, SPONSOR, approved, done, submitted

pytestmark = pytest.mark.django_db


def _valid(visit) -> list[tuple[str, str]]:
    return [(s.signer.username, s.meaning) for s in signatures_for(visit) if not s.is_broken]


def test_approval_and_the_follow_up_letter_break_no_signature(world):
    visit = submitted(world)
    signed = content_hash(visit)
    visit = services.visit_report_approve(actor=world.user(SPONSOR), visit=visit, password=PASSWORD)
    visit = services.visit_follow_up_send(actor=world.user(PM), visit=visit)
    assert content_hash(MonitoringVisit.objects.get(pk=visit.pk)) == signed
    assert _valid(visit) == [("monitor", "author"), ("sponsor-oversight", "approve")]
    assert not AuditRecord.objects.filter(action=AuditAction.SIGNATURE_BROKEN).exists()


def test_a_returned_report_corrected_breaks_the_first_author_signature(world):
    visit = submitted(world)
    visit = services.visit_report_return(actor=world.user(SPONSOR), visit=visit, comments="Name the attendees' roles.")
    assert _valid(visit) == [("monitor", "author")]  # returning changes only workflow fields
    visit = services.visit_report_save(
        actor=visit.monitor,
        visit=visit,
        visited_on=visit.visited_on,
        attendees="Dr A (principal investigator)",
        summary=visit.summary,
        reason="Reviewer's comments",
    )
    (first,) = signatures_for(visit)
    assert first.is_broken
    visit = services.visit_report_submit(actor=visit.monitor, visit=visit, password=PASSWORD)
    visit = services.visit_report_approve(actor=world.user(SPONSOR), visit=visit, password=PASSWORD)
    assert _valid(visit) == [("monitor", "author"), ("sponsor-oversight", "approve")]
    assert visit.status == VisitStatus.APPROVED


def test_nobody_approves_their_own_report(world):
    pm = world.user(PM)
    visit = submitted(world, monitor=pm)
    with pytest.raises(PermissionDenied):
        services.visit_report_approve(actor=pm, visit=visit, password=PASSWORD)
    assert _valid(visit) == [("project-manager", "author")]
    # another approver may
    approved_visit = services.visit_report_approve(actor=world.user(SPONSOR), visit=visit, password=PASSWORD)
    assert approved_visit.approved_by == world.user(SPONSOR)


def test_signatures_are_audited_with_the_visits_site(world):
    visit = approved(world)
    signs = AuditRecord.objects.filter(action=AuditAction.SIGN, object_id=str(visit.pk))
    assert sorted(signs.values_list("username", flat=True)) == ["monitor", "sponsor-oversight"]
    assert set(signs.values_list("site_id", flat=True)) == {world.site_a.pk}
    assert visit.monitor == world.user(MONITOR)


def test_the_signatures_cover_the_findings_as_submitted(world):
    """The findings are the report's content too: their digest, stored at submission, is part of what is signed."""
    visit = done(world)
    services.visit_finding_add(
        actor=visit.monitor, visit=visit, category="source", description="Weight not in the source notes."
    )
    visit = submitted(world, visit)
    assert visit.findings_digest == services.findings_digest(visit) and len(visit.findings_digest) == 64
    signed = content_hash(visit)
    finding = visit.findings.first()
    finding.description += " (edited afterwards)"
    finding.save()
    assert services.findings_digest(visit) != visit.findings_digest  # a changed finding no longer matches
    visit.findings_digest = services.findings_digest(visit)
    assert content_hash(visit) != signed  # and the signature is bound to the digest
