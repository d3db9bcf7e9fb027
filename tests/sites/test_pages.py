"""The feasibility pages as a browser uses them, and the sites' public answer page."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.sites.models import Answer, Institution, Invitation, Question
from opencro.studies.models import Site

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_render_for_the_project_manager(feasibility):
    f = feasibility
    client = _client(f.pm)
    base = f"/studies/{f.world.study.pk}/feasibility/"
    for tail, marker in (
        ("", "Invite an institution"),
        ("registry/", "Hôpital X"),
        ("registry/?country=fr&q=lyon", "Hôpital X"),
        (f"registry/{f.x.pk}/", "10 site-months"),
        ("registry/facilities/?q=lyon", "Register"),
        ("history/?condition=asthma&country=France", "Lyon"),
        ("questionnaire/", "MRI on site?"),
        ("shortlist/", "Hôpital X"),
    ):
        response = client.get(base + tail)
        assert response.status_code == 200, tail
        assert marker in response.content.decode(), tail
    detail = client.get(f"{base}registry/{f.x.pk}/").content.decode()
    assert "1 trials, 1 with actual enrolment over 10 site-months" in detail
    assert "T-001" in detail  # A1 of T-001, a study the manager is a member of
    assert "Feasibility" in client.get(f"/studies/{f.world.study.pk}/").content.decode()  # the navigation link


def test_site_restricted_and_other_roles_never_see_the_registry(feasibility):
    f = feasibility
    base = f"/studies/{f.world.study.pk}/feasibility/"
    for role in (RoleCode.INVESTIGATOR, RoleCode.MONITOR, RoleCode.AUDITOR):
        client = _client(f.world.user(role))
        assert client.get(base + "registry/").status_code == 403
        assert "Feasibility" not in client.get(f"/studies/{f.world.study.pk}/").content.decode()
    assert _client(f.world.outsider).get(base + "registry/").status_code == 404


def test_register_edit_and_errors_rerender_with_200(feasibility):
    f = feasibility
    client = _client(f.pm)
    base = f"/studies/{f.world.study.pk}/feasibility/"
    bad = client.post(base + "registry/new/", {"name": "No country", "country_code": "1"})
    assert bad.status_code == 200 and "ISO 3166" in bad.content.decode()
    made = client.post(base + "registry/new/", {"name": "Kyoto Univ", "country_code": "JP", "city": "Kyoto"})
    inst = Institution.objects.get(name="Kyoto Univ")
    assert made.status_code == 302 and inst.country == "Japan"
    no_reason = client.post(f"{base}registry/{inst.pk}/edit/", {"city": "Osaka"})
    assert no_reason.status_code == 200 and "reason" in no_reason.content.decode().lower()
    assert client.post(f"{base}registry/{inst.pk}/edit/", {"city": "Osaka", "reason": "moved"}).status_code == 302
    assert Institution.objects.get(pk=inst.pk).city == "Osaka"
    added = client.post(
        f"{base}registry/{inst.pk}/investigators/",
        {"name": "Dr K", "gcp_training_date": "2025-05-01", "cv_date": "not a date"},
    )
    assert added.status_code == 200 and "YYYY-MM-DD" in added.content.decode()
    client.post(f"{base}registry/{inst.pk}/investigators/", {"name": "Dr K", "gcp_training_date": "2025-05-01"})
    client.post(f"{base}registry/{inst.pk}/capabilities/", {"kind": "population", "value": "COPD clinic"})
    page = client.get(f"{base}registry/{inst.pk}/").content.decode()
    assert "Dr K" in page and "COPD clinic" in page
    found = client.get(base + "registry/?capability=copd").content.decode()
    assert "Kyoto Univ" in found and "Hôpital X" not in found
    assert client.post(base + "registry/facilities/register/", {"facility_key": "b|lyon|france"}).status_code == 302
    assert Institution.objects.filter(ctgov_key="b|lyon|france").exists()


def test_upload_of_ctgov_json_and_rejection(feasibility, tmp_path):
    f = feasibility
    client = _client(f.pm)
    base = f"/studies/{f.world.study.pk}/feasibility/registry/import/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("bad.json", b"{not json", content_type="application/json")
    response = client.post(base, {"files": [bad]})
    assert response.status_code == 200 and "not JSON" in response.content.decode()
    study = b'{"protocolSection": {"identificationModule": {"nctId": "NCT07654321"}}}'
    good = SimpleUploadedFile("good.json", study, content_type="application/json")
    assert client.post(base, {"files": [good]}).status_code == 302


def test_questionnaire_invitation_and_the_public_page(feasibility):
    f = feasibility
    client = _client(f.pm)
    base = f"/studies/{f.world.study.pk}/feasibility/"
    refused = client.post(base + "questionnaire/questions/", {"text": "More?", "answer_type": "yes_no"})
    assert refused.status_code == 200 and "has been sent" in refused.content.decode()
    form = {"title": "Asthma feasibility", "condition": "asthma", "weight_competition": "30", "reason": "matters"}
    saved = client.post(base + "questionnaire/", form)
    assert saved.status_code == 302
    new = Institution.objects.create(name="Nouveau", country_code="FR", country="France", city="Nice")
    invited = client.post(base + "invitations/", {"institution": new.pk, "days": "10"}, follow=True)
    link = re.search(r"/feasibility/respond/([\w-]+)/", invited.content.decode())
    assert link, "the link is shown once after inviting"
    token = link.group(1)
    public = Client(enforce_csrf_checks=True)
    page = public.get(f"/feasibility/respond/{token}/")
    text = page.content.decode()
    assert page.status_code == 200 and "Asthma feasibility" in text and "MRI on site?" in text
    assert "T-001" not in text and "Alpha Hospital" not in text  # no protocol number, no other site
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    csrf = public.cookies["csrftoken"].value
    q1 = f.questions[0].pk
    missing = public.post(f"/feasibility/respond/{token}/", {"csrfmiddlewaretoken": csrf, "respondent": "Dr N"})
    assert missing.status_code == 200 and "Answer this question" in missing.content.decode()
    answer = {
        "csrfmiddlewaretoken": csrf,
        "respondent": "Dr N",
        "answer-1": "yes",
        "answer-2": "12",
        "answer-3": "many",
    }
    assert public.post(f"/feasibility/respond/{token}/", answer).status_code == 302
    done = public.get(f"/feasibility/respond/{token}/").content.decode()
    assert "Answered by Dr N" in done and "respond-form" not in done
    again = public.post(f"/feasibility/respond/{token}/", answer | {"answer-1": "no"})
    assert again.status_code == 200 and "answered already" in again.content.decode()
    assert Answer.objects.get(invitation__institution=new, question_id=q1).value == "yes"
    assert Client(enforce_csrf_checks=True).post(f"/feasibility/respond/{token}/", answer).status_code == 403
    assert public.get("/feasibility/respond/not-a-token/").status_code == 404


def test_an_expired_link_shows_that_it_expired(feasibility):
    f = feasibility
    Invitation.objects.filter(pk=f.invitations["w"].pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    text = Client().get(f"/feasibility/respond/{f.tokens['w']}/").content.decode()
    assert "expired" in text and "respond-form" not in text


def test_shortlist_select_and_site_link(feasibility):
    f = feasibility
    client = _client(f.pm)
    base = f"/studies/{f.world.study.pk}/feasibility/"
    page = client.get(base + "shortlist/").content.decode()
    assert page.index("Hôpital X") < page.index("Clinique Y") < page.index("Centre W")
    assert "65.8" in page and "2 trials recruiting for “Asthma” in Lyon" in page
    bad = client.post(f"{base}shortlist/{f.invitations['y'].pk}/select/", {"number": "F2", "time_zone": "Mars/Base"})
    assert bad.status_code == 200 and not Site.objects.filter(number="F2").exists()
    picked = client.post(
        f"{base}shortlist/{f.invitations['y'].pk}/select/",
        {"number": "F2", "time_zone": "Europe/Paris", "principal_investigator": "Dr Y", "target_enrolment": "12"},
    )
    assert picked.status_code == 302
    site = Site.objects.get(study=f.world.study, number="F2")
    assert (site.status, site.target_enrolment, site.registry_link.institution) == ("selected", 12, f.y)
    linked = client.post(f"{base}sites/{f.world.site_b.pk}/link/", {"institution": f.w.pk})
    assert linked.status_code == 302 and f.world.site_b.registry_link.institution == f.w
    assert Question.objects.filter(questionnaire=f.questionnaire).count() == 3
