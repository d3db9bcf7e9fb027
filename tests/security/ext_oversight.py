"""Security-sweep rows for the oversight dashboard, the risk assessment, QTLs and central monitoring
(see tests/security/extensions.py).

World (`world_data`): version 1 of the risk assessment approved by the project manager, version 2 a draft with
risks R-01 (`{ov_risk}`, edited by the rows), R-02 and R-03 (`{ov_risk_rm_page}`, `{ov_risk_rm_api}`, removed by one
row each); QTL-W (`{ov_qtl}`, discontinuation with a lower limit the world's 0 of 2 crosses) evaluated once by the
system, which opened the breach `{ov_breach}`.

Rows that would end the draft for the rows after them are sent so that they are refused by the rules: starting a
new version while one is a draft (the page answers 200 with the refusal, the API 422), and approving with a wrong
password (the page answers 200 with the error beside the password; the API 403 for every role, the wrong password
and a missing permission alike). The real approval, by page and API, is tested in tests/monitoring/oversight/.
The QTL and central monitoring rows write new rows (QTL codes QTL-PG and QTL-API, which no other row names).
"""

import datetime as dt

from django.utils import timezone

from opencro.accounts.permissions import Perm, RoleCode
from opencro.monitoring.models import AssessmentStatus, QtlBreach, Risk, RiskAssessment
from opencro.monitoring.oversight import central, qtl_services, risk_services
from opencro.studies.models import Study
from tests.conftest import PASSWORD
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, MANAGE, APPROVE = Access.STUDY, Perm.OVERSIGHT_VIEW, Perm.RISK_MANAGE, Perm.RISK_APPROVE
PATTERN = "studies/<int:study_id>/oversight/"
PAGE = "/studies/{study}/oversight/"
API_PATH = "/api/v1/studies/{study_id}/oversight"
API_URL = "/api/v1/studies/{study}/oversight"
RISK_FORM = {
    "category": "endpoints",
    "description": "Matrix: samples lost in transport to the central lab.",
    "impact": "3",
    "likelihood": "2",
    "detectability": "2",
    "mitigation": "Courier contract.",
    "kri_codes": "",
    "qtl_codes": "",
    "reason": "Matrix: rescored.",
}
RISK_JSON = {
    "category": "endpoints",
    "description": "Matrix: samples lost in transport to the central lab.",
    "impact": 3,
    "likelihood": 2,
    "detectability": 2,
}
QTL_FORM = {"parameter": "important_deviation", "limit": "0.2", "direction": "upper", "rationale": "", "active": "on"}
ACTION = {"cause": "Matrix: early cut with two participants.", "action": "Matrix: reviewed at the team meeting."}


def _cut() -> str:
    return timezone.localdate().isoformat()


PAGES: list = [
    page("GET", PATTERN, S, VIEW, url=PAGE),
    page("GET", PATTERN + "sites/<int:site_id>/", S, VIEW, url=PAGE + "sites/{site}/"),
    page("GET", PATTERN + "risks/", S, VIEW, url=PAGE + "risks/"),
    page("GET", PATTERN + "risks/v<int:version>/", S, VIEW, url=PAGE + "risks/v1/"),
    page("POST", PATTERN + "risks/draft/", S, MANAGE, url=PAGE + "risks/draft/", data={}, ok=200),
    page("POST", PATTERN + "risks/add/", S, MANAGE, url=PAGE + "risks/add/", data=RISK_FORM, ok=302),
    page("GET", PATTERN + "risks/<int:risk_id>/", S, MANAGE, url=PAGE + "risks/{ov_risk}/"),
    page("POST", PATTERN + "risks/<int:risk_id>/", S, MANAGE, url=PAGE + "risks/{ov_risk}/", data=RISK_FORM, ok=302),
    page(
        "POST",
        PATTERN + "risks/<int:risk_id>/remove/",
        S,
        MANAGE,
        url=PAGE + "risks/{ov_risk_rm_page}/remove/",
        data={"reason": "Matrix: duplicate."},
        ok=302,
    ),
    page(
        "POST",
        PATTERN + "risks/approve/",
        S,
        APPROVE,
        url=PAGE + "risks/approve/",
        data={"summary": "", "password": "not-the-password"},
        ok=200,
    ),
    page("GET", PATTERN + "qtls/", S, VIEW, url=PAGE + "qtls/"),
    page("POST", PATTERN + "qtls/new/", S, MANAGE, url=PAGE + "qtls/new/", data={**QTL_FORM, "code": "QTL-PG"}, ok=302),
    page(
        "POST", PATTERN + "qtls/evaluate/", S, MANAGE, url=PAGE + "qtls/evaluate/", data={"cut_on": "{ov_cut}"}, ok=302
    ),
    page("GET", PATTERN + "qtls/<int:qtl_id>/", S, VIEW, url=PAGE + "qtls/{ov_qtl}/"),
    page(
        "POST",
        PATTERN + "qtls/<int:qtl_id>/",
        S,
        MANAGE,
        url=PAGE + "qtls/{ov_qtl}/",
        data={
            **QTL_FORM,
            "code": "QTL-W",
            "parameter": "study_discontinuation",
            "direction": "lower",
            "limit": "0.04",
            "reason": "Matrix: limit revised.",
        },
        ok=302,
    ),
    page("GET", PATTERN + "qtls/breaches/<int:breach_id>/", S, VIEW, url=PAGE + "qtls/breaches/{ov_breach}/"),
    page(
        "POST",
        PATTERN + "qtls/breaches/<int:breach_id>/",
        S,
        MANAGE,
        url=PAGE + "qtls/breaches/{ov_breach}/",
        data=ACTION,
        ok=302,
    ),
    page("GET", PATTERN + "central/", S, VIEW, url=PAGE + "central/"),
    page("POST", PATTERN + "central/run/", S, MANAGE, url=PAGE + "central/run/", data={"cut_on": "{ov_cut}"}, ok=302),
]

RA = API_PATH + "/risk-assessments"
RA_URL = API_URL + "/risk-assessments"
API: list = [
    api("GET", API_PATH + "/dashboard", S, VIEW, url=API_URL + "/dashboard"),
    api("GET", RA, S, VIEW, url=RA_URL),
    api("GET", RA + "/{version}", S, VIEW, url=RA_URL + "/1"),
    api("POST", RA, S, MANAGE, url=RA_URL, data={}, ok=422),
    api("POST", RA + "/draft/risks", S, MANAGE, url=RA_URL + "/draft/risks", data=RISK_JSON, ok=201),
    api(
        "PATCH",
        RA + "/draft/risks/{risk_id}",
        S,
        MANAGE,
        url=RA_URL + "/draft/risks/{ov_risk}",
        data={**RISK_JSON, "reason": "Matrix: rescored."},
    ),
    api(
        "POST",
        RA + "/draft/risks/{risk_id}/remove",
        S,
        MANAGE,
        url=RA_URL + "/draft/risks/{ov_risk_rm_api}/remove",
        data={"reason": "Matrix: duplicate."},
        ok=204,
    ),
    api(
        "POST",
        RA + "/draft/approve",
        S,
        APPROVE,
        url=RA_URL + "/draft/approve",
        data={"password": "not-the-password"},
        ok=403,
    ),
    api("GET", API_PATH + "/qtls", S, VIEW, url=API_URL + "/qtls"),
    api(
        "POST",
        API_PATH + "/qtls",
        S,
        MANAGE,
        url=API_URL + "/qtls",
        data={"code": "QTL-API", "parameter": "important_deviation", "limit": 0.2},
        ok=201,
    ),
    api("POST", API_PATH + "/qtls/evaluate", S, MANAGE, url=API_URL + "/qtls/evaluate", data={"cut_on": "{ov_cut}"}),
    api("GET", API_PATH + "/qtls/{qtl_id}", S, VIEW, url=API_URL + "/qtls/{ov_qtl}"),
    api(
        "PATCH",
        API_PATH + "/qtls/{qtl_id}",
        S,
        MANAGE,
        url=API_URL + "/qtls/{ov_qtl}",
        data={
            "code": "QTL-W",
            "parameter": "study_discontinuation",
            "limit": 0.04,
            "direction": "lower",
            "reason": "Matrix: limit revised.",
        },
    ),
    api("GET", API_PATH + "/qtl-breaches", S, VIEW, url=API_URL + "/qtl-breaches"),
    api(
        "POST",
        API_PATH + "/qtl-breaches/{breach_id}/action",
        S,
        MANAGE,
        url=API_URL + "/qtl-breaches/{ov_breach}/action",
        data=ACTION,
    ),
    api("GET", API_PATH + "/central-runs", S, VIEW, url=API_URL + "/central-runs"),
    api(
        "POST",
        API_PATH + "/central-runs",
        S,
        MANAGE,
        url=API_URL + "/central-runs",
        data={"cut_on": "{ov_cut}"},
        ok=201,
    ),
]

MODULES: dict = {"risks": risk_services, "qtls": qtl_services, "central": central}
EXEMPT: dict[str, str] = {
    "risks.assessment_digest": "a pure function of a version's risks",
    "central.study_records": "a read: the numeric data the run analyses",
}


def _study(w) -> Study:
    return Study.objects.get(pk=w.study.pk)


def _draft(w) -> RiskAssessment:
    return RiskAssessment.objects.get(study_id=w.study.pk, status=AssessmentStatus.DRAFT)


def _without_draft(w) -> Study:
    """The world's study with its draft gone (inside the case's rolled-back savepoint)."""
    _draft(w).delete()
    return _study(w)


CASES: list = [
    Case(
        "risks.risk_assessment_draft",
        lambda w, u: risk_services.risk_assessment_draft(actor=u, study=_without_draft(w)),
        MANAGE,
    ),
    Case(
        "risks.risk_save",
        lambda w, u: risk_services.risk_save(
            actor=u, assessment=_draft(w), **{**RISK_JSON, "description": "Matrix: a new risk for the case."}
        ),
        MANAGE,
    ),
    Case(
        "risks.risk_remove",
        lambda w, u: risk_services.risk_remove(
            actor=u, risk=Risk.objects.get(pk=w.ids["ov_risk_rm_api"]), reason="Matrix: duplicate."
        ),
        MANAGE,
    ),
    Case(
        "risks.risk_assessment_approve",
        lambda w, u: risk_services.risk_assessment_approve(actor=u, assessment=_draft(w), password=PASSWORD),
        APPROVE,
    ),
    Case(
        "qtls.qtl_save",
        lambda w, u: qtl_services.qtl_save(
            actor=u, study=_study(w), code="QTL-CASE", parameter="important_deviation", limit=0.2
        ),
        MANAGE,
    ),
    Case(
        "qtls.qtls_evaluate",
        lambda w, u: qtl_services.qtls_evaluate(actor=u, study=_study(w), cut_on=timezone.localdate()),
        MANAGE,
    ),
    Case(
        "qtls.qtl_breach_action",
        lambda w, u: qtl_services.qtl_breach_action(
            actor=u, breach=QtlBreach.objects.get(pk=w.ids["ov_breach"]), **ACTION
        ),
        MANAGE,
    ),
    Case(
        "central.csm_run",
        lambda w, u: central.csm_run(actor=u, study=_study(w), cut_on=timezone.localdate()),
        MANAGE,
    ),
]


def world_data(w) -> None:
    """Risk assessment v1 approved and v2 a draft with three risks; a QTL evaluated once, in breach."""
    pm = w.user(RoleCode.PROJECT_MANAGER)
    w.ids["ov_cut"] = _cut()
    v1 = risk_services.risk_assessment_draft(actor=pm, study=w.study)
    risk_services.risk_save(actor=pm, assessment=v1, **RISK_JSON)
    risk_services.risk_assessment_approve(actor=pm, assessment=v1, password=PASSWORD)
    v2 = risk_services.risk_assessment_draft(actor=pm, study=w.study)
    w.ids["ov_risk"] = v2.risks.get(number="R-01").pk
    for key in ("ov_risk_rm_page", "ov_risk_rm_api"):
        w.ids[key] = risk_services.risk_save(
            actor=pm, assessment=v2, **{**RISK_JSON, "description": f"Matrix: risk {key}."}
        ).pk
    qtl = qtl_services.qtl_save(
        actor=pm, study=w.study, code="QTL-W", parameter="study_discontinuation", limit=0.05, direction="lower"
    )
    w.ids["ov_qtl"] = qtl.pk
    qtl_services.qtls_evaluate(actor=None, study=w.study, cut_on=timezone.localdate() - dt.timedelta(days=1))
    w.ids["ov_breach"] = QtlBreach.objects.get(qtl=qtl).pk
