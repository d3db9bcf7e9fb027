"""The close-out pages: the checklist (gates with their lights, states, signatures, sign forms for who may sign),
a step's page (the package, the report, the archives), and the forms: 302 when done, 200 with the refusal beside
the form, 403 without the permission, 404 outside the study or the reader's sites."""

import re

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.closeout.models import Closeout, CloseoutStep, SiteArchive
from opencro.studies.models import StudyStatus
from tests.closeout import helpers as h
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _home(w) -> str:
    return f"/studies/{w.study.pk}/closeout/"


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _state(html: str, step: str) -> str:
    return re.search(rf'data-step="{step}" data-state="(\w+)"', html).group(1)


def test_the_checklist_shows_every_step_its_gate_and_who_signs_it(co, login):
    html = _html(login(co.user(h.PM)).get(_home(co)))
    assert len(re.findall(r'data-testid="step" data-step="', html)) == 10
    assert _state(html, "lplv") == "waiting"
    assert 'data-line="on_study" data-holds="no"' in html and 'class="light red"' in html
    assert "2 participants are still on study." in html and "B1-001 (B1)" in html
    assert "Signed by: Project manager (<code>closeout.manage</code>)" in html
    assert 'data-testid="sign-form-lplv"' not in html  # not ready: no form
    assert 'data-testid="start-form"' not in html  # started
    assert 'data-testid="closeout-started"' in html


def test_the_navigation_links_the_checklist(co, login):
    html = _html(login(co.user(RoleCode.AUDITOR)).get(f"/studies/{co.study.pk}/"))
    assert f'href="/studies/{co.study.pk}/closeout/" data-testid="nav-closeout"' in html


def test_a_site_restricted_reader_sees_only_their_site(co, login):
    html = _html(login(co.user(RoleCode.INVESTIGATOR)).get(_home(co)))
    assert "A1-001 (A1)" in html and "2 participants are still on study." in html
    assert "B1-001" not in html and "Beta Hospital" not in html


def test_the_project_manager_starts_the_close_out(built, login):
    client = login(built.user(h.PM))
    html = _html(client.get(_home(built)))
    assert 'data-testid="closeout-not-started"' in html and 'data-testid="start-form"' in html
    response = client.post(_home(built) + "start/", {"target_on": "", "note": "Kick-off held"})
    assert response.status_code == 302 and response["Location"] == _home(built)
    assert Closeout.objects.get(study=built.study).note == "Kick-off held"
    html = _html(client.post(_home(built) + "start/", {"note": "again"}))
    assert "The close-out of this study is started already." in html
    assert login(built.user(h.DM)).post(_home(built) + "start/", {}).status_code == 403


def test_a_step_is_signed_on_the_checklist_with_the_password(co, login):
    h.participants_finished(co)
    client = login(co.user(h.PM))
    html = _html(client.get(_home(co)))
    assert _state(html, "lplv") == "ready" and 'data-testid="sign-form-lplv"' in html
    sign = _home(co) + "steps/lplv/sign/"
    html = _html(client.post(sign, {"password": "wrong", "note": ""}))
    assert "The password is not correct; the signature was not applied." in html
    assert not CloseoutStep.objects.exists()
    response = client.post(sign, {"password": PASSWORD, "note": "All sites confirmed"})
    assert response.status_code == 302 and response["Location"] == _home(co)
    html = _html(client.get(_home(co)))
    assert _state(html, "lplv") == "signed"
    assert "Signed by Project-Manager Tester" in html and "All sites confirmed" in html
    assert "Last participant, last visit</th><td>2026-03-02" in html  # the facts recorded
    assert 'data-testid="signature"' in html


def test_a_refused_signature_says_why_beside_the_form(co, login):
    html = _html(login(co.user(h.DM)).post(_home(co) + "steps/database_lock/sign/", {"password": PASSWORD}))
    assert "Sign these steps first (or again): Last participant, last visit." in html
    assert 'data-testid="sign-form-database_lock"' in html  # the refused form is shown where it was posted


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        (h.DM, "steps/lplv/sign/", 403),
        (RoleCode.MONITOR, "steps/site_closeout/sign/", 403),
        (RoleCode.PHARMACIST, "steps/unblinding/sign/", 403),  # sees the arms, does not sign
        (h.PM, "steps/closing/sign/", 404),
        (h.PM, "steps/approval/sign/", 404),  # the approval has its own form
        (h.PM, "approve/", 403),
        (h.DM, "archive/", 403),
    ],
)
def test_a_write_needs_its_permission(co, login, role, url, status):
    assert login(co.user(role)).post(_home(co) + url, {"password": PASSWORD}).status_code == status


def test_outsiders_and_unknown_steps_get_404(co, login):
    assert login(co.outsider).get(_home(co)).status_code == 404
    assert login(co.user(h.PM)).get(_home(co) + "steps/closing/").status_code == 404


def test_the_package_and_the_report_are_chosen_on_their_pages(co, login):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    h.database_locked(co)
    h.sign(co, "database_lock", h.DM)
    h.sign(co, "unblinding", h.STAT)
    package = h.package_built(co)
    html = _html(login(co.user(h.PM)).get(_home(co)))
    assert 'data-testid="sign-form-analysis_package"' not in html  # signed on its own page
    client = login(co.user(h.STAT))
    html = _html(client.get(_home(co)))
    assert 'data-testid="step-open-analysis_package"' in html
    page = _home(co) + "steps/analysis_package/"
    html = _html(client.get(page))
    assert f'<option value="{package.pk}">Package 1 · ' in html and "real treatment arms" in html
    assert "What a signature now records" in html
    response = client.post(page + "sign/", {"package": package.pk, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == page

    csr, record = h.csr_approved(co), h.appendix(co)
    client = login(co.user(h.SPONSOR))
    page = _home(co) + "steps/csr/"
    html = _html(client.get(page))
    assert "Clinical study report" in html and 'data-testid="sign-appendices"' in html
    html = _html(
        client.post(page + "sign/", {"document_version": csr.pk, "appendices": [csr.pk], "password": PASSWORD})
    )
    assert "The report is not its own appendix." in html
    data = {"document_version": csr.pk, "appendices": [record.pk], "password": PASSWORD}
    assert client.post(page + "sign/", data).status_code == 302
    step = CloseoutStep.objects.get(step="csr")
    assert (step.document_version, step.appendices) == (csr, [record.pk])


ARCHIVE = {
    "tmf_location": "Iron Mountain, Basel, vault 4",
    "tmf_reference": "IM-2026-0042",
    "tmf_archived_on": "2026-10-01",
    "tmf_sha256": "",
    "retention_rule": "eu_ctr_art58",
    "retention_basis_on": "2026-06-30",
    "retention_years": "",
    "reason": "",
}


def test_the_archives_are_recorded_on_the_archiving_page(co, login):
    client = login(co.user(h.REG))
    page = _home(co) + "steps/archiving/"
    html = _html(client.get(page))
    assert 'data-testid="archive-form"' in html and 'data-testid="retention-rules"' in html
    assert "Regulation (EU) No 536/2014, Article 58" in html and 'data-testid="isf-form-B1"' in html
    html = _html(client.post(_home(co) + "archive/", {**ARCHIVE, "retention_rule": "sponsor"}))
    assert "the sponsor&#x27;s number of years" in html
    response = client.post(_home(co) + "archive/", ARCHIVE)
    assert response.status_code == 302 and response["Location"] == page
    html = _html(client.get(page))
    assert "kept until 2051-06-30" in html
    site = _home(co) + f"archive/sites/{co.site_b.pk}/"
    isf = {"location": "Beta records office", "reference": "", "archived_on": "2026-10-01", "reason": ""}
    assert client.post(site, isf).status_code == 302
    html = _html(client.post(site, {**isf, "location": "Offsite"}))
    assert "The site&#x27;s archive is recorded: say why it changes." in html
    assert SiteArchive.objects.get().location == "Beta records office"
    other = co.other_study.sites.first()
    assert client.post(_home(co) + f"archive/sites/{other.pk}/", isf).status_code == 404
    investigator = login(co.user(RoleCode.INVESTIGATOR))
    assert investigator.post(site, isf).status_code == 404  # B1 is not the investigator's site
    assert investigator.post(_home(co) + f"archive/sites/{co.site_a.pk}/", isf).status_code == 403


def test_the_tmf_export_is_linked_only_for_who_may_download_it(co, login):
    page = _home(co) + "steps/archiving/"
    export = f'href="/studies/{co.study.pk}/documents/tmf/export/"'
    assert export in _html(login(co.user(h.REG)).get(page))
    assert export not in _html(login(co.user(RoleCode.BIOSTATISTICIAN)).get(page))  # no regulatory.view: 403 there


def test_the_sponsor_approves_on_the_checklist_and_the_study_closes(co, login):
    h.all_but_approval(co)
    client = login(co.user(h.SPONSOR))
    html = _html(client.get(_home(co)))
    assert _state(html, "approval") == "ready" and 'data-testid="sign-form-approval"' in html
    response = client.post(_home(co) + "approve/", {"password": PASSWORD, "note": "Approved for the sponsor"})
    assert response.status_code == 302
    html = _html(client.get(_home(co)))
    assert 'data-testid="closeout-approved"' in html and _state(html, "approval") == "signed"
    assert 'data-testid="sign-form-' not in html
    co.study.refresh_from_db()
    assert co.study.status == StudyStatus.CLOSED
