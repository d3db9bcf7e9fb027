"""Regulatory affairs in the browser, on the demo study: the regulatory specialist opens the submission tracker (the
US IND, the EU CTAs and modifications, Japan's CTN), answers the open request for information on Germany's
substantial modification (its assessment clock stopped while it was open), plans and submits an IND information
amendment (in effect once submitted), reads the calendar and which protocol version each site may use; then the
TMF completeness view shows the missing artifacts and a site's inspection view; last, a build of the next eCTD
sequence is refused at once without the applicant's DUNS number, then builds sequence 0000 from the approved documents
filed under an eCTD section. Screenshots for docs/regulatory.md, docs/tmf.md and docs/ectd.md come from here."""

import pytest
from playwright.sync_api import expect

from opencro.demo import data
from opencro.jobs.models import Job
from opencro.regulatory.jobs import ECTD_BUILD_JOB
from opencro.regulatory.models import ApplicationType, EctdSequence, Submission, SubmissionStatus
from opencro.studies.models import Study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regulatory_specialist_tracks_submissions_and_the_tmf(browse, demo_study, settings, tmp_path):
    study = Study.objects.get(pk=demo_study)
    page = browse.page

    browse.login("reg", data.DEMO_PASSWORD)
    browse.goto(f"/studies/{study.pk}/")
    page.locator("[data-testid=nav-regulatory]").click()
    table = page.locator("[data-testid=submissions]")
    ind = Submission.objects.get(study=study, application_type__code="IND")
    germany = Submission.objects.get(study=study, application_type__code="SM", country__code="DE")
    for submission in (ind, germany, Submission.objects.get(study=study, application_type__code="CTN")):
        expect(table.locator(f"tr[data-number='{submission.number}']")).to_be_visible()
    expect(table.locator(f"tr[data-number='{germany.number}'] [data-testid=open-questions]")).to_have_text("1")
    browse.screenshot("regulatory-tracker")

    table.locator(f"tr[data-number='{germany.number}'] a").first.click()
    clocks = page.locator("[data-testid=clocks]")
    expect(clocks).to_contain_text("Assessment")
    expect(clocks).to_contain_text("Art. 18(4)")  # Regulation (EU) No 536/2014, the clock's legal basis
    question = page.locator("[data-testid=questions] tr[data-question='1']")
    question.locator("summary").click()
    answer = question.locator("[data-testid=answer-form]")
    answer.locator("[data-testid=answer-date]").fill("2026-11-26")
    answer.locator("[data-testid=answer-text]").fill("Updated benefit-risk section 2.7 with the DSMB's second review.")
    browse.screenshot("regulatory-submission")
    answer.get_by_role("button", name="Record the answer").click()
    expect(page.locator("[data-testid=questions] tr[data-question='1']")).to_contain_text("2026-11-26")
    assert germany.questions.get().answered_on.isoformat() == "2026-11-26"

    browse.goto(f"/studies/{study.pk}/regulatory/")
    page.locator("[data-testid=plan-form]").locator("xpath=ancestor::details").locator("summary").click()
    plan = page.locator("[data-testid=plan-form]")
    information = ApplicationType.objects.get(authority__code="FDA", code="IND-IA")
    plan.locator("[data-testid=plan-type]").select_option(value=str(information.pk))
    plan.locator("[data-testid=plan-country]").select_option(value=str(study.countries.get(code="US").pk))
    plan.locator("[data-testid=plan-title]").fill("IND 154321: information amendment (CMC update)")
    plan.locator("[data-testid=plan-save]").click()
    expect(page.locator("[data-testid=submission-status]")).to_contain_text("Planned")
    page.locator("summary", has_text="Submit").first.click()
    step = page.locator("[data-testid=step-submit]")
    step.locator("[data-testid=step-date]").fill("2026-11-25")
    step.get_by_role("button").click()
    expect(page.locator("[data-testid=submission-status]")).to_contain_text("Approved")  # in effect once submitted
    amendment = Submission.objects.get(study=study, title__startswith="IND 154321: information amendment")
    assert (amendment.status, amendment.decided_on.isoformat()) == (SubmissionStatus.APPROVED, "2026-11-25")

    browse.goto(f"/studies/{study.pk}/regulatory/calendar/")
    expect(page.locator("[data-testid=calendar-month]").first).to_be_visible()
    browse.screenshot("regulatory-calendar")
    browse.goto(f"/studies/{study.pk}/regulatory/site-versions/")
    versions = page.locator("[data-testid=site-versions]")
    expect(versions).to_contain_text("201")
    browse.screenshot("regulatory-site-versions")

    page.locator("[data-testid=nav-tmf]").click()
    tmf = page.locator("[data-testid=tmf-table]")
    expect(tmf.locator("tr[data-place=study] [data-testid=missing]")).to_contain_text("Statistical Analysis Plan")
    expect(tmf.locator("tr[data-place=site-102] [data-testid=missing]")).to_contain_text("Site Initiation Visit Report")
    expect(tmf.locator("tr[data-place=country-JP] [data-testid=missing]")).to_contain_text("Informed Consent Form")
    browse.screenshot("tmf-completeness")
    tmf.locator("tr[data-place=site-201] a").click()
    expect(page.locator("[data-testid=site-filed]")).to_contain_text("QC rejected")
    expect(page.locator("[data-testid=export-site]")).to_be_visible()
    browse.screenshot("tmf-site")

    settings.VAR_DIR = tmp_path / "var"  # the application folder the sequences are written to
    settings.OPENCRO_JOBS_EAGER = True  # the job runs in the request that starts it, once its row is committed
    contact = {"contact_name": "Rita Gomez", "contact_phone": "+34 600 000 000", "contact_email": "reg@opencro.example"}
    settings.OPENCRO_ECTD_APPLICANT = {"id": "", "company": "", **contact}
    browse.goto(f"/studies/{study.pk}/regulatory/")
    page.locator("[data-testid=regulatory-nav]").get_by_role("link", name="eCTD sequences").click()
    description = "IND 154321: protocol and study documents"
    page.locator("[data-testid=ectd-description]").fill(description)
    page.locator("[data-testid=ectd-build]").click()
    expect(page.locator("[data-testid=ectd-build-form]")).to_contain_text("OPENCRO_ECTD_APPLICANT_ID")
    expect(page.locator("[data-testid=ectd-description]")).to_have_value(description)  # the form is kept
    assert not Job.objects.filter(name=ECTD_BUILD_JOB).exists()  # refused when asked for: nothing queued
    settings.OPENCRO_ECTD_APPLICANT = {"id": "123456789", "company": "", **contact}
    page.locator("[data-testid=ectd-build]").click()
    expect(page.locator("[data-testid=job-progress]")).to_have_attribute("data-status", "succeeded")
    record = EctdSequence.objects.get(study=study)
    assert (record.sequence, record.regional["application_number"]) == ("0000", "154321")

    browse.goto(f"/studies/{study.pk}/regulatory/ectd/")
    row = page.locator("[data-testid=ectd-sequences] tr[data-sequence='0000']")
    expect(row.locator("[data-testid=ectd-new]")).to_have_text(str(record.leaves))
    expect(row.locator("[data-testid=ectd-download]")).to_be_visible()
    browse.screenshot("regulatory-ectd")
    row.get_by_role("link", name="0000").click()
    expect(page.locator("[data-testid=ectd-regional]")).to_contain_text("123456789")
    expect(page.locator("[data-testid=ectd-leaves] tr[data-operation=new]")).to_have_count(record.leaves)
    browse.screenshot("regulatory-ectd-sequence")
