"""The safety worklist, the case form with its workflow actions, and manual intake, as a browser uses them."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

from opencro import urls as project_urls
from opencro.accounts.permissions import RoleCode
from opencro.safety.models import (
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseProduct,
    CaseSource,
    CaseStatus,
    CaseSubmission,
    CaseVersion,
    SafetyCase,
    VersionState,
)
from opencro.safety.selectors import case_due_rows
from opencro.safety.services.content import case_part_save, case_version_update
from opencro.safety.services.intake import CaseIntake, EventInput, ReporterInput, case_create
from opencro.safety.services.workflow import case_version_advance, case_version_approve
from opencro.safety.views import cases as case_views
from opencro.safety.views.cases import due_clock
from opencro.studies.dates import site_today
from tests.conftest import PASSWORD
from tests.safety.conftest import report_sae

pytestmark = pytest.mark.django_db

SAFETY_PREFIX = "studies/<int:study_id>/safety/"
# the project's URLs with only this module's safety pages (as before the edit and setup pages existed)
urlpatterns = [
    path(SAFETY_PREFIX, include((case_views.urls, "safety"))) if str(p.pattern) == SAFETY_PREFIX else p
    for p in project_urls.urlpatterns
]
# testid of a link to another safety page -> that page's url name and whether it takes the case's row
OTHER_PAGES = {
    "patient-edit": ("patient_edit", None),
    "version-edit": ("version_edit", None),
    "event-add": ("event_add", None),
    "product-add": ("product_add", None),
    "event-edit": ("event_edit", "event"),
    "causality-edit": ("causality_edit", "pair"),
}


def _page(world, tail: str = "") -> str:
    return f"/studies/{world.study.pk}/safety/{tail}"


def _case_url(world, case, tail: str = "") -> str:
    return _page(world, f"cases/{case.pk}/{tail}")


def _physician(world, login):
    return login(world.user(RoleCode.SAFETY_PHYSICIAN))


def _version(case) -> CaseVersion:
    return CaseVersion.objects.get(case=case, latest=True)


def _site_b_case(world) -> SafetyCase:
    """A spontaneous report about subject B1-001 (site B), entered by the safety physician."""
    return case_create(
        actor=world.users["safety_physician"],
        study=world.study,
        intake=CaseIntake(
            source=CaseSource.SPONTANEOUS,
            received_on=timezone.localdate(),
            events=[EventInput("Rash", onset="2026-11", flags=frozenset({"medically_important"}))],
            products=[],
            reporter=ReporterInput(family_name="Moreau", qualification="1", country="FR"),
        ),
        subject=world.subject_b,
    )


def _to_review(world, case) -> CaseVersion:
    """Triage, data entry and coding done; the company's causality recorded: the version awaits approval."""
    physician = world.users["safety_physician"]
    version = _version(case)
    for pair in CaseDrugEvent.objects.filter(version=version):
        case_part_save(
            actor=physician, part=CaseCausality(version=version, pair=pair, source="company", result="related")
        )
    for state in (VersionState.DATA_ENTRY, VersionState.CODING, VersionState.MEDICAL_REVIEW):
        version = case_version_advance(actor=physician, version=version, to_state=state)
    return version


def _approved(world, case) -> CaseVersion:
    version = _to_review(world, case)
    return case_version_approve(actor=world.users["safety_physician"], version=version, password=PASSWORD)


def _rows_in_order(body: str) -> list[str]:
    return re.findall(r'data-testid="case-row-([^"]+)"', body)


# ---- pages render; who sees what ----------------------------------------------------------------------------------


def test_every_page_renders_for_the_safety_physician(safety_world, login):
    case = report_sae(safety_world, "Pyrexia", criteria="DTH", outcome="FATAL")
    client = _physician(safety_world, login)
    worklist = client.get(_page(safety_world))
    body = worklist.content.decode()
    assert worklist.status_code == 200 and 'data-testid="case-row-T-001-S0001"' in body
    assert 'data-testid="new-case"' in body  # safety.edit
    page = client.get(_case_url(safety_world, case))
    body = page.content.decode()
    assert page.status_code == 200
    for testid in ("workflow", "due-table", "patient", "reporters", "events", "products", "matrix", "narrative"):
        assert f'data-testid="{testid}"' in body, testid
    assert "Pyrexia" in body and "Results in death" in body  # the event, its seriousness
    assert "unexpected" in body and "Pyrexia is not listed in Cardiozan" in body  # expectedness with its basis
    assert 'data-step="triage" data-status="current"' in body
    due = case_due_rows(case)[0]
    fda = next(r.due for r in due if r.due.recipient == "FDA")
    assert (fda.due_on - fda.day0).days == 7  # 21 CFR 312.32(c)(2): fatal unexpected suspected reaction
    assert f'data-due="FDA-IND/FDA/{fda.kind}/1"' in body and fda.due_on.isoformat() in body
    new = client.get(_page(safety_world, "cases/new/"))
    assert new.status_code == 200 and 'data-testid="intake-form"' in new.content.decode()


def test_investigator_sees_own_site_only_and_monitor_is_refused(safety_world, login):
    mine = report_sae(safety_world, "Pyrexia")
    theirs = _site_b_case(safety_world)
    investigator = login(safety_world.user(RoleCode.INVESTIGATOR))
    body = investigator.get(_page(safety_world)).content.decode()
    assert _rows_in_order(body) == [mine.number]
    assert 'data-testid="new-case"' not in body  # no safety.edit
    assert investigator.get(_case_url(safety_world, mine)).status_code == 200
    assert investigator.get(_case_url(safety_world, theirs)).status_code == 404
    assert investigator.post(_case_url(safety_world, mine, "advance/"), {"to_state": "data_entry"}).status_code == 403
    assert investigator.get(_page(safety_world, "cases/new/")).status_code == 403
    monitor = login(safety_world.user(RoleCode.MONITOR))  # site A, but no safety.view
    assert monitor.get(_page(safety_world)).status_code == 403
    assert monitor.get(_case_url(safety_world, mine)).status_code == 403


# ---- the worklist -------------------------------------------------------------------------------------------------


def test_worklist_filters_and_sorts_overdue_first(safety_world, login):
    physician = safety_world.users["safety_physician"]
    today = timezone.localdate()
    fatal = report_sae(safety_world, "Pyrexia", criteria="DTH", outcome="FATAL")  # FDA 7-day report
    late = report_sae(safety_world, "Rash", repeat=2)  # unlisted, related, serious: FDA 15-day report
    # the report was in fact known 20 days ago: its 15-day report fell due 5 days ago
    case_version_update(
        actor=physician,
        version=_version(late),
        changes={"minimum_criteria_on": today - dt.timedelta(days=20)},
        reason="the site's fax was found",
    )
    spontaneous = _site_b_case(safety_world)  # no causality yet: nothing due
    late_due, fatal_due = _version(late).next_due_on, _version(fatal).next_due_on
    # 21 CFR 312.32(c)(1): 15 calendar days from day 0, 20 days ago; (c)(2): 7 days for the fatal one, from today
    day0 = site_today(safety_world.site_a)  # an EDC case is received on the site's date (Chicago)
    assert (late_due, fatal_due) == (today - dt.timedelta(days=5), day0 + dt.timedelta(days=7))
    assert _version(spontaneous).next_due_on is None
    client = _physician(safety_world, login)
    body = client.get(_page(safety_world)).content.decode()
    assert _rows_in_order(body) == [late.number, fatal.number, spontaneous.number]  # overdue first; nothing due last
    overdue_days = (today - late_due).days
    assert overdue_days == 5 and "5 days overdue" in body
    assert re.search(rf'data-testid="case-row-{late.number}" data-clock="overdue" class="overdue"', body)
    left = (fatal_due - today).days  # 7, or 6 while Chicago is still a day behind UTC
    assert f'data-testid="case-row-{fatal.number}" data-clock="ok"' in body and f"{left} days left" in body
    assert 'data-state="triage">Triage 3<' in body
    assert _rows_in_order(client.get(_page(safety_world), {"overdue": "on"}).content.decode()) == [late.number]
    assert _rows_in_order(client.get(_page(safety_world), {"sort": "number"}).content.decode()) == [
        fatal.number,
        late.number,
        spontaneous.number,
    ]
    by_site = client.get(_page(safety_world), {"site": safety_world.site_b.pk}).content.decode()
    assert _rows_in_order(by_site) == [spontaneous.number]
    assert _rows_in_order(client.get(_page(safety_world), {"source": "spontaneous"}).content.decode()) == [
        spontaneous.number
    ]
    assert _rows_in_order(client.get(_page(safety_world), {"q": fatal.number[-5:]}).content.decode()) == [fatal.number]
    case_version_advance(actor=physician, version=_version(fatal), to_state=VersionState.DATA_ENTRY)
    by_state = client.get(_page(safety_world), {"state": "data_entry"}).content.decode()
    assert _rows_in_order(by_state) == [fatal.number] and 'data-state="data_entry">Data entry 1<' in by_state
    # a value that does not parse filters nothing
    assert len(_rows_in_order(client.get(_page(safety_world), {"site": "x", "sort": "?"}).content.decode())) == 3


def test_due_clock_colours():
    today = dt.date(2026, 11, 26)
    assert due_clock(None, today) == (None, "")
    assert due_clock(dt.date(2026, 11, 25), today) == (-1, "overdue")
    assert due_clock(today, today) == (0, "soon")
    assert due_clock(dt.date(2026, 11, 28), today) == (2, "soon")  # amber up to two days left
    assert due_clock(dt.date(2026, 11, 29), today) == (3, "ok")


def _queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


def test_worklist_pages_with_a_fixed_number_of_queries(safety_world, login, monkeypatch):
    client = _physician(safety_world, login)
    report_sae(safety_world, "Pyrexia", repeat=1)
    one = _queries(client, _page(safety_world), {"sort": "number"}), _queries(client, _page(safety_world), {"q": "S"})
    for repeat, term in enumerate(("Rash", "Cough"), start=2):
        report_sae(safety_world, term, repeat=repeat)
    three = _queries(client, _page(safety_world), {"sort": "number"}), _queries(client, _page(safety_world), {"q": "S"})
    assert one == three  # rows come with their case, site, subject and seriousness in the page's queries
    monkeypatch.setattr(case_views, "PAGE_SIZE", 2)
    first = client.get(_page(safety_world), {"sort": "number"}).content.decode()
    second = client.get(_page(safety_world), {"sort": "number", "page": 2}).content.decode()
    assert _rows_in_order(first) == ["T-001-S0001", "T-001-S0002"] and "1 / 2" in first
    assert "sort=number&amp;page=2" in first
    assert _rows_in_order(second) == ["T-001-S0003"]


def test_links_to_the_edit_pages_only_when_they_exist(safety_world, login):
    case = report_sae(safety_world, "Pyrexia")
    version = _version(case)
    rows = {"event": CaseEvent.objects.get(version=version).pk, "pair": CaseDrugEvent.objects.get(version=version).pk}
    client = _physician(safety_world, login)
    body = client.get(_case_url(safety_world, case)).content.decode()
    for testid, (name, row) in OTHER_PAGES.items():
        args = [safety_world.study.pk, case.pk, *([rows[row]] if row else [])]
        try:
            url = reverse(f"safety:{name}", args=args)
        except NoReverseMatch:
            assert f'data-testid="{testid}"' not in body, testid
        else:
            assert f'<a href="{url}"' in body and f'data-testid="{testid}"' in body, testid
    with override_settings(ROOT_URLCONF=__name__):
        alone = client.get(_case_url(safety_world, case))
        worklist = client.get(_page(safety_world)).content.decode()
    assert alone.status_code == 200 and 'data-testid="workflow"' in alone.content.decode()
    assert not any(f'data-testid="{testid}"' in alone.content.decode() for testid in OTHER_PAGES)
    assert 'data-testid="new-case"' in worklist and "/safety/setup/" not in worklist


# ---- workflow actions ---------------------------------------------------------------------------------------------


def test_advance_shows_the_blockers_then_moves_on(safety_world, login):
    physician = safety_world.users["safety_physician"]
    no_product = case_create(
        actor=physician,
        study=safety_world.study,
        intake=CaseIntake(
            source=CaseSource.LITERATURE,
            received_on=timezone.localdate(),
            events=[EventInput("Rash")],
            products=[],
            reporter=ReporterInput(family_name="Moreau", qualification="1"),
        ),
    )
    client = _physician(safety_world, login)
    page = client.get(_case_url(safety_world, no_product)).content.decode()
    assert 'data-testid="blockers"' in page and "Not a valid case yet" in page
    refused = client.post(_case_url(safety_world, no_product, "advance/"), {"to_state": "data_entry"})
    assert refused.status_code == 200 and 'data-testid="form-errors"' in refused.content.decode()
    assert "Not a valid case yet" in refused.content.decode() and _version(no_product).state == VersionState.TRIAGE
    case = report_sae(safety_world, "Pyrexia")
    done = client.post(_case_url(safety_world, case, "advance/"), {"to_state": "data_entry"})
    assert done.status_code == 302 and done.url == _case_url(safety_world, case)
    assert _version(case).state == VersionState.DATA_ENTRY


def test_send_back_needs_a_reason(safety_world, login):
    case = report_sae(safety_world, "Pyrexia")
    case_version_advance(
        actor=safety_world.users["safety_physician"], version=_version(case), to_state=VersionState.DATA_ENTRY
    )
    client = _physician(safety_world, login)
    refused = client.post(_case_url(safety_world, case, "back/"), {"to_state": "triage", "reason": ""})
    assert refused.status_code == 200 and "Say why the case goes back." in refused.content.decode()
    assert _version(case).state == VersionState.DATA_ENTRY
    done = client.post(_case_url(safety_world, case, "back/"), {"to_state": "triage", "reason": "reporter unclear"})
    assert done.status_code == 302 and _version(case).state == VersionState.TRIAGE


def test_approval_with_the_password(safety_world, login):
    case = report_sae(safety_world, "Pyrexia")
    _to_review(safety_world, case)
    client = _physician(safety_world, login)
    page = client.get(_case_url(safety_world, case)).content.decode()
    assert 'data-testid="approve-form"' in page and 'data-testid="advance-form"' not in page
    wrong = client.post(_case_url(safety_world, case, "approve/"), {"password": "not-it"})
    body = wrong.content.decode()
    assert wrong.status_code == 200 and "The password is not correct" in body
    assert body.index("The password is not correct") > body.index('data-testid="approve-form"')  # beside its form
    assert _version(case).state == VersionState.MEDICAL_REVIEW
    done = client.post(_case_url(safety_world, case, "approve/"), {"password": PASSWORD})
    assert done.status_code == 302 and _version(case).state == VersionState.APPROVED
    page = client.get(_case_url(safety_world, case)).content.decode()
    assert 'data-testid="signature"' in page and 'data-testid="submission-form"' in page
    # an investigator (esign.sign but no safety.edit) never sees the approval form
    investigator = login(safety_world.user(RoleCode.INVESTIGATOR))
    assert 'data-testid="approve-form"' not in investigator.get(_case_url(safety_world, case)).content.decode()


def test_submission_and_acknowledgement_then_frozen(safety_world, login):
    case = report_sae(safety_world, "Pyrexia", criteria="DTH", outcome="FATAL")
    version = _approved(safety_world, case)
    fda = next(r.due for r in case_due_rows(case)[0] if r.due.recipient == "FDA")
    fields = {
        "version": version.number,
        "rule_set": fda.rule_set,
        "rule": fda.rule,
        "recipient": fda.recipient,
        "kind": fda.kind,
        "fmt": "e2b",
        "message_id": "MSG-1",
    }
    client = _physician(safety_world, login)
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused = client.post(_case_url(safety_world, case, "submissions/"), {**fields, "submitted_on": future})
    assert refused.status_code == 200 and "A submission date cannot be in the future." in refused.content.decode()
    assert not CaseSubmission.objects.exists()
    today = timezone.localdate().isoformat()
    done = client.post(_case_url(safety_world, case, "submissions/"), {**fields, "submitted_on": today})
    assert done.status_code == 302
    submission = CaseSubmission.objects.get()
    assert submission.message_id == "MSG-1" and _version(case).frozen
    page = client.get(_case_url(safety_world, case)).content.decode()
    assert 'data-testid="frozen"' in page and 'data-status="on time"' in page and "MSG-1" in page
    edits = ("event-edit", "event-add", "version-edit", "patient-edit", "product-add", "causality-edit", "reporter-add")
    for form in ("approve-form", "advance-form", "back-form", *edits):
        assert f'data-testid="{form}"' not in page, form  # a frozen version has no edit actions
    assert 'data-testid="submission-form"' in page  # the other recipients' reports can still be recorded
    ack_url = _case_url(safety_world, case, f"submissions/{submission.pk}/ack/")
    before = (submission.submitted_on - dt.timedelta(days=1)).isoformat()
    refused = client.post(ack_url, {"batch_code": "AA", "case_code": "CA", "received_on": before})
    assert refused.status_code == 200 and "An acknowledgement cannot precede the submission." in (
        refused.content.decode()
    )
    done = client.post(ack_url, {"batch_code": "AA", "case_code": "CA", "received_on": today, "text": "ok"})
    assert done.status_code == 302
    assert 'data-testid="ack"' in client.get(_case_url(safety_world, case)).content.decode()
    assert CaseSubmission.objects.get().ack_code == "CA"


def test_follow_up_from_the_page(safety_world, login):
    case = report_sae(safety_world, "Pyrexia")
    version = _approved(safety_world, case)
    client = _physician(safety_world, login)
    assert 'data-testid="followup-form"' in client.get(_case_url(safety_world, case)).content.decode()
    before = (version.received_on - dt.timedelta(days=1)).isoformat()
    refused = client.post(_case_url(safety_world, case, "follow-up/"), {"received_on": before, "significant": "yes"})
    assert refused.status_code == 200
    assert "A follow-up cannot be received before the version it follows." in refused.content.decode()
    today = timezone.localdate().isoformat()
    done = client.post(_case_url(safety_world, case, "follow-up/"), {"received_on": today, "significant": "no"})
    assert done.status_code == 302
    follow_up = _version(case)
    assert follow_up.number == 2 and not follow_up.significant
    page = client.get(_case_url(safety_world, case)).content.decode()
    assert 'href="?v=1"' in page and 'data-step="triage" data-status="current"' in page
    first = client.get(_case_url(safety_world, case), {"v": 1}).content.decode()
    assert 'data-testid="frozen"' in first and 'data-testid="old-version"' in first
    assert 'data-testid="advance-form"' not in first


def test_mark_as_duplicate(safety_world, login):
    first = report_sae(safety_world, "Pyrexia", repeat=1)
    second = report_sae(safety_world, "Pyrexia", repeat=2)  # same subject, product, event and onset
    client = _physician(safety_world, login)
    page = client.get(_case_url(safety_world, second)).content.decode()
    assert f'data-duplicate="{first.number}"' in page and "same patient" in page
    url = _case_url(safety_world, second, "duplicate/")
    refused = client.post(url, {"of_case": first.pk, "reason": " "})
    assert refused.status_code == 200 and "Say why the cases are the same." in refused.content.decode()
    done = client.post(url, {"of_case": first.pk, "reason": "the site entered the SAE twice"})
    assert done.status_code == 302
    second.refresh_from_db()
    assert second.status == CaseStatus.DUPLICATE and second.duplicate_of == first
    assert 'data-testid="case-status"' in client.get(_case_url(safety_world, second)).content.decode()


def test_the_24_hour_site_clock_in_the_header(safety_world, login):
    today = timezone.localdate()
    late = report_sae(safety_world, "Pyrexia", **{"IT.AEAWDAT": (today - dt.timedelta(days=3)).isoformat()})
    days = (late.reported_at.date() - late.site_aware_on).days
    body = _physician(safety_world, login).get(_case_url(safety_world, late)).content.decode()
    assert f"Reported {days} days after the site became aware" in body


# ---- manual intake ------------------------------------------------------------------------------------------------


def _intake(world, **changes) -> dict:
    data = {
        "source": "spontaneous",
        "received_on": timezone.localdate().isoformat(),
        "subject": world.subject_b.pk,
        "reporter_family_name": "Moreau",
        "reporter_qualification": "1",
        "reporter_country": "fr",
        "patient_initials": "JD",
        "patient_sex": "2",
        "product": world.product.pk,
        "narrative": "Rash two days after the first dose.",
        "event-TOTAL_FORMS": "3",
        "event-INITIAL_FORMS": "0",
        "event-MIN_NUM_FORMS": "1",
        "event-MAX_NUM_FORMS": "20",
        "event-0-verbatim": "Rash all over",
        "event-0-onset": "2026-11",
        "event-0-outcome": "2",
        "event-0-flags": ["medically_important", "hospitalisation"],
        "event-1-outcome": "0",
        "event-2-verbatim": "Itching",
        "event-2-outcome": "0",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_new_case_form_creates_a_case(safety_world, login):
    client = _physician(safety_world, login)
    response = client.post(_page(safety_world, "cases/new/"), _intake(safety_world))
    assert response.status_code == 302
    case = SafetyCase.objects.get()
    assert response.url == _case_url(safety_world, case)
    assert case.source == CaseSource.SPONTANEOUS and case.subject == safety_world.subject_b
    assert case.site == safety_world.site_b
    events = list(CaseEvent.objects.filter(version__case=case).order_by("key"))
    assert [(e.key, e.verbatim, e.onset) for e in events] == [("E1", "Rash all over", "2026-11"), ("E2", "Itching", "")]
    assert events[0].hospitalisation and events[0].medically_important and not events[1].serious
    product = CaseProduct.objects.get(version__case=case)
    assert (product.name, product.product) == ("Cardiozan", safety_world.product)
    assert _version(case).narrative == "Rash two days after the first dose."


def test_new_case_form_with_a_typed_product(safety_world, login):
    client = _physician(safety_world, login)
    data = _intake(safety_world, product=None, product_name="Aspirin", subject=None)
    assert client.post(_page(safety_world, "cases/new/"), data).status_code == 302
    product = CaseProduct.objects.get()
    assert (product.name, product.product) == ("Aspirin", None)
    assert SafetyCase.objects.get().site is None


def test_new_case_form_refuses_bad_input_naming_the_field(safety_world, login):
    client = _physician(safety_world, login)
    url = _page(safety_world, "cases/new/")
    no_date = client.post(url, _intake(safety_world, received_on=""))
    body = no_date.content.decode()
    assert no_date.status_code == 200 and 'data-field="received_on">Received on: This field is required.' in body
    no_event = client.post(url, _intake(safety_world, **{"event-0-verbatim": "", "event-2-verbatim": ""}))
    body = no_event.content.decode()
    assert no_event.status_code == 200 and "Event 1, Reported term: This field is required." in body
    bad_onset = client.post(url, _intake(safety_world, **{"event-0-onset": "2026-13"}))
    body = bad_onset.content.decode()
    assert bad_onset.status_code == 200 and re.search(
        r'data-field="onset">Onset[^:]*: [^<]*month must be 01 to 12', body
    )
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    body = client.post(url, _intake(safety_world, received_on=future)).content.decode()
    assert "Received on: The receipt date cannot be in the future." in body
    assert not SafetyCase.objects.exists()  # nothing half-written
