"""The demo's regulatory file: a US IND, EU CTAs and a Japanese CTN tracked with their clocks and questions; the
approvals agree with the start-up milestones; which protocol version each site may use; an eCTD module 5 sequence
built from the demo's datasets validates."""

import datetime as dt

import pytest

from opencro.accounts.access import access_study
from opencro.accounts.models import User
from opencro.analysis.models import PackageStatus
from opencro.analysis.services import package_build, package_start
from opencro.formats.ectd import validate_sequence
from opencro.regulatory import selectors
from opencro.regulatory.ectd import Applicant, ectd_sequence_build
from opencro.regulatory.models import Submission, SubmissionStatus
from opencro.startup.models import MilestoneKind, StartupMilestone

D = dt.date


def _access(demo):
    return access_study(User.objects.get(username="reg"), demo.pk)


def test_the_ind_cta_and_ctn_are_tracked_with_their_clocks_and_questions(demo):
    ind = Submission.objects.get(study=demo, application_type__code="IND")
    clocks = selectors.submission_clocks(ind, D(2026, 11, 27))
    assert clocks[0].name == "Safe-to-proceed period" and clocks[0].ends == D(2025, 10, 12)  # 12 Sep 2025 + 30 days
    reports = [(c.ends, c.state) for c in clocks if c.name == "Annual report due"]
    assert reports[0] == (D(2026, 12, 13), "running")  # 60 days after the first anniversary, 14 Oct 2026
    assert ind.questions.get().answered_on == D(2025, 10, 7)
    germany = Submission.objects.get(study=demo, application_type__code="SM", country__code="DE")
    assert germany.status == SubmissionStatus.UNDER_REVIEW
    clocks = {c.name: c for c in selectors.submission_clocks(germany, D(2026, 11, 27))}
    assessment = clocks["Assessment"]  # 30 Oct + 38 days = 7 Dec, stopped 17-27 Nov while the RFI is open
    assert (assessment.stopped_days, assessment.ends, assessment.state) == (11, D(2026, 12, 18), "running")
    ctn = Submission.objects.get(study=demo, application_type__code="CTN")
    assert selectors.submission_clocks(ctn, D(2026, 11, 27))[0].state == "met"


def test_initial_approvals_agree_with_the_start_up_milestones(demo):
    for submission in Submission.objects.filter(
        study=demo, authority__isnull=False, application_type__category="initial", status=SubmissionStatus.APPROVED
    ):
        milestone = StartupMilestone.objects.get(country=submission.country, kind=MilestoneKind.REGULATORY_APPROVAL)
        assert milestone.actual_on == submission.decided_on, submission


def test_which_protocol_version_each_site_may_use(demo):
    rows = {(r.site.number, r.version.version): r for r in selectors.site_versions(_access(demo))}
    assert rows[("101", "2.0")].usable_on(D(2026, 11, 27))  # IND amendment in effect, IRB approved
    assert rows[("201", "2.0")].missing  # Germany's substantial modification is still under review
    assert rows[("301", "2.0")].usable_from == D(2026, 5, 29)
    assert rows[("501", "1.0")].missing and rows[("501", "2.0")].usable_from == D(2026, 4, 16)


def test_calendar_shows_the_open_question_and_the_annual_report(demo):
    items = selectors.regulatory_calendar(
        _access(demo), since=D(2026, 11, 27), until=D(2027, 1, 31), on=D(2026, 11, 27)
    )
    labels = [(i.submission.application_type.code if i.submission.application_type else "", i.kind) for i in items]
    assert ("SM", "answer") in labels and ("IND", "clock") in labels and ("IND", "commitment") in labels
    assert not any(i.kind == "expiry" and i.overdue for i in items)  # the IRB's continuing review renewed it


@pytest.mark.slow
def test_an_ectd_module_5_sequence_builds_from_the_demo_datasets_and_validates(demo, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    package = package_build(actor=None, package=package_start(actor=None, study=demo, blinded=True))
    assert package.status == PackageStatus.DONE, package.error
    applicant = Applicant("123456789", demo.sponsor, "Rita Gomez", "+34 600 000 000", "reg@opencro.example")
    record = ectd_sequence_build(actor=None, study=demo, applicant=applicant, out=tmp_path / "ectd")
    assert (record.sequence, record.problems) == ("0000", [])
    m5 = [leaf["path"] for leaf in record.manifest if (leaf["path"] or "").startswith("m5/datasets/opc-301/")]
    assert "m5/datasets/opc-301/tabulations/sdtm/dm.xpt" in m5
    assert "m5/datasets/opc-301/analysis/adam/datasets/adsl.xpt" in m5
    assert validate_sequence(tmp_path / "ectd" / "0000") == []
