"""Security-sweep rows for the study close-out: the checklist, a step's page, starting, signing a step, the
approval, the archives (see tests/security/extensions.py).

World (`world_data`): the close-out of T-001 started by the project manager. So starting again is refused (page 200,
API 422) whatever the order; signing the database lock is refused (the last participant's last visit is never signed
in the sweep: page 200, API 422), as is the approval (no step signed); recording the archives succeeds every time
(the same values, with a reason: a change needs one, an unchanged record writes nothing). The sign row names the
database lock: its permission (`data.lock`) goes with `esign.sign` in every default role, so the row's one permission
decides (the pharmacist holds `treatment.view` without `esign.sign`: the unblinding would not be a one-permission row).

Service cases: `closeout_step_sign` signs the last participant's last visit as the project manager, on the world's
participants ended as the system in the case's savepoint (statuses, the study in follow-up, visits dated);
`closeout_approve` with the checklist's approval made ready (every other step signed and holding is what
tests/closeout covers; this case is about who may approve); `closeout_start` after the world's close-out is removed
in the savepoint. The site archive rows name `{site}`, which matrix.SITE_OBJECTS holds.
"""

import dataclasses
import datetime as dt
from unittest import mock

from opencro.accounts.permissions import Perm, RoleCode
from opencro.closeout import services
from opencro.closeout.gates import StepState, checklist_compute
from opencro.closeout.models import Closeout
from opencro.closeout.steps import StepKey
from opencro.edc.models import EventData
from opencro.studies.models import Site, Study, StudyStatus
from opencro.subjects.models import Subject, SubjectStatus
from tests.conftest import PASSWORD
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S = Access.STUDY
PATTERN = "studies/<int:study_id>/closeout/"
PAGE = "/studies/{study}/closeout/"
API_PATH = "/api/v1/studies/{study_id}/closeout"
API_URL = "/api/v1/studies/{study}/closeout"
REASON = "Matrix: the archive's reference corrected"
ARCHIVE = {
    "tmf_location": "Matrix archive, vault 1",
    "tmf_reference": "M-1",
    "tmf_archived_on": "2026-10-01",
    "retention_rule": "eu_ctr_art58",
    "retention_basis_on": "2026-06-30",
    "reason": REASON,
}
ISF = {"location": "Matrix records office", "archived_on": "2026-10-01", "reason": REASON}
SIGN = {"password": PASSWORD}

PAGES: list = [
    page("GET", PATTERN, S, Perm.STUDY_VIEW, url=PAGE),
    page("POST", PATTERN + "start/", S, Perm.CLOSEOUT_MANAGE, url=PAGE + "start/", data={"note": "again"}),
    page("GET", PATTERN + "steps/<str:step>/", S, Perm.STUDY_VIEW, url=PAGE + "steps/archiving/"),
    page(
        "POST", PATTERN + "steps/<str:step>/sign/", S, Perm.DATA_LOCK, url=PAGE + "steps/database_lock/sign/", data=SIGN
    ),
    page(
        "POST",
        PATTERN + "approve/",
        S,
        Perm.CLOSEOUT_APPROVE,
        url=PAGE + "approve/",
        data=SIGN,
        barred=Perm.CLOSEOUT_MANAGE,  # who runs the close-out does not approve it
    ),
    page("POST", PATTERN + "archive/", S, Perm.REGULATORY_EDIT, url=PAGE + "archive/", data=ARCHIVE, ok=302),
    page(
        "POST",
        PATTERN + "archive/sites/<int:site_id>/",
        S,
        Perm.REGULATORY_EDIT,
        url=PAGE + "archive/sites/{site}/",
        data=ISF,
        ok=302,
    ),
]

API: list = [
    api("GET", API_PATH, S, Perm.STUDY_VIEW, url=API_URL),
    api("POST", API_PATH, S, Perm.CLOSEOUT_MANAGE, url=API_URL, data={"note": "again"}, ok=422),
    api("GET", API_PATH + "/steps/{step}", S, Perm.STUDY_VIEW, url=API_URL + "/steps/archiving"),
    api(
        "POST",
        API_PATH + "/steps/{step}/sign",
        S,
        Perm.DATA_LOCK,
        url=API_URL + "/steps/database_lock/sign",
        data=SIGN,
        ok=422,
    ),
    api(
        "POST",
        API_PATH + "/approve",
        S,
        Perm.CLOSEOUT_APPROVE,
        url=API_URL + "/approve",
        data=SIGN,
        ok=422,
        barred=Perm.CLOSEOUT_MANAGE,
    ),
    api("PUT", API_PATH + "/archive", S, Perm.REGULATORY_EDIT, url=API_URL + "/archive", data=ARCHIVE),
    api(
        "PUT",
        API_PATH + "/archive/sites/{site_id}",
        S,
        Perm.REGULATORY_EDIT,
        url=API_URL + "/archive/sites/{site}",
        data=ISF,
    ),
]


def world_data(w) -> None:
    """The close-out of T-001, started by the project manager."""
    services.closeout_start(actor=w.user(RoleCode.PROJECT_MANAGER), study=w.study)


MODULES: dict = {"closeout": services}
EXEMPT: dict[str, str] = {}


def _study(w) -> Study:
    return Study.objects.get(pk=w.study.pk)


def _participants_ended(w) -> Study:
    """Every participant of the world ended (as the system, in the case's savepoint), the study in follow-up and its
    visits dated: the last participant's last visit holds."""
    Subject.objects.filter(study=w.study, status=SubjectStatus.SCREENING).update(status=SubjectStatus.SCREEN_FAILED)
    Subject.objects.filter(study=w.study, status=SubjectStatus.ENROLLED).update(status=SubjectStatus.COMPLETED)
    EventData.objects.filter(study=w.study).update(visit_date=dt.date(2026, 3, 2))
    Study.objects.filter(pk=w.study.pk).update(status=StudyStatus.FOLLOW_UP)
    return _study(w)


def _approval_ready(study, closeout, **kw):
    """The checklist with the approval ready (its steps' own gates are tests/closeout's)."""
    checklist = checklist_compute(study, closeout, **kw)
    ready = dataclasses.replace(checklist.step(StepKey.APPROVAL), state=StepState.READY, waiting_for=(), lines=())
    steps = tuple(ready if s.key == StepKey.APPROVAL else s for s in checklist.steps)
    return dataclasses.replace(checklist, steps=steps)


def _approve(w, u):
    with mock.patch("opencro.closeout.services.checklist_compute", _approval_ready):
        return services.closeout_approve(actor=u, study=_study(w), password=PASSWORD)


def _start(w, u):
    Closeout.objects.filter(study=w.study).delete()
    return services.closeout_start(actor=u, study=_study(w))


CASES: list = [
    Case("closeout.closeout_start", _start, Perm.CLOSEOUT_MANAGE),
    Case(
        "closeout.closeout_step_sign",
        lambda w, u: services.closeout_step_sign(
            actor=u, study=_participants_ended(w), step=StepKey.LPLV, password=PASSWORD
        ),
        Perm.CLOSEOUT_MANAGE,
    ),
    Case("closeout.closeout_approve", _approve, Perm.CLOSEOUT_APPROVE, RoleCode.SPONSOR_OVERSIGHT),
    Case(
        "closeout.closeout_archive_record",
        lambda w, u: services.closeout_archive_record(
            actor=u,
            study=_study(w),
            tmf_location="Vault 2",
            tmf_archived_on=dt.date(2026, 10, 1),
            retention_rule="sponsor",
            retention_basis_on=dt.date(2026, 6, 30),
            retention_years=30,
        ),
        Perm.REGULATORY_EDIT,
    ),
    Case(
        "closeout.closeout_site_archive_record",
        lambda w, u: services.closeout_site_archive_record(
            actor=u, site=Site.objects.get(pk=w.site_a.pk), location="Records office", archived_on=dt.date(2026, 10, 1)
        ),
        Perm.REGULATORY_EDIT,
    ),
]
