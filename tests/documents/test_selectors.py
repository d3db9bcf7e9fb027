"""Document reads: what each reader sees (site scope, never another's draft), bodies read back verified, and the
TMF completeness at a date with its milestones."""

import datetime as dt
import os
import stat

import pytest
from django.http import Http404
from django.utils import timezone

from opencro.accounts.access import access_for
from opencro.documents import selectors, services, tmf_services
from opencro.documents.tmf_selectors import tmf_completeness, tmf_milestones
from opencro.studies.models import ProtocolVersion, Site, StudyStatus
from tests.documents.helpers import (
    AUDITOR,
    CRC,
    PI,
    PM,
    REG,
    SPONSOR,
    approved,
    artifact,
    draft,
    record,
    structure,
)

pytestmark = pytest.mark.django_db


def _numbers(w, role) -> list[str]:
    return [d.number for d in selectors.document_list(access_for(w.user(role), w.study.pk))]


def test_site_members_see_their_sites_and_filed_trial_documents_never_others_drafts(world):
    trial_draft = draft(world, title="Protocol draft")  # DOC-0001
    approved(world, draft(world, title="Protocol"))  # DOC-0002, approved
    record(world, title="CV A1")  # DOC-0003 at A1
    record(world, actor=world.user(PM), title="CV B1", site=world.site_b)  # DOC-0004 at B1
    jp = draft(world, title="JP consent", level="country", country=world.site_b.country)  # DOC-0005 (B1's country)
    approved(world, jp)
    us = draft(world, title="US consent", level="country", country=world.site_a.country)  # DOC-0006
    approved(world, us)
    assert _numbers(world, PM) == ["DOC-0001", "DOC-0002", "DOC-0003", "DOC-0004", "DOC-0005", "DOC-0006"]
    assert _numbers(world, CRC) == ["DOC-0002", "DOC-0003", "DOC-0006"]  # A1 is in the US
    access = access_for(world.user(CRC), world.study.pk)
    with pytest.raises(Http404):
        selectors.document_get(access, trial_draft.document_id)
    # a site draft by someone else at the same site: the document is there only through its filed versions
    a1 = record(world, actor=world.user(PI), title="Delegation log")
    services.version_upload(
        actor=world.user(PI),
        document=a1.document,
        version="2",
        file_name="log.pdf",
        content=b"%PDF-2",
        document_date=dt.date(2026, 3, 1),
    )
    versions = selectors.version_list(access, selectors.document_get(access, a1.document_id))
    assert [v.status for v in versions] == ["final", "superseded"]  # both filed (records)


def test_a_reviewer_sees_the_draft_asked_of_them(world):
    version = draft(world, actor=world.user(PM), title="Site manual", level="site", site=world.site_a)
    access = access_for(world.user(PI), world.study.pk)
    assert not selectors.document_list(access).exists()  # the investigator does not approve: never asked
    assert [
        v.pk for v in selectors.version_list(access_for(world.user(SPONSOR), world.study.pk), version.document)
    ] == [version.pk]


def test_filters(world):
    structure(world)
    record(world, title="CV", art=artifact(world, "02.01.03"))
    draft(world, title="Plan", art=artifact(world, "01.01.01"))
    access = access_for(world.user(PM), world.study.pk)
    assert [d.title for d in selectors.document_list(access, artifact_number="02.01.03")] == ["CV"]
    assert [d.title for d in selectors.document_list(access, status="draft")] == ["Plan"]
    assert [d.title for d in selectors.document_list(access, qc_status="pending")] == ["CV"]
    assert [d.title for d in selectors.document_list(access, level="site", site_id=world.site_a.pk)] == ["CV"]
    assert [d.title for d in selectors.document_list(access, country_id=world.site_a.country_id)] == ["CV"]
    assert [d.title for d in selectors.document_list(access, search="pla")] == ["Plan"]


def test_a_body_is_read_back_verified_and_a_changed_file_is_refused(world, _document_store):
    version = record(world, tag="original")
    assert selectors.version_body(version).endswith(b"original")
    path = _document_store / version.blob_key
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
    path.write_bytes(path.read_bytes().replace(b"original", b"tampered"))
    with pytest.raises(selectors.DocumentBodyError, match="no longer matches"):
        selectors.version_body(version)
    path.unlink()
    with pytest.raises(selectors.DocumentBodyError, match="cannot be found"):
        selectors.version_body(version)


# completeness


def _protocol_approved(w, effective: dt.date | None = dt.date(2025, 11, 1)) -> None:
    ProtocolVersion.objects.create(study=w.study, version="1.0", status="approved", effective_date=effective)


def _expected(w):
    structure(w)
    tmf_services.tmf_expectations_default(actor=w.user(REG), study=w.study)


def test_milestones(world):
    today = timezone.localdate()
    reached = tmf_milestones(world.study, today)
    assert (reached.trial_start, reached.conduct, reached.close_out) == (False, True, False)  # sites active 2026-01-01
    assert tmf_milestones(world.study, dt.date(2025, 12, 31)).conduct is False
    _protocol_approved(world)
    assert tmf_milestones(world.study, today).trial_start
    assert not tmf_milestones(world.study, dt.date(2025, 10, 31)).trial_start  # not yet in effect
    world.study.status = StudyStatus.CLOSED
    assert tmf_milestones(world.study, today).close_out


def test_nothing_is_expected_before_its_milestone(world):
    _expected(world)
    report = tmf_completeness(None, world.study, on=dt.date(2025, 12, 1))  # no approved protocol, no green light
    assert report.study.metrics.completeness.denominator == 0
    assert report.study.metrics.completeness.percent is None


def test_completeness_counts_expected_slots_per_place_once_due(world):
    _expected(world)
    _protocol_approved(world)
    Site.objects.filter(pk=world.site_b.pk).update(activated_on=None)  # B1 has no green light
    approved(world, draft(world, title="Protocol", art=artifact(world, "01.01.01")))
    cv = record(world, title="Form D A1", art=artifact(world, "02.01.03"))
    services.qc_record(actor=world.user(PM), version=cv, passed=True)
    report = tmf_completeness(access_for(world.user(PM), world.study.pk), world.study)
    # due: trial 01.01.01 (1) + country 01.02.01 at US and JP (2) + site 01.02.01 and 02.01.03 at A1 only (2) = 5
    assert (report.study.metrics.completeness.numerator, report.study.metrics.completeness.denominator) == (2, 5)
    sites = {row.site.number: row for row in report.sites}
    assert sites["A1"].metrics.missing == ("01.02.01",)
    assert sites["A1"].missing == (("01.02.01", "Log C"),)
    assert sites["B1"].metrics.completeness.denominator == 0  # before its green light nothing site-level is due
    countries = {row.country.code: row.metrics for row in report.countries}
    assert (countries["US"].completeness.numerator, countries["US"].completeness.denominator) == (1, 3)
    assert (countries["JP"].completeness.numerator, countries["JP"].completeness.denominator) == (0, 1)
    assert report.study.metrics.missing == ()
    # quality: 1 of the 2 filed versions passed QC; the other is pending
    assert (report.study.metrics.quality.numerator, report.study.metrics.quality.denominator) == (1, 2)
    assert report.study.metrics.qc_pending == 1


def test_timeliness_uses_the_days_asked(world):
    _expected(world)
    today = timezone.localdate()
    record(world, title="Recent", art=artifact(world, "02.01.03"), document_date=today - dt.timedelta(days=5))
    record(world, title="Old", art=artifact(world, "02.01.03"), document_date=today - dt.timedelta(days=45))
    narrow = tmf_completeness(None, world.study, timely_within_days=30).study.metrics.timeliness
    wide = tmf_completeness(None, world.study, timely_within_days=60).study.metrics.timeliness
    assert (narrow.numerator, narrow.denominator) == (1, 2)  # filed today: 5 days late is timely, 45 is not
    assert (wide.numerator, wide.denominator) == (2, 2)


def test_a_rejected_document_does_not_fill_its_slot_and_future_filings_do_not_count(world):
    _expected(world)
    cv = record(world, title="Form D", art=artifact(world, "02.01.03"))
    site = lambda report: next(r for r in report.sites if r.site.number == "A1").metrics  # noqa: E731
    assert site(tmf_completeness(None, world.study)).completeness.numerator == 1
    assert (
        site(tmf_completeness(None, world.study, on=timezone.localdate() - dt.timedelta(days=1))).completeness.numerator
        == 0
    )
    services.qc_record(actor=world.user(PM), version=cv, passed=False, finding="Unsigned; ask the site to re-sign.")
    assert site(tmf_completeness(None, world.study)).completeness.numerator == 0


def test_a_site_member_gets_their_places_only(world):
    _expected(world)
    report = tmf_completeness(access_for(world.user(CRC), world.study.pk), world.study)
    assert [r.site.number for r in report.sites] == ["A1"]
    assert [r.country.code for r in report.countries] == ["US"]
    auditor = tmf_completeness(access_for(world.user(AUDITOR), world.study.pk), world.study)
    assert [r.site.number for r in auditor.sites] == ["A1", "B1"]
