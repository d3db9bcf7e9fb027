"""Security-sweep rows for the site registry and feasibility (see tests/security/extensions.py).

Every page and API route lives under the study and needs `site.edit` (the project manager); the sites' answer page
is public and found by its token. The world (`world_data`) holds a registry entry with an investigator and a
capability, a past trial with an unregistered facility, a sent questionnaire, and one institution or invitation per
write row that needs its own (an invitation per channel, a candidate per selection row), so no row depends on the
order of the rows. The questionnaire has been sent, so the question rows reach the service and are refused there
(the page re-rendered: 200; the API: 422). The upload row sends no file: the page says so (200).
"""

import datetime as dt

from django.utils import timezone

from opencro.accounts.permissions import Perm
from opencro.sites.models import HistoricalSite, HistoricalTrial, Invitation, Questionnaire
from opencro.sites.services import ctgov_import, feasibility, registry
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, P, E = Access.STUDY, Access.PUBLIC, Perm.SITE_EDIT
BASE = "studies/<int:study_id>/feasibility/"
URL = "/studies/{study}/feasibility/"
API = "/api/v1/studies/{study_id}/feasibility"
API_URL = "/api/v1/studies/{study}/feasibility"
RESPOND = "feasibility/respond/<str:token>/"
RESPOND_URL = "/feasibility/respond/{feas_token}/"
SELECT = {"time_zone": "Asia/Tokyo", "principal_investigator": "Dr Matrix"}


def _page(method: str, tail: str, url_tail: str | None = None, **kw):
    return page(method, BASE + tail, S, E, url=URL + (url_tail if url_tail is not None else tail), **kw)


def _api(method: str, tail: str, url_tail: str | None = None, **kw):
    return api(method, API + tail, S, E, url=API_URL + (url_tail if url_tail is not None else tail), **kw)


PAGES: list = [
    _page("GET", ""),
    _page("GET", "registry/"),
    _page("GET", "registry/<int:institution_id>/", "registry/{feas_inst}/"),
    _page("GET", "registry/facilities/", "registry/facilities/?q=matrix"),
    _page("GET", "history/", "history/?condition=asthma"),
    _page("GET", "questionnaire/"),
    _page("GET", "shortlist/"),
    _page("POST", "registry/new/", data={"name": "Matrix Institute", "country_code": "JP"}, ok=302),
    _page(
        "POST",
        "registry/<int:institution_id>/edit/",
        "registry/{feas_inst}/edit/",
        data={"city": "Kyoto", "reason": "matrix"},
        ok=302,
    ),
    _page(
        "POST",
        "registry/<int:institution_id>/investigators/",
        "registry/{feas_inst}/investigators/",
        data={"name": "Dr Page", "gcp_training_date": "2026-01-01"},
        ok=302,
    ),
    _page(
        "POST",
        "registry/investigators/<int:investigator_id>/",
        "registry/investigators/{feas_investigator}/",
        data={"name": "Dr Renamed", "reason": "matrix"},
        ok=302,
    ),
    _page(
        "POST",
        "registry/<int:institution_id>/capabilities/",
        "registry/{feas_inst}/capabilities/",
        data={"kind": "equipment", "value": "MRI"},
        ok=302,
    ),
    _page(
        "POST",
        "registry/capabilities/<int:capability_id>/delete/",
        "registry/capabilities/{feas_capability}/delete/",
        data={"reason": "matrix"},
        ok=302,
    ),
    _page("POST", "registry/facilities/register/", data={"facility_key": "{feas_facility}"}, ok=302),
    _page("POST", "registry/import/", data={}, ok=200),
    _page("POST", "questionnaire/", data={"title": "Matrix feasibility", "reason": "matrix"}, ok=302),
    _page("POST", "questionnaire/questions/", data={"text": "More?", "answer_type": "yes_no"}, ok=200),
    _page(
        "POST",
        "questionnaire/questions/<int:question_id>/delete/",
        "questionnaire/questions/{feas_question}/delete/",
        data={"reason": "matrix"},
        ok=200,
    ),
    _page("POST", "invitations/", data={"institution": "{feas_inst_invite_page}"}, ok=302),
    _page(
        "POST",
        "shortlist/<int:invitation_id>/select/",
        "shortlist/{feas_select_page}/select/",
        data=SELECT | {"number": "FP"},
        ok=302,
    ),
    _page(
        "POST",
        "sites/<int:site_id>/link/",
        "sites/{site}/link/",
        data={"institution": "{feas_inst}", "reason": "matrix"},
        ok=302,
    ),
    page("GET", RESPOND, P, url=RESPOND_URL),
    page(
        "POST", RESPOND, P, url=RESPOND_URL, data={"respondent": "Matrix", "answer-1": "yes", "answer-2": "3"}, ok=302
    ),
]

API: list = [
    _api("GET", "/institutions"),
    _api("POST", "/institutions", data={"name": "Matrix API Institute", "country_code": "JP"}, ok=201),
    _api("GET", "/institutions/{institution_id}", "/institutions/{feas_inst}"),
    _api(
        "PATCH",
        "/institutions/{institution_id}",
        "/institutions/{feas_inst}",
        data={"city": "Kyoto", "reason": "matrix"},
    ),
    _api(
        "POST",
        "/institutions/{institution_id}/investigators",
        "/institutions/{feas_inst}/investigators",
        data={"name": "Dr Api"},
        ok=201,
    ),
    _api(
        "POST",
        "/institutions/{institution_id}/capabilities",
        "/institutions/{feas_inst}/capabilities",
        data={"kind": "population", "value": "COPD"},
        ok=201,
    ),
    _api("GET", "/questionnaire"),
    _api("PUT", "/questionnaire", data={"title": "Matrix feasibility", "reason": "matrix"}),
    _api("POST", "/questionnaire/questions", data={"text": "More?", "answer_type": "yes_no"}, ok=422),
    _api("GET", "/invitations"),
    _api("POST", "/invitations", data={"institution_id": "{feas_inst_invite_api}"}, ok=201),
    _api("GET", "/shortlist"),
    _api(
        "POST",
        "/shortlist/{invitation_id}/select",
        "/shortlist/{feas_select_api}/select",
        data=SELECT | {"number": "FA"},
        ok=201,
    ),
]

MODULES: dict = {
    "sites_registry": registry,
    "sites_ctgov_import": ctgov_import,
    "sites_feasibility": feasibility,
}
EXEMPT: dict[str, str] = {
    "sites_feasibility.token_hash": "a pure function",
    "sites_feasibility.invitation_by_token": "a read: finds an invitation by its token's hash",
    "sites_feasibility.invitation_answer": "public: authorised by the invitation's secret token, not by a role",
}


def _questionnaire(w) -> Questionnaire:
    return Questionnaire.objects.get(study=w.study)


def _unsent(w) -> Questionnaire:
    """The world's questionnaire as if not sent yet (inside the case's rolled-back savepoint)."""
    questionnaire = _questionnaire(w)
    Invitation.objects.filter(questionnaire=questionnaire).delete()
    return questionnaire


def _inst(w, key: str = "feas_inst"):
    from opencro.sites.models import Institution

    return Institution.objects.get(pk=w.ids[key])


CASES: list = [
    Case(
        "sites_registry.institution_create",
        lambda w, u: registry.institution_create(actor=u, study=w.study, name="Case", country_code="JP"),
        E,
    ),
    Case(
        "sites_registry.institution_update",
        lambda w, u: registry.institution_update(
            actor=u, study=w.study, institution=_inst(w), changes={"city": "Nara"}, reason="r"
        ),
        E,
    ),
    Case(
        "sites_registry.institution_from_facility",
        lambda w, u: registry.institution_from_facility(actor=u, study=w.study, facility_key=w.ids["feas_facility"]),
        E,
    ),
    Case(
        "sites_registry.investigator_create",
        lambda w, u: registry.investigator_create(actor=u, study=w.study, institution=_inst(w), name="Dr Case"),
        E,
    ),
    Case(
        "sites_registry.investigator_update",
        lambda w, u: registry.investigator_update(
            actor=u,
            study=w.study,
            investigator=_inst(w).investigators.get(pk=w.ids["feas_investigator"]),
            changes={"name": "Dr Changed"},
            reason="r",
        ),
        E,
    ),
    Case(
        "sites_registry.capability_add",
        lambda w, u: registry.capability_add(
            actor=u, study=w.study, institution=_inst(w), kind="equipment", value="CT"
        ),
        E,
    ),
    Case(
        "sites_registry.capability_delete",
        lambda w, u: registry.capability_delete(
            actor=u, study=w.study, capability=_inst(w).capabilities.get(pk=w.ids["feas_capability"]), reason="r"
        ),
        E,
    ),
    Case(
        "sites_registry.site_link",
        lambda w, u: registry.site_link(actor=u, site=w.site_a, institution=_inst(w), reason="r"),
        E,
    ),
    Case(
        "sites_ctgov_import.ctgov_import",
        lambda w, u: ctgov_import.ctgov_import(actor=u, study=w.study, records=[]),
        E,
    ),
    Case(
        "sites_feasibility.questionnaire_save",
        lambda w, u: feasibility.questionnaire_save(actor=u, study=w.study, title="Case", reason="r"),
        E,
    ),
    Case(
        "sites_feasibility.question_add",
        lambda w, u: feasibility.question_add(actor=u, questionnaire=_unsent(w), text="Q", answer_type="yes_no"),
        E,
    ),
    Case(
        "sites_feasibility.question_delete",
        lambda w, u: feasibility.question_delete(
            actor=u, question=_unsent(w).questions.get(pk=w.ids["feas_question"]), reason="r"
        ),
        E,
    ),
    Case(
        "sites_feasibility.invitation_create",
        lambda w, u: feasibility.invitation_create(
            actor=u, questionnaire=_questionnaire(w), institution=_inst(w, "feas_inst_invite_page")
        ),
        E,
    ),
    Case(
        "sites_feasibility.candidate_select",
        lambda w, u: feasibility.candidate_select(
            actor=u,
            invitation=Invitation.objects.get(pk=w.ids["feas_select_service"]),
            number="FS",
            time_zone="Asia/Tokyo",
            principal_investigator="Dr Case",
        ),
        E,
    ),
]


def world_data(w) -> None:
    """The registry entries, past trial, questionnaire and invitations the rows above name (built as the system)."""
    study = w.study
    inst = registry.institution_create(
        actor=None, study=study, name="Gamma Clinic", country_code="JP", city="Kyoto", ctgov_key="gamma|kyoto|japan"
    )
    investigator = registry.investigator_create(actor=None, study=study, institution=inst, name="Dr Gamma")
    capability = registry.capability_add(actor=None, study=study, institution=inst, kind="equipment", value="PET")
    trial = HistoricalTrial.objects.create(
        nct_id="NCT09999999",
        status="RECRUITING",
        conditions="asthma",
        enrollment=20,
        enrollment_actual=True,
        months=10.0,
        site_count=2,
        start_date=dt.date(2025, 1, 1),
        imported_at=timezone.now(),
    )
    for key, name, city in (
        ("gamma|kyoto|japan", "Gamma", "Kyoto"),
        ("matrix hospital|osaka|japan", "Matrix", "Osaka"),
    ):
        HistoricalSite.objects.create(trial=trial, facility_key=key, name=name, city=city, country="Japan")
    questionnaire = feasibility.questionnaire_save(
        actor=None, study=study, title="Matrix feasibility", condition="asthma"
    )
    question = feasibility.question_add(actor=None, questionnaire=questionnaire, text="MRI?", answer_type="yes_no")
    feasibility.question_add(
        actor=None, questionnaire=questionnaire, text="Patients?", answer_type="number", weight=2, threshold=5
    )
    made = {}
    for key in ("invite_page", "invite_api", "select_page", "select_api", "select_service", "respond"):
        made[key] = registry.institution_create(
            actor=None, study=study, name=f"Matrix {key.replace('_', ' ')} clinic", country_code="JP", city="Osaka"
        )
    tokens = {}
    for key in ("select_page", "select_api", "select_service", "respond"):
        invitation, tokens[key] = feasibility.invitation_create(
            actor=None, questionnaire=questionnaire, institution=made[key]
        )
        w.ids[f"feas_{key}"] = invitation.pk
        if key != "respond":
            feasibility.invitation_answer(token=tokens[key], respondent="Matrix", values={question.pk: "yes"} | {
                q.pk: "4" for q in questionnaire.questions.filter(answer_type="number")
            })  # fmt: skip
    w.ids.update(
        feas_inst=inst.pk,
        feas_investigator=investigator.pk,
        feas_capability=capability.pk,
        feas_facility="matrix hospital|osaka|japan",
        feas_question=question.pk,
        feas_inst_invite_page=made["invite_page"].pk,
        feas_inst_invite_api=made["invite_api"].pk,
        feas_token=tokens["respond"],
    )
