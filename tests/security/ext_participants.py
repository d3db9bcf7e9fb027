"""Security-sweep rows for the participants part (see tests/security/extensions.py).

The world's subjects A1-001 and B1-001 (`{subject}`, enrolled and randomised) signed consent form 1.0 on
paper; 2.0 (English) superseded it, so they are due for re-consent; 1.0-ja (Japanese) is approved too. The
re-consent rows sign 2.0 (page) and 1.0-ja (API); the withdrawal rows withdraw from treatment (page) and from
follow-up (API): each on its own object, order-free. The eligibility, screen-failure and enrolment rows reach
the service and are refused there (the subject is enrolled: the page re-rendered, 200; the API, 422). Consent
form actions act on their own versions (`{icf_*}` in `w.ids`, study-level: no site variant). No world subject
is added, so the site sweeps' subject lists stay as they were.
"""

import datetime as dt

from opencro.accounts.permissions import Perm, RoleCode
from opencro.studies.models import EligibilityCriterion
from opencro.subjects import consent, consent_forms, eligibility, prescreening, screening, withdrawal
from opencro.subjects.models import ConsentForm, Subject
from tests.conftest import PASSWORD
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, VIEW, EDIT = Access.STUDY, Perm.SUBJECT_VIEW, Perm.SUBJECT_EDIT
PATTERN = "studies/<int:study_id>/subjects/"
PAGE = "/studies/{study}/subjects/"
SUBJECT_PATTERN = PATTERN + "<int:subject_id>/"
SUBJECT_PAGE = PAGE + "{subject}/"
FORM_PATTERN = PATTERN + "consent-forms/<int:form_id>/"
API_PATH = "/api/v1/studies/{study_id}"
API_URL = "/api/v1/studies/{study}"
SUBJECT_API = API_PATH + "/subjects/{subject_id}"
SUBJECT_API_URL = API_URL + "/subjects/{subject}"
FORMS_API = API_PATH + "/consent-forms"
FORMS_API_URL = API_URL + "/consent-forms"
SIGNED = "2026-03-01"
PAPER_SCREEN = {"method": "paper", "paper_signed_on": SIGNED}


def _form_page(tail: str, name: str, data: dict, perm=Perm.STUDY_EDIT, ok=302):
    return page(
        "POST", FORM_PATTERN + tail, S, perm, url=PAGE + "consent-forms/{" + name + "}/" + tail, data=data, ok=ok
    )


def _form_api(tail: str, name: str, data: dict):
    return api(
        "POST",
        FORMS_API + "/{form_id}/" + tail,
        S,
        Perm.STUDY_EDIT,
        url=FORMS_API_URL + "/{" + name + "}/" + tail,
        data=data,
    )


PAGES: list = [
    page("GET", PATTERN + "screen/", S, EDIT, url=PAGE + "screen/"),
    page(
        "POST",
        PATTERN + "screen/",
        S,
        EDIT,
        url=PAGE + "screen/",
        data={"site": "{site}", "form": "{icf_v2}", **PAPER_SCREEN},
        ok=302,
    ),
    page("GET", PATTERN + "prescreening/", S, VIEW, url=PAGE + "prescreening/"),
    page(
        "POST",
        PATTERN + "prescreening/",
        S,
        EDIT,
        url=PAGE + "prescreening/",
        data={"site": "{site}", "logged_on": SIGNED, "source": "clinic", "outcome": "declined"},
        ok=302,
    ),
    page("GET", PATTERN + "consent-forms/", S, VIEW, url=PAGE + "consent-forms/"),
    page(
        "POST",
        PATTERN + "consent-forms/",
        S,
        Perm.STUDY_EDIT,
        url=PAGE + "consent-forms/",
        data={"version": "M-page", "language": "en", "title": "Matrix ICF", "text": "Matrix"},
        ok=302,
    ),
    page("GET", FORM_PATTERN, S, VIEW, url=PAGE + "consent-forms/{icf_v2}/"),
    page("GET", FORM_PATTERN + "document/", S, VIEW, url=PAGE + "consent-forms/{icf_draft}/document/"),
    _form_page("ethics/", "icf_ethics", {"committee": "Matrix IRB", "approved_on": SIGNED}),
    _form_page("approve/", "icf_draft", {"password": PASSWORD}),
    _form_page("retire/", "icf_retire", {"reason": "matrix"}),
    page("GET", SUBJECT_PATTERN, S, VIEW, url=SUBJECT_PAGE),
    page(
        "POST",
        SUBJECT_PATTERN + "consent/",
        S,
        EDIT,
        url=SUBJECT_PAGE + "consent/",
        data={"form": "{icf_v2}", "method": "electronic", "participant_name": "Matrix Person", "password": PASSWORD},
        ok=302,
    ),
    page("POST", SUBJECT_PATTERN + "eligibility/", S, EDIT, url=SUBJECT_PAGE + "eligibility/", data={}),
    page(
        "POST",
        SUBJECT_PATTERN + "eligibility/confirm/",
        S,
        Perm.SIGNOFF,
        url=SUBJECT_PAGE + "eligibility/confirm/",
        data={"password": PASSWORD},
    ),
    page("POST", SUBJECT_PATTERN + "screen-fail/", S, EDIT, url=SUBJECT_PAGE + "screen-fail/", data={"reason": "m"}),
    page("POST", SUBJECT_PATTERN + "enrol/", S, EDIT, url=SUBJECT_PAGE + "enrol/", data={"enrolled_on": SIGNED}),
    page(
        "POST",
        SUBJECT_PATTERN + "withdraw/",
        S,
        EDIT,
        url=SUBJECT_PAGE + "withdraw/",
        data={"withdrawn_on": SIGNED, "scope": "treatment", "data_may_be_used": "yes"},
        ok=302,
    ),
]

API: list = [
    api("GET", SUBJECT_API, S, VIEW, url=SUBJECT_API_URL),
    api(
        "POST",
        API_PATH + "/subjects/screen",
        S,
        EDIT,
        url=API_URL + "/subjects/screen",
        data={"site_id": "{site}", "form_id": "{icf_v2}", **PAPER_SCREEN},
        ok=201,
    ),
    api(
        "POST",
        SUBJECT_API + "/consents",
        S,
        EDIT,
        url=SUBJECT_API_URL + "/consents",
        data={"form_id": "{icf_ja}", **PAPER_SCREEN},
        ok=201,
    ),
    api(
        "PUT", SUBJECT_API + "/eligibility", S, EDIT, url=SUBJECT_API_URL + "/eligibility", data={"answers": []}, ok=422
    ),
    api(
        "POST",
        SUBJECT_API + "/eligibility/confirm",
        S,
        Perm.SIGNOFF,
        url=SUBJECT_API_URL + "/eligibility/confirm",
        data={"password": PASSWORD},
        ok=422,
    ),
    api(
        "POST",
        SUBJECT_API + "/screen-fail",
        S,
        EDIT,
        url=SUBJECT_API_URL + "/screen-fail",
        data={"reason": "m"},
        ok=422,
    ),
    api("POST", SUBJECT_API + "/enrol", S, EDIT, url=SUBJECT_API_URL + "/enrol", data={"enrolled_on": SIGNED}, ok=422),
    api(
        "POST",
        SUBJECT_API + "/withdrawals",
        S,
        EDIT,
        url=SUBJECT_API_URL + "/withdrawals",
        data={"withdrawn_on": SIGNED, "scope": "follow_up", "data_may_be_used": True},
        ok=201,
    ),
    api("GET", FORMS_API, S, VIEW, url=FORMS_API_URL),
    api("GET", FORMS_API + "/{form_id}", S, VIEW, url=FORMS_API_URL + "/{icf_v2}"),
    api(
        "POST",
        FORMS_API,
        S,
        Perm.STUDY_EDIT,
        url=FORMS_API_URL,
        data={"version": "M-api", "language": "en", "title": "Matrix ICF", "text": "Matrix"},
        ok=201,
    ),
    _form_api("ethics-approval", "icf_ethics_api", {"committee": "Matrix IRB", "approved_on": SIGNED}),
    _form_api("approve", "icf_draft_api", {"password": PASSWORD}),
    _form_api("retire", "icf_retire_api", {"reason": "matrix"}),
    api("GET", API_PATH + "/prescreening", S, VIEW, url=API_URL + "/prescreening"),
    api(
        "POST",
        API_PATH + "/prescreening",
        S,
        EDIT,
        url=API_URL + "/prescreening",
        data={"site_id": "{site}", "logged_on": SIGNED, "source": "referral", "outcome": "screened"},
        ok=201,
    ),
]

MODULES: dict = {
    "pt_screening": screening,
    "pt_consent": consent,
    "pt_consent_forms": consent_forms,
    "pt_eligibility": eligibility,
    "pt_withdrawal": withdrawal,
    "pt_prescreening": prescreening,
}
EXEMPT: dict[str, str] = {
    "pt_screening.enrolment_blockers": "a read: what keeps a subject from enrolment",
    "pt_consent.form_applies": "a read: whether a version's scope covers a site",
    "pt_consent.consent_validate": "a check without writes, run inside consent_sign and participant_screen",
    "pt_consent.consent_write": "runs inside consent_sign and participant_screen, which checked permission",
    "pt_consent_forms.scope_label": "a read: a version's scope in words",
}
INVESTIGATOR = RoleCode.INVESTIGATOR


def _form(w, name: str) -> ConsentForm:
    return ConsentForm.objects.get(pk=w.ids[name])


def _in_screening(w) -> Subject:
    """A new participant at A1 in screening (made without an actor, inside the case's rolled-back savepoint)."""
    return screening.participant_screen(
        actor=None, site=w.site_a, form=_form(w, "icf_v2"), method="paper", paper_signed_on=dt.date(2026, 3, 1)
    )


def _all_answers(w) -> dict[int, str]:
    return {
        c.pk: ("met" if c.kind == "inclusion" else "not_met")
        for c in EligibilityCriterion.objects.filter(study=w.study)
    }


def _eligible(w) -> Subject:
    subject = _in_screening(w)
    eligibility.eligibility_confirm(actor=None, subject=subject, password="", answers=_all_answers(w))
    return Subject.objects.get(pk=subject.pk)


CASES: list = [
    Case(
        "pt_screening.participant_screen",
        lambda w, u: screening.participant_screen(
            actor=u, site=w.site_a, form=_form(w, "icf_v2"), method="paper", paper_signed_on=dt.date(2026, 3, 1)
        ),
        EDIT,
        INVESTIGATOR,
    ),
    Case(
        "pt_screening.participant_enrol",
        lambda w, u: screening.participant_enrol(actor=u, subject=_eligible(w), enrolled_on=dt.date(2026, 3, 2)),
        EDIT,
        INVESTIGATOR,
    ),
    Case(
        "pt_consent.consent_sign",
        lambda w, u: consent.consent_sign(
            actor=u, subject=w.subject_a, form=_form(w, "icf_ja"), method="paper", paper_signed_on=dt.date(2026, 3, 1)
        ),
        EDIT,
        INVESTIGATOR,
    ),
    Case(
        "pt_consent_forms.consent_form_create",
        lambda w, u: consent_forms.consent_form_create(
            actor=u, study=w.study, version="M-case", language="en", title="Matrix", text="Matrix"
        ),
        Perm.STUDY_EDIT,
    ),
    Case(
        "pt_consent_forms.consent_form_ethics_record",
        lambda w, u: consent_forms.consent_form_ethics_record(
            actor=u, form=_form(w, "icf_ethics"), committee="IRB", approved_on=dt.date(2026, 3, 1)
        ),
        Perm.STUDY_EDIT,
    ),
    Case(
        "pt_consent_forms.consent_form_approve",
        lambda w, u: consent_forms.consent_form_approve(actor=u, form=_form(w, "icf_draft"), password=PASSWORD),
        Perm.STUDY_EDIT,
    ),
    Case(
        "pt_consent_forms.consent_form_retire",
        lambda w, u: consent_forms.consent_form_retire(actor=u, form=_form(w, "icf_retire"), reason="r"),
        Perm.STUDY_EDIT,
    ),
    Case(
        "pt_eligibility.eligibility_record",
        lambda w, u: eligibility.eligibility_record(actor=u, subject=_in_screening(w), answers=_all_answers(w)),
        EDIT,
        INVESTIGATOR,
    ),
    Case(
        "pt_eligibility.eligibility_confirm",
        lambda w, u: eligibility.eligibility_confirm(
            actor=u, subject=_in_screening(w), password=PASSWORD, answers=_all_answers(w)
        ),
        Perm.SIGNOFF,
        INVESTIGATOR,
    ),
    Case(
        "pt_withdrawal.consent_withdraw",
        lambda w, u: withdrawal.consent_withdraw(
            actor=u, subject=w.subject_a, withdrawn_on=dt.date(2026, 3, 2), scope="treatment", data_may_be_used=True
        ),
        EDIT,
        INVESTIGATOR,
    ),
    Case(
        "pt_prescreening.prescreening_log",
        lambda w, u: prescreening.prescreening_log(
            actor=u, site=w.site_a, logged_on=dt.date(2026, 3, 1), source="clinic", outcome="other"
        ),
        EDIT,
        INVESTIGATOR,
    ),
]


def _version(w, version: str, language: str, *, ethics: bool = True, approve: bool = True, pdf: bool = False):
    form = consent_forms.consent_form_create(
        actor=None,
        study=w.study,
        version=version,
        language=language,
        title=f"ICF {version}",
        text="You are invited to take part.",
        document=b"%PDF-1.4\n%%EOF\n" if pdf else None,
        document_name="icf.pdf" if pdf else "",
    )
    if ethics:
        consent_forms.consent_form_ethics_record(
            actor=None, form=form, committee="Central IRB", approved_on=dt.date(2025, 12, 1)
        )
    if ethics and approve:
        consent_forms.consent_form_approve(actor=None, form=form, password="")
    return form.pk


def world_data(w) -> None:
    """Consent forms (1.0 signed by both world subjects, superseded by 2.0; 1.0-ja) and one version per action."""
    v1 = ConsentForm.objects.get(pk=_version(w, "1.0", "en"))
    for subject in (w.subject_a, w.subject_b):
        consent.consent_sign(actor=None, subject=subject, form=v1, method="paper", paper_signed_on=dt.date(2026, 2, 1))
    w.ids.update(
        icf_v1=v1.pk,
        icf_v2=_version(w, "2.0", "en"),
        icf_ja=_version(w, "1.0-ja", "ja"),
        icf_draft=_version(w, "0.9-fr", "fr", approve=False, pdf=True),
        icf_draft_api=_version(w, "0.9-pt", "pt", approve=False),
        icf_ethics=_version(w, "0.8-de", "de", ethics=False),
        icf_ethics_api=_version(w, "0.8-nl", "nl", ethics=False),
        icf_retire=_version(w, "1.0-it", "it"),
        icf_retire_api=_version(w, "1.0-pl", "pl"),
    )
