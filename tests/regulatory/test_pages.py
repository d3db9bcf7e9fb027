"""Regulatory pages: the tracker with its clocks and filters, planning, a submission through its steps with questions,
commitments, content, corrections and its trail, refused forms re-rendered, and what each reader may see or do."""

import datetime as dt

import pytest
from django.urls import reverse

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.regulatory.models import ClockRule, EthicsCommittee, Submission
from opencro.regulatory.services import submissions as svc
from tests.regulatory.conftest import RA, application_type, document_version

pytestmark = pytest.mark.django_db
MONITOR, AUDITOR, CODER, PM = (
    RoleCode.MONITOR,
    RoleCode.AUDITOR,
    RoleCode.MEDICAL_CODER,
    RoleCode.PROJECT_MANAGER,
)


def _url(w, name: str, *args, query: str = "") -> str:
    return reverse(f"regulatory:{name}", args=[w.study.pk, *[getattr(a, "pk", a) for a in args]]) + query


def _text(response) -> str:
    return response.content.decode()


def _iso(day: dt.date) -> str:
    return day.isoformat()


def test_the_tracker_shows_each_submission_with_its_next_clock(world, reg, login):
    running = reg.to_authority(title="IND running")
    reg.step(running, "submit", reg.days_ago(10))
    elapsed = reg.to_authority(title="IND elapsed")
    reg.step(elapsed, "submit", reg.days_ago(40))
    reg.to_authority("PMDA", "CTN", country=world.site_b.country)
    page = login(world.user(AUDITOR)).get(_url(world, "tracker"))
    assert page.status_code == 200
    text = _text(page)
    # 21 CFR 312.40(b)(1) in the library: 30 calendar days from submission, then the trial may proceed
    assert f'{_iso(reg.days_ago(10) + dt.timedelta(days=30))} <span class="badge"' in text
    assert f'{_iso(reg.days_ago(40) + dt.timedelta(days=30))} <span class="badge ok"' in text
    assert "elapsed: may proceed" in text
    assert 'data-number="RA-0003"' in text and "PMDA" in text
    assert 'data-testid="plan-form"' not in text  # the auditor reads only


def test_the_tracker_filters_by_status_country_and_recipient(world, reg, login):
    submitted = reg.to_authority()
    reg.step(submitted, "submit", reg.days_ago(3))
    ctn = reg.to_authority("PMDA", "CTN", country=world.site_b.country)
    irb = reg.committee("Alpha IRB")
    reg.to_committee(irb)
    client = login(world.user(RA))
    by_status = _text(client.get(_url(world, "tracker", query="?status=submitted")))
    assert 'data-number="RA-0001"' in by_status and 'data-number="RA-0002"' not in by_status
    by_country = _text(client.get(_url(world, "tracker", query=f"?country={world.site_b.country_id}")))
    assert 'data-number="RA-0002"' in by_country and 'data-number="RA-0001"' not in by_country
    by_committee = _text(client.get(_url(world, "tracker", query=f"?recipient=committee:{irb.pk}")))
    assert 'data-number="EC-0001"' in by_committee and 'data-number="RA-' not in by_committee
    by_authority = _text(client.get(_url(world, "tracker", query=f"?recipient=authority:{ctn.authority_id}")))
    assert 'data-number="RA-0002"' in by_authority and 'data-number="RA-0001"' not in by_authority


def test_planning_a_submission_from_the_tracker(world, reg, login):
    version = reg.version()
    client = login(world.user(RA))
    form = client.get(_url(world, "tracker"))
    assert 'data-testid="plan-form"' in _text(form)
    response = client.post(
        _url(world, "tracker"),
        {
            "application_type": application_type("FDA", "IND").pk,
            "country": world.site_a.country_id,
            "protocol_version": version.pk,
            "title": "Initial IND",
            "product": "Cardiozol",
            "planned_on": "2026-12-15",
        },
    )
    submission = Submission.objects.get(study=world.study)
    assert response.status_code == 302 and response["Location"] == _url(world, "submission", submission)
    assert (submission.number, submission.status, submission.authority.code) == ("RA-0001", "planned", "FDA")
    assert submission.protocol_version == version and submission.planned_on == dt.date(2026, 12, 15)


def test_a_refused_plan_re_renders_with_its_errors(world, reg, login):
    irb = reg.committee("Alpha IRB")
    client = login(world.user(RA))
    neither = client.post(_url(world, "tracker"), {"country": world.site_a.country_id, "title": "Nothing"})
    assert neither.status_code == 200
    assert "Choose an application type of an authority, or an ethics committee." in _text(neither)
    no_kind = client.post(
        _url(world, "tracker"), {"committee": irb.pk, "country": world.site_a.country_id, "title": "Initial review"}
    )
    assert no_kind.status_code == 200 and "Say what is submitted to the ethics committee." in _text(no_kind)
    wrong_country = client.post(
        _url(world, "tracker"),
        {"committee": irb.pk, "ethics_kind": "initial", "country": world.site_b.country_id, "title": "Initial"},
    )
    assert wrong_country.status_code == 200
    assert "The committee reviews for another country." in _text(wrong_country)  # the model's rule
    assert not Submission.objects.filter(study=world.study).exists()


def test_a_submission_goes_through_its_steps_from_the_page(world, reg, login):
    ind = reg.to_authority()
    client = login(world.user(RA))
    page = _text(client.get(_url(world, "submission", ind)))
    assert 'data-testid="step-submit"' in page and 'data-testid="step-approve"' not in page
    day = reg.days_ago(5)
    response = client.post(_url(world, "submission_step", ind, "submit"), {"on": _iso(day), "note": ""})
    assert response.status_code == 302
    ind.refresh_from_db()
    assert (ind.status, ind.submitted_on) == ("submitted", day)
    page = _text(client.get(_url(world, "submission", ind)))
    assert 'data-testid="step-approve"' in page and 'data-testid="step-submit"' not in page
    assert "21 CFR 312.40(b)(1)" in page  # the clock's legal basis, from the library
    assert f"<td>{_iso(day + dt.timedelta(days=30))}</td>" in page  # 30 days after submission
    client.post(_url(world, "submission_step", ind, "approve"), {"on": _iso(reg.days_ago(1)), "note": "Safe to go."})
    ind.refresh_from_db()
    assert (ind.status, ind.decided_on, ind.decision_note) == ("approved", reg.days_ago(1), "Safe to go.")


def test_an_ethics_approval_shows_its_expiry_from_the_committee_interval(world, reg, login):
    irb = reg.committee("Alpha IRB", months=12)
    review = reg.to_committee(irb)
    reg.step(review, "submit", dt.date(2026, 3, 1))
    client = login(world.user(RA))
    page = _text(client.get(_url(world, "submission", review)))
    assert 'id="approve_expires_on"' in page  # the approval form offers the expiry
    client.post(_url(world, "submission_step", review, "approve"), {"on": "2026-03-02", "expires_on": ""})
    review.refresh_from_db()
    # OHRP's convention for 21 CFR 56.109(f): approved 2 March 2026 for 12 months, expires 1 March 2027
    assert review.expires_on == dt.date(2027, 3, 1)
    assert '<td data-testid="expires-on">2027-03-01</td>' in _text(client.get(_url(world, "submission", review)))


def test_refused_steps_re_render_with_the_reason(world, reg, login):
    ind = reg.to_authority()
    client = login(world.user(RA))
    future = reg.days_ago(-3)
    response = client.post(_url(world, "submission_step", ind, "submit"), {"on": _iso(future)})
    assert response.status_code == 200 and "An actual date cannot be in the future." in _text(response)
    wrong = client.post(_url(world, "submission_step", ind, "approve"), {"on": _iso(reg.days_ago(1))})
    assert wrong.status_code == 200
    assert 'data-testid="form-errors"' in _text(wrong) and "cannot be approved" in _text(wrong)
    assert client.post(_url(world, "submission_step", ind, "launch"), {"on": "2026-01-01"}).status_code == 404
    ind.refresh_from_db()
    assert ind.status == "planned"


def test_questions_and_answers_from_the_page(world, reg, login):
    ind = reg.to_authority()
    reg.step(ind, "submit", reg.days_ago(20))
    client = login(world.user(RA))
    response = client.post(
        _url(world, "question_add", ind),
        {"received_on": _iso(reg.days_ago(10)), "text": "Justify the starting dose.", "response_due_on": ""},
    )
    assert response.status_code == 302
    question = ind.questions.get()
    assert (question.number, question.response_due_on) == (1, None)  # the IND has no clock for answers
    assert '<span class="qcount">1</span>' in _text(client.get(_url(world, "tracker")))
    empty = client.post(_url(world, "question_answer", ind, question), {"answered_on": _iso(reg.days_ago(2))})
    assert empty.status_code == 200 and "This field is required." in _text(empty)
    client.post(
        _url(world, "question_answer", ind, question),
        {"answered_on": _iso(reg.days_ago(2)), "answer": "See the toxicology summary.", "reason": ""},
    )
    question.refresh_from_db()
    assert (question.answered_on, question.answer) == (reg.days_ago(2), "See the toxicology summary.")
    before = client.post(
        _url(world, "question_answer", ind, question),
        {"answered_on": _iso(reg.days_ago(11)), "answer": "Earlier than received.", "reason": "typo"},
    )
    assert before.status_code == 200 and "A question is answered on or after the day it is received." in _text(before)


def test_commitments_are_recorded_and_fulfilled(world, reg, login):
    ind = reg.to_authority()
    client = login(world.user(RA))
    client.post(
        _url(world, "commitment_add", ind),
        {"description": "Send the 12-month toxicology report", "due_on": "2027-01-31"},
    )
    commitment = ind.commitments.get()
    assert commitment.due_on == dt.date(2027, 1, 31)
    response = client.post(
        _url(world, "commitment_fulfil", ind, commitment), {"fulfilled_on": _iso(reg.days_ago(1)), "note": "Sent."}
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.fulfilled_on, commitment.note) == (reg.days_ago(1), "Sent.")


def _edit_data(submission: Submission, **changes) -> dict:
    data = {
        "title": submission.title,
        "product": submission.product,
        "reference": submission.reference,
        "sequence": submission.sequence,
        "protocol_version": "",
        "parent": "",
        "planned_on": "",
        "submitted_on": "",
        "acknowledged_on": "",
        "validated_on": "",
        "decided_on": "",
        "decision_note": "",
        "expires_on": "",
        "reason": "",
    }
    return {**data, **changes}


def test_details_are_edited_with_a_reason_and_shown_in_the_trail(world, reg, login):
    ind = reg.to_authority()
    client = login(world.user(RA))
    no_reason = client.post(_url(world, "submission_edit", ind), _edit_data(ind, reference="IND 123456"))
    assert no_reason.status_code == 200 and "This field is required." in _text(no_reason)
    response = client.post(
        _url(world, "submission_edit", ind), _edit_data(ind, reference="IND 123456", reason="FDA assigned the number")
    )
    assert response.status_code == 302
    ind.refresh_from_db()
    assert ind.reference == "IND 123456"
    page = _text(login(world.user(PM)).get(_url(world, "submission", ind)))  # the specialist has no audit.view
    trail = page.split('data-testid="submission-trail"')[1]
    assert "IND 123456" in trail and "FDA assigned the number" in trail
    assert AuditRecord.objects.filter(object_type="regulatory.submission", object_id=str(ind.pk), field="reference")


def test_the_trail_is_only_for_readers_of_the_audit_trail(world, reg, login):
    ind = reg.to_authority()
    role = world.study.roles.get(code=AUDITOR)
    from opencro.accounts import services as accounts

    accounts.role_permissions_set(
        actor=world.admin,
        role=role,
        permissions=[p for p in role.permissions if p != "audit.view"],
        reason="test: an auditor without the trail",
    )
    page = _text(login(world.user(AUDITOR)).get(_url(world, "submission", ind)))
    assert 'data-testid="submission-trail"' not in page and 'data-testid="submission-facts"' in page


def test_the_content_offers_approved_versions_and_is_saved(world, reg, login):
    approved = document_version(world, "DOC-0001", "approved")
    draft = document_version(world, "DOC-0002", "draft")
    ind = reg.to_authority()
    client = login(world.user(RA))
    page = _text(client.get(_url(world, "submission", ind)))
    assert f'<option value="{approved.pk}">' in page and f'value="{draft.pk}"' not in page
    response = client.post(_url(world, "submission_documents", ind), {"documents": [approved.pk], "reason": ""})
    assert response.status_code == 302
    assert list(ind.documents.all()) == [approved]
    refused = client.post(_url(world, "submission_documents", ind), {"documents": [draft.pk], "reason": "x"})
    assert refused.status_code == 200 and "Select a valid choice." in _text(refused)
    shown = _text(client.get(_url(world, "submission", ind))).split('data-testid="content"')[1]
    assert "DOC-0001" in shown and "Document DOC-0001" in shown


def test_the_content_hides_documents_of_other_sites(world, reg, login):
    at_b = document_version(world, "DOC-0003", "final", site=world.site_b)
    ind = reg.to_authority()
    svc.submission_documents_set(actor=reg.actor, submission=ind, versions=[at_b])

    def content(role) -> str:
        page = _text(login(world.user(role)).get(_url(world, "submission", ind)))
        return page.split('data-testid="content"')[1].split("</table>")[0]

    assert "DOC-0003" in content(PM)
    assert "DOC-0003" not in content(MONITOR)


def test_the_calendar_puts_overdue_first_and_groups_by_month(world, reg, login):
    ind = reg.to_authority(planned_on=reg.days_ago(-10))
    svc.commitment_add(actor=reg.actor, submission=ind, description="Overdue report", due_on=reg.days_ago(5))
    later = reg.to_authority(planned_on=reg.days_ago(-100), title="Much later")
    client = login(world.user(AUDITOR))
    page = _text(client.get(_url(world, "calendar")))
    overdue, rest = page.split('data-testid="calendar-overdue"')[1].split('data-testid="calendar-month"', 1)
    assert "Overdue report" in overdue and "Planned submission" not in overdue
    month = reg.days_ago(-10).strftime("%Y-%m")
    assert f'data-month="{month}"' in page and "Planned submission" in rest
    assert later.number not in page  # 100 days ahead: beyond the default 90
    assert later.number in _text(client.get(_url(world, "calendar", query="?days=120")))


def test_committees_are_listed_created_and_edited(world, reg, login):
    client = login(world.user(RA))
    response = client.post(
        _url(world, "committees"),
        {
            "name": "Alpha Hospital IRB",
            "scope": "local",
            "country": world.site_a.country_id,
            "sites": [world.site_a.pk],
            "registration": "IRB00001234",
            "continuing_review_months": "12",
            "contact": "",
        },
    )
    assert response.status_code == 302
    committee = EthicsCommittee.objects.get(study=world.study)
    assert list(committee.sites.all()) == [world.site_a] and committee.continuing_review_months == 12
    refused = client.post(
        _url(world, "committees"),
        {"name": "Mixed IRB", "scope": "local", "country": world.site_a.country_id, "sites": [world.site_b.pk]},
    )
    assert refused.status_code == 200 and "Not sites of the committee&#x27;s country: B1" in _text(refused)
    edit = client.post(
        _url(world, "committee", committee),
        {
            "name": "Alpha Hospital IRB",
            "scope": "local",
            "country": world.site_a.country_id,
            "sites": [world.site_a.pk],
            "registration": "IRB00001234",
            "continuing_review_months": "6",
            "contact": "irb@alpha.example",
            "reason": "The IRB shortened its interval",
        },
    )
    assert edit.status_code == 302
    committee.refresh_from_db()
    assert (committee.continuing_review_months, committee.contact) == (6, "irb@alpha.example")
    assert "Alpha Hospital IRB" in _text(client.get(_url(world, "committees")))


def test_site_versions_answer_which_version_each_site_may_use(world, reg, login):
    v1, v2 = reg.version("1.0"), reg.version("2.0")
    ind = reg.to_authority(protocol_version=v1)
    reg.step(ind, "submit", reg.days_ago(60))
    reg.step(ind, "approve", reg.days_ago(30))
    irb = reg.committee("Alpha IRB")
    review = reg.to_committee(irb, protocol_version=v1)
    reg.step(review, "submit", reg.days_ago(50))
    reg.step(review, "approve", reg.days_ago(20))
    amendment = reg.to_committee(irb, "amendment", protocol_version=v2)
    reg.step(amendment, "submit", reg.days_ago(10))
    reg.step(amendment, "approve", reg.days_ago(5))
    client = login(world.user(AUDITOR))
    page = _text(client.get(_url(world, "site_versions")))
    row_a = page.split('data-site="A1"')[1].split("</tr>")[0]
    # usable from the later approval: the IRB's, 20 days ago
    assert f"since {_iso(reg.days_ago(20))}" in row_a
    assert "missing: authority approval" in row_a  # v2: only the IRB approved it
    row_b = page.split('data-site="B1"')[1].split("</tr>")[0]
    assert row_b.count("missing: authority approval, ethics approval") == 2
    site = _text(client.get(_url(world, "site_versions_site", world.site_a)))
    assert ind.number in site and review.number in site


def test_an_expired_ethics_approval_is_shown(world, reg, login):
    v1 = reg.version("1.0")
    ind = reg.to_authority(protocol_version=v1)
    reg.step(ind, "submit", reg.days_ago(400))
    reg.step(ind, "approve", reg.days_ago(380))
    review = reg.to_committee(reg.committee("Alpha IRB"), protocol_version=v1)
    reg.step(review, "submit", reg.days_ago(390))
    reg.step(review, "approve", reg.days_ago(370), expires_on=reg.days_ago(5))
    page = _text(login(world.user(AUDITOR)).get(_url(world, "site_versions")))
    assert f"ethics approval expired {_iso(reg.days_ago(5))}" in page.split('data-site="A1"')[1]


def test_the_library_shows_legal_bases_and_editors_change_clocks(world, login):
    client = login(world.user(AUDITOR))
    page = _text(client.get(_url(world, "library")))
    assert "21 CFR 312.40(b)(1)" in page and "Regulation (EU) No 536/2014" in page
    rule = ClockRule.objects.get(application_type=application_type("FDA", "IND"), name="Safe-to-proceed period")
    assert client.get(_url(world, "library_clock", rule)).status_code == 403
    editor = login(world.user(RA))
    form = _text(editor.get(_url(world, "library_clock", rule)))
    assert 'name="days" value="30"' in form
    data = {
        "application_type": rule.application_type_id,
        "order": "1",
        "name": rule.name,
        "starts": "submitted",
        "days": "31",
        "basis": "calendar",
        "recurs_months": "",
        "effect": "may_proceed",
        "reference": rule.reference,
        "reason": "",
    }
    refused = editor.post(_url(world, "library_clock", rule), data)
    assert refused.status_code == 200 and "This field is required." in _text(refused)
    saved = editor.post(_url(world, "library_clock", rule), {**data, "reason": "Test of the library form"})
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert rule.days == 31
    created = editor.post(
        _url(world, "library_authority_new"),
        {"code": "TGA", "name": "Therapeutic Goods Administration", "country_code": "AU", "portal": "", "active": "on"},
    )
    assert created.status_code == 302
    assert "Therapeutic Goods Administration" in _text(editor.get(_url(world, "library")))


def test_a_site_restricted_reader_sees_only_their_countries_and_committees(world, reg, login):
    us = reg.to_authority()
    jp = reg.to_authority("PMDA", "CTN", country=world.site_b.country)
    jp_committee = reg.committee("Beta Hospital EC", country=world.site_b.country)
    jp_review = reg.to_committee(jp_committee)
    client = login(world.user(MONITOR))  # site A1 (United States) only
    tracker = _text(client.get(_url(world, "tracker")))
    assert us.number in tracker and jp.number not in tracker and "Beta Hospital" not in tracker
    assert client.get(_url(world, "submission", us)).status_code == 200
    for name, args in (
        ("submission", [jp]),
        ("submission", [jp_review]),
        ("committee", [jp_committee]),
        ("site_versions_site", [world.site_b]),
    ):
        assert client.get(_url(world, name, *args)).status_code == 404, name
    assert "Beta Hospital" not in _text(client.get(_url(world, "committees")))
    assert "B1" not in _text(client.get(_url(world, "site_versions")))


def test_permissions_refuse_readers_and_writers_without_them(world, reg, login):
    ind = reg.to_authority()
    coder = login(world.user(CODER))  # no regulatory.view
    assert coder.get(_url(world, "tracker")).status_code == 403
    assert coder.get(_url(world, "submission", ind)).status_code == 403
    auditor = login(world.user(AUDITOR))  # reads, does not write
    assert auditor.get(_url(world, "submission", ind)).status_code == 200
    assert 'data-testid="step-submit"' not in _text(auditor.get(_url(world, "submission", ind)))
    assert auditor.post(_url(world, "submission_step", ind, "submit"), {"on": "2026-11-01"}).status_code == 403
    assert auditor.post(_url(world, "tracker"), {"title": "x"}).status_code == 403
    outsider = login(world.outsider)
    assert outsider.get(_url(world, "tracker")).status_code == 404
