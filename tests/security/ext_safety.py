"""Security-sweep rows for the safety part (see tests/security/extensions.py).

World (`world_data`): the study follows FDA-IND and has a product `{safety_product}` (investigational) with an RSI
listing Nausea only, so a case coded to Headache is unexpected. Per site (`w.edc[site]`, placeholders `{sf_*}`):
`{sf_case}` is the SAE the site's subject reports in the EDC (AE row 9 of the AE form, serious), in triage. At A1
the edit rows change its rows and delete, pair and assess spares of it; each row that moves a case on, approves,
follows up, marks a duplicate or records a submission acts on a manual case of its own, taken as far as the row
needs it (rows that cannot disturb each other share one, see `_site_a`), so the rows are free of order. At B1 every
`{sf_*}` names the SAE, one of its rows or one reported case: those variants are only ever refused (404).
`{safety_today}` is today; `{safety_recon_item}` a reconciliation difference. The RSI rows add versions in force
from 2030 on: an RSI in force today would re-assess the open cases and send the approved ones back to review. The
world is kept small: the audit trail's PDF export (a matrix row) refuses a study with more than 5000 records.

Reads need safety.view; writes safety.edit (the only holder: the safety physician; approval also esign.sign, which
that role holds). `{sf_*}` placeholders name site objects (matrix.SITE_OBJECTS needs "{sf_"); the set-up rows
name none. The reconciliation and DSUR pages are study-wide only (the A1 investigator, who holds safety.view, gets
403) and reconciliation opens to an any-of rule (safety.view or data.review to read; safety.edit or data.review to
run and explain): a row's one `perm` states neither, so they are baseline rows (`full=False`), and the two
reconciliation services are in EXEMPT with their rule.
"""

import datetime as dt
import json

from django.utils import timezone

from opencro.accounts.permissions import Perm, RoleCode
from opencro.audit.services import audited_save
from opencro.coding.models import DictionaryTerm
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.formats.e2b.ack import Acknowledgement, MessageAck, write_ack
from opencro.safety.facts import case_clock
from opencro.safety.models import (
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseHistory,
    CaseLabResult,
    CasePatient,
    CaseProduct,
    CaseReporter,
    CaseSource,
    CaseSubmission,
    CaseVersion,
    ProductKind,
    ReferenceSafetyInformation,
    SafetyCase,
    SafetyProduct,
    VersionState,
)
from opencro.safety.services import content as safety_content
from opencro.safety.services import e2b as safety_e2b
from opencro.safety.services import intake as safety_intake
from opencro.safety.services import reconciliation as safety_reconciliation
from opencro.safety.services import reporting as safety_reporting
from opencro.safety.services import rsi as safety_rsi
from opencro.safety.services import workflow as safety_workflow
from tests.conftest import PASSWORD
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, V, E = Access.STUDY, Perm.SAFETY_VIEW, Perm.SAFETY_EDIT
PHYSICIAN = RoleCode.SAFETY_PHYSICIAN
PATTERN = "studies/<int:study_id>/safety/"
PAGE = "/studies/{study}/safety/"
CASE_PATTERN = PATTERN + "cases/<int:case_id>/"
API_PATH = "/api/v1/studies/{study_id}/safety"
API_URL = "/api/v1/studies/{study}/safety"
CASE_API = API_PATH + "/cases/{case_id}"
REASON = {"reason": "matrix"}
RSI_FROM = dt.date(2026, 1, 1)


def _case_page(case: str, tail: str = "") -> str:
    return f"{PAGE}cases/{{{case}}}/{tail}"


def _case_api(case: str, tail: str = "") -> str:
    return f"{API_URL}/cases/{{{case}}}{tail}"


def _rule_set_document(code: str) -> dict:
    """A study's own rule set: one 15-day initial report of SUSARs to an ethics committee."""
    return {
        "format": 1,
        "code": code,
        "name": f"Matrix rule set {code}",
        "authority": "Matrix ethics committee",
        "countries": [],
        "recipients": [{"code": "ethics-committee", "name": "Ethics committee"}],
        "reference": "ICH E2A III.A.2 period applied by the committee",
        "example": True,
        "rules": [
            {
                "id": "ec-15-day",
                "recipient": "ethics-committee",
                "kind": "initial",
                "conditions": {"susar": True},
                "clock": {"days": 15, "from": "day0"},
                "reference": "ICH E2A III.A.2",
            }
        ],
    }


def _row_pages(kind: str, folder: str, add: dict, edit: dict, row: str) -> list:
    """Add (GET, POST), edit (GET, POST) and delete of one kind of row of `{sf_case}`'s latest version."""
    base = CASE_PATTERN + folder + "/"
    item = f"{base}<int:{kind}_id>/"
    return [
        page("GET", base + "add/", S, E, url=_case_page("sf_case", f"{folder}/add/")),
        page("POST", base + "add/", S, E, url=_case_page("sf_case", f"{folder}/add/"), data=add, ok=302),
        page("GET", item, S, E, url=_case_page("sf_case", f"{folder}/{{{row}}}/")),
        page("POST", item, S, E, url=_case_page("sf_case", f"{folder}/{{{row}}}/"), data=edit, ok=302),
        page(
            "POST",
            item + "delete/",
            S,
            E,
            url=_case_page("sf_case", f"{folder}/{{sf_{kind}_del_page}}/delete/"),
            data=REASON,
            ok=302,
        ),
    ]


SUBMISSION = {
    "rule_set": "{sf_due_rule_set}",
    "rule": "{sf_due_rule}",
    "recipient": "{sf_due_recipient}",
    "kind": "{sf_due_kind}",
    "submitted_on": "{safety_today}",
}
ACK = {"batch_code": "AA", "case_code": "CA", "received_on": "{safety_today}"}
INTAKE_PAGE = {
    "source": "spontaneous",
    "received_on": "{safety_today}",
    "reporter_given_name": "Matrix",
    "reporter_qualification": "1",
    "patient_initials": "MX",
    "product_name": "Matrix drug",
    "event-TOTAL_FORMS": "1",
    "event-INITIAL_FORMS": "0",
    "event-MIN_NUM_FORMS": "1",
    "event-MAX_NUM_FORMS": "20",
    "event-0-verbatim": "Matrix rash",
    "event-0-outcome": "0",
}
VERSION_PAGE = {
    "received_on": "{sf_received}",
    "significant": "on",
    "minimum_criteria_on": "{sf_received}",
    "narrative": "Matrix narrative",
    "reason": "matrix",
}

PAGES: list = [
    page("GET", PATTERN, S, V, url=PAGE),
    page("GET", PATTERN + "cases/new/", S, E, url=PAGE + "cases/new/"),
    page("POST", PATTERN + "cases/new/", S, E, url=PAGE + "cases/new/", data=INTAKE_PAGE, ok=302),
    page("GET", CASE_PATTERN, S, V, url=_case_page("sf_case")),
    page(
        "POST",
        CASE_PATTERN + "advance/",
        S,
        E,
        url=_case_page("sf_adv_page", "advance/"),
        data={"to_state": "data_entry", "reason": ""},
        ok=302,
    ),
    page(
        "POST",
        CASE_PATTERN + "back/",
        S,
        E,
        url=_case_page("sf_back_page", "back/"),
        data={"to_state": "triage", "reason": "matrix"},
        ok=302,
    ),
    page(
        "POST",
        CASE_PATTERN + "approve/",
        S,
        E,
        url=_case_page("sf_appr_page", "approve/"),
        data={"password": PASSWORD},
        ok=302,
    ),
    page(
        "POST",
        CASE_PATTERN + "follow-up/",
        S,
        E,
        url=_case_page("sf_fu_page", "follow-up/"),
        data={"received_on": "{safety_today}", "significant": "yes", "reason": "matrix"},
        ok=302,
    ),
    page(
        "POST",
        CASE_PATTERN + "duplicate/",
        S,
        E,
        url=_case_page("sf_dup_page", "duplicate/"),
        data={"of_case": "{sf_case}", "reason": "matrix"},
        ok=302,
    ),
    page(
        "POST",
        CASE_PATTERN + "submissions/",
        S,
        E,
        url=_case_page("sf_sub_page", "submissions/"),
        data={**SUBMISSION, "version": "1", "fmt": "e2b", "message_id": ""},
        ok=302,
    ),
    page(
        "POST",
        CASE_PATTERN + "submissions/<int:submission_id>/ack/",
        S,
        E,
        url=_case_page("sf_ack_case", "submissions/{sf_ack_sub}/ack/"),
        data={**ACK, "text": ""},
        ok=302,
    ),
    # the content of {sf_case}'s latest version
    *_row_pages(
        "event",
        "events",
        {"verbatim": "Matrix event", "outcome": "0"},
        {"verbatim": "Matrix SAE", "outcome": "0", "hospitalisation": "on", "reason": "matrix"},
        "sf_event",
    ),
    page(
        "POST",
        CASE_PATTERN + "events/<int:event_id>/code/",
        S,
        E,
        url=_case_page("sf_case", "events/{sf_event}/code/"),
        data={"term": "{coding_llt}", "reason": "matrix"},
        ok=302,
    ),
    page(
        "POST",
        CASE_PATTERN + "events/<int:event_id>/expectedness/",
        S,
        E,
        url=_case_page("sf_case", "events/{sf_event}/expectedness/"),
        data={"unexpected": "yes", "basis": "matrix", "reason": "matrix"},
        ok=302,
    ),
    *_row_pages(
        "product",
        "products",
        {"role": "2", "name": "Matrix concomitant", "action_taken": "0"},
        {"role": "1", "product": "{safety_product}", "name": "Matrix product", "action_taken": "0", "reason": "m"},
        "sf_product",
    ),
    *_row_pages(
        "reporter",
        "reporters",
        {"given_name": "Matrix", "qualification": "1"},
        {"given_name": "Matrix", "family_name": "Reporter", "qualification": "1", "primary": "on", "reason": "m"},
        "sf_reporter",
    ),
    *_row_pages("test", "tests", {"test": "Matrix ALT"}, {"test": "Matrix ALT", "reason": "matrix"}, "sf_test"),
    *_row_pages(
        "history", "history", {"term": "Matrix asthma"}, {"term": "Matrix asthma", "reason": "matrix"}, "sf_history"
    ),
    page("GET", CASE_PATTERN + "patient/", S, E, url=_case_page("sf_case", "patient/")),
    page(
        "POST",
        CASE_PATTERN + "patient/",
        S,
        E,
        url=_case_page("sf_case", "patient/"),
        data={"initials": "MX", "sex": "2", "reason": "matrix"},
        ok=302,
    ),
    page("GET", CASE_PATTERN + "version/", S, E, url=_case_page("sf_case", "version/")),
    page("POST", CASE_PATTERN + "version/", S, E, url=_case_page("sf_case", "version/"), data=VERSION_PAGE, ok=302),
    page("GET", CASE_PATTERN + "pairs/add/", S, E, url=_case_page("sf_case", "pairs/add/")),
    page(
        "POST",
        CASE_PATTERN + "pairs/add/",
        S,
        E,
        url=_case_page("sf_case", "pairs/add/"),
        data={"product": "{sf_product}", "event": "{sf_event_pair_page}"},
        ok=302,
    ),
    page("GET", CASE_PATTERN + "pairs/<int:pair_id>/", S, E, url=_case_page("sf_case", "pairs/{sf_pair}/")),
    page(
        "POST",
        CASE_PATTERN + "pairs/<int:pair_id>/",
        S,
        E,
        url=_case_page("sf_case", "pairs/{sf_pair}/"),
        data={
            "part": "company",
            "company-method": "Global introspection",
            "company-result": "related",
            "company-reason": "matrix",
        },
        ok=302,
    ),
    # E2B(R3) and CIOMS I out; files in (a row's form data cannot carry a file: the page comes back, 200)
    page("GET", CASE_PATTERN + "e2b.xml", S, V, url=_case_page("sf_ack_case", "e2b.xml")),
    page("GET", CASE_PATTERN + "e2b/", S, V, url=_case_page("sf_ack_case", "e2b/")),
    page("GET", CASE_PATTERN + "cioms.pdf", S, V, url=_case_page("sf_ack_case", "cioms.pdf")),
    page("GET", PATTERN + "import/", S, E, url=PAGE + "import/"),
    page(
        "POST",
        PATTERN + "import/",
        S,
        E,
        url=PAGE + "import/",
        data={"received_on": "{safety_today}", "source": "partner"},
    ),
    page("POST", PATTERN + "acks/", S, E, url=PAGE + "acks/", data={}),
    # set-up (study-wide data)
    page("GET", PATTERN + "setup/", S, V, url=PAGE + "setup/"),
    page(
        "POST",
        PATTERN + "setup/products/",
        S,
        E,
        url=PAGE + "setup/products/",
        data={"new-product-name": "Matrix page product", "new-product-kind": "comparator"},
        ok=302,
    ),
    # the form's prefix carries the product's id, which a row's field names cannot: the form comes back (200)
    page(
        "POST",
        PATTERN + "setup/products/<int:product_id>/",
        S,
        E,
        url=PAGE + "setup/products/{safety_product}/",
        data={"reason": "matrix"},
    ),
    page(
        "POST",
        PATTERN + "setup/rsi/",
        S,
        E,
        url=PAGE + "setup/rsi/",
        data={
            "rsi-product": "{safety_product}",
            "rsi-document": "Investigator's Brochure",
            "rsi-version": "matrix-page",
            "rsi-effective_from": "2030-01-01",
            "rsi-terms": "Nausea",
        },
        ok=302,
    ),
    page(
        "POST",
        PATTERN + "setup/rule-sets/followed/",
        S,
        E,
        url=PAGE + "setup/rule-sets/followed/",
        data={"codes": ["FDA-IND"], "reason": "matrix"},
        ok=302,
    ),
    page(
        "POST",
        PATTERN + "setup/rule-sets/",
        S,
        E,
        url=PAGE + "setup/rule-sets/",
        # a leading newline: a text in braces would be taken for a {placeholder}
        data={"ruleset-document": "\n" + json.dumps(_rule_set_document("MATRIX-PAGE")), "ruleset-reason": ""},
        ok=302,
    ),
    # study-wide only, any-of rules (see the module's docstring): baseline rows
    page("GET", PATTERN + "reconciliation/", S, url=PAGE + "reconciliation/", full=False),
    # the POSTs name safety.edit so that the CSRF sweep posts them as the (study-wide) safety physician
    page("POST", PATTERN + "reconciliation/run/", S, E, url=PAGE + "reconciliation/run/", data={}, ok=302, full=False),
    page(
        "POST",
        PATTERN + "reconciliation/<int:item_id>/explain/",
        S,
        E,
        url=PAGE + "reconciliation/{safety_recon_item}/explain/",
        data={"note": "matrix"},
        ok=302,
        full=False,
    ),
    page("GET", PATTERN + "dsur/", S, url=PAGE + "dsur/", full=False),
    page("GET", PATTERN + "dsur/<str:table>.csv", S, url=PAGE + "dsur/listing.csv", full=False),
]


def _row_api(kind: str, folder: str, add: dict, patch: dict, row: str) -> list:
    """Create, change and delete one kind of row of `{sf_case}`'s latest version."""
    item = f"{CASE_API}/{folder}/{{{kind}_id}}"
    return [
        api("POST", f"{CASE_API}/{folder}", S, E, url=_case_api("sf_case", f"/{folder}"), data=add, ok=201),
        api("PATCH", item, S, E, url=_case_api("sf_case", f"/{folder}/{{{row}}}"), data=patch),
        api(
            "DELETE",
            item,
            S,
            E,
            url=_case_api("sf_case", f"/{folder}/{{sf_{kind}_del_api}}"),
            data=REASON,
            ok=204,
        ),
    ]


API: list = [
    api("GET", API_PATH + "/cases", S, V, url=API_URL + "/cases"),
    api(
        "POST",
        API_PATH + "/cases",
        S,
        E,
        url=API_URL + "/cases",
        data={
            "source": "spontaneous",
            "received_on": "{safety_today}",
            "reporter": {"given_name": "Matrix", "qualification": "1"},
            "patient": {"initials": "MX"},
            "events": [{"verbatim": "Matrix rash"}],
            "products": [{"name": "Matrix drug"}],
        },
        ok=201,
    ),
    api("GET", CASE_API, S, V, url=_case_api("sf_case")),
    api(
        "PATCH",
        CASE_API + "/version",
        S,
        E,
        url=_case_api("sf_case", "/version"),
        data={"narrative": "Matrix narrative", "reason": "matrix"},
    ),
    *_row_api("event", "events", {"verbatim": "Matrix event"}, {"severity": "mild", "reason": "matrix"}, "sf_event"),
    api(
        "POST",
        CASE_API + "/events/{event_id}/code",
        S,
        E,
        url=_case_api("sf_case", "/events/{sf_event}/code"),
        data={"term_id": "{coding_llt}", "reason": "matrix"},
    ),
    api(
        "POST",
        CASE_API + "/events/{event_id}/expectedness",
        S,
        E,
        url=_case_api("sf_case", "/events/{sf_event}/expectedness"),
        data={"unexpected": True, "basis": "matrix", "reason": "matrix"},
    ),
    *_row_api(
        "product", "products", {"name": "Matrix concomitant", "role": "2"}, {"dose": "10", **REASON}, "sf_product"
    ),
    api(
        "POST",
        CASE_API + "/pairs",
        S,
        E,
        url=_case_api("sf_case", "/pairs"),
        data={"product_id": "{sf_product}", "event_id": "{sf_event_pair_api}"},
        ok=201,
    ),
    api(
        "PATCH",
        CASE_API + "/pairs/{pair_id}",
        S,
        E,
        url=_case_api("sf_case", "/pairs/{sf_pair}"),
        data={"dechallenge": "positive", **REASON},
    ),
    api(
        "DELETE",
        CASE_API + "/pairs/{pair_id}",
        S,
        E,
        url=_case_api("sf_case", "/pairs/{sf_pair_del}"),
        data=REASON,
        ok=204,
    ),
    api(
        "POST",
        CASE_API + "/pairs/{pair_id}/causality",
        S,
        E,
        url=_case_api("sf_case", "/pairs/{sf_pair_new}/causality"),
        data={"source": "company", "result": "related"},
        ok=201,
    ),
    api(
        "PATCH",
        CASE_API + "/pairs/{pair_id}/causality/{source}",
        S,
        E,
        url=_case_api("sf_case", "/pairs/{sf_pair}/causality/company"),
        data={"result": "related", **REASON},
    ),
    api(
        "DELETE",
        CASE_API + "/pairs/{pair_id}/causality/{source}",
        S,
        E,
        url=_case_api("sf_case", "/pairs/{sf_pair_causality_del}/causality/company"),
        data=REASON,
        ok=204,
    ),
    *_row_api("test", "tests", {"test": "Matrix ALT"}, {"result": "12", **REASON}, "sf_test"),
    *_row_api("history", "history", {"term": "Matrix asthma"}, {"comment": "matrix", **REASON}, "sf_history"),
    *_row_api("reporter", "reporters", {"given_name": "Matrix"}, {"city": "Springfield", **REASON}, "sf_reporter"),
    api(
        "POST",
        CASE_API + "/patient",
        S,
        E,
        url=_case_api("sf_nopatient", "/patient"),
        data={"initials": "MX"},
        ok=201,
    ),
    api("PATCH", CASE_API + "/patient", S, E, url=_case_api("sf_case", "/patient"), data={"initials": "MX", **REASON}),
    api("DELETE", CASE_API + "/patient", S, E, url=_case_api("sf_spare", "/patient"), data=REASON, ok=204),
    api("POST", CASE_API + "/advance", S, E, url=_case_api("sf_adv_api", "/advance"), data={"to_state": "data_entry"}),
    api("POST", CASE_API + "/approve", S, E, url=_case_api("sf_appr_api", "/approve"), data={"password": PASSWORD}),
    api(
        "POST",
        CASE_API + "/follow-ups",
        S,
        E,
        url=_case_api("sf_fu_api", "/follow-ups"),
        data={"received_on": "{safety_today}"},
        ok=201,
    ),
    api(
        "POST",
        CASE_API + "/duplicate",
        S,
        E,
        url=_case_api("sf_dup_api", "/duplicate"),
        data={"of_case": "{sf_case}", **REASON},
    ),
    api("GET", CASE_API + "/duplicates", S, V, url=_case_api("sf_case", "/duplicates")),
    api("GET", CASE_API + "/submissions", S, V, url=_case_api("sf_ack_case", "/submissions")),
    api(
        "POST",
        CASE_API + "/submissions",
        S,
        E,
        url=_case_api("sf_sub_api", "/submissions"),
        data={**SUBMISSION, "version": 1},
        ok=201,
    ),
    api(
        "POST",
        API_PATH + "/submissions/{submission_id}/ack",
        S,
        E,
        url=API_URL + "/submissions/{sf_ack_sub}/ack",
        data=ACK,
    ),
    # E2B(R3) and CIOMS I out; files in (a row's JSON body is no ICSR or acknowledgement: 422)
    api("GET", CASE_API + "/e2b", S, V, url=_case_api("sf_ack_case", "/e2b?check=true")),
    api("GET", CASE_API + "/cioms", S, V, url=_case_api("sf_ack_case", "/cioms")),
    api("POST", API_PATH + "/e2b-imports", S, E, url=API_URL + "/e2b-imports", data={"matrix": "not a file"}, ok=422),
    api("POST", API_PATH + "/acks", S, E, url=API_URL + "/acks", data={"matrix": "not a file"}, ok=422),
    # set-up (study-wide data)
    api("GET", API_PATH + "/products", S, V, url=API_URL + "/products"),
    api(
        "POST",
        API_PATH + "/products",
        S,
        E,
        url=API_URL + "/products",
        data={"name": "Matrix api product", "kind": "comparator"},
        ok=201,
    ),
    api(
        "PATCH",
        API_PATH + "/products/{product_id}",
        S,
        E,
        url=API_URL + "/products/{safety_product}",
        data={"ind_number": "123456", **REASON},
    ),
    api("GET", API_PATH + "/rsi", S, V, url=API_URL + "/rsi"),
    api(
        "POST",
        API_PATH + "/rsi",
        S,
        E,
        url=API_URL + "/rsi",
        data={
            "product_id": "{safety_product}",
            "document": "Investigator's Brochure",
            "version": "matrix-api",
            "effective_from": "2030-02-01",
            "terms": [{"pt_name": "Nausea"}],
        },
        ok=201,
    ),
    api("GET", API_PATH + "/rule-sets", S, V, url=API_URL + "/rule-sets"),
    api(
        "PUT",
        API_PATH + "/rule-sets/applied",
        S,
        E,
        url=API_URL + "/rule-sets/applied",
        data={"codes": ["FDA-IND"], **REASON},
    ),
    api(
        "POST",
        API_PATH + "/rule-sets",
        S,
        E,
        url=API_URL + "/rule-sets",
        data={"document": _rule_set_document("MATRIX-API")},
        ok=201,
    ),
]

MODULES: dict = {
    "safety_intake": safety_intake,
    "safety_content": safety_content,
    "safety_workflow": safety_workflow,
    "safety_rsi": safety_rsi,
    "safety_reporting": safety_reporting,
    "safety_reconciliation": safety_reconciliation,
    "safety_e2b": safety_e2b,
}
EXEMPT: dict[str, str] = {
    "safety_intake.case_intake_from_form": (
        "runs inside the EDC's form_save, which checked the site user's data-entry permission itself"
    ),
    "safety_content.rsi_in_force": "a read: the RSI versions in force on a date",
    "safety_content.expectedness_refresh": "runs inside the content writes, which already checked permission",
    "safety_workflow.step_blockers": "a read: why a version cannot move on",
    "safety_reporting.rule_sets_install": "the system installs the built-in rule sets (no actor)",
    "safety_reporting.due_key": "a pure function",
    "safety_reporting.version_due_refresh": "runs inside the safety writes, which already checked permission",
    "safety_reconciliation.edc_saes": "a read: the EDC's SAEs (reconciliation_run checks the actor)",
    "safety_reconciliation.safety_saes": "a read: the safety database's SAEs (reconciliation_run checks the actor)",
    # Not exempt from a check: their any-of rule needs a Case kind the sweeps lack (one `perm` each); see the report.
    "safety_reconciliation.reconciliation_run": (
        "checks safety.edit or data.review, study-wide (_require): an any-of rule a Case cannot state"
    ),
    "safety_reconciliation.reconciliation_explain": (
        "checks safety.edit or data.review, study-wide (_require): an any-of rule a Case cannot state"
    ),
}


def _id(w, name: str) -> int:
    return w.edc["a"][name]


def _case(w, name: str) -> SafetyCase:
    return SafetyCase.objects.get(pk=_id(w, name))


def _latest(case: SafetyCase | int) -> CaseVersion:
    return CaseVersion.objects.select_related("case").get(case=case, latest=True)


def _row(model, pk: int):
    return model.objects.select_related("version__case").get(pk=pk)


def _intake(today: dt.date, product: SafetyProduct, source: str = CaseSource.STUDY_MANUAL):
    return safety_intake.CaseIntake(
        source=source,
        received_on=today,
        events=[
            safety_intake.EventInput(
                verbatim="Headache",
                onset=(today - dt.timedelta(days=2)).isoformat(),
                flags=frozenset({"hospitalisation"}),
            )
        ],
        products=[safety_intake.ProductInput(name=product.name, product=product)],
        reporter=safety_intake.ReporterInput(given_name="Matrix", family_name="Reporter", qualification="1"),
        patient=safety_intake.PatientInput(initials="MX"),
    )


def _ack_bytes(message_id: str) -> bytes:
    """An ICH acknowledgement accepting the message `message_id` (batch and case accepted)."""
    stamp = timezone.now().strftime("%Y%m%d%H%M%S+0000")
    return write_ack(
        Acknowledgement(
            ack_batch_id="ACK-MATRIX",
            created=stamp,
            sender="ZZFDA_PREMKT",
            receiver="OPENCRO",
            code="AA",
            batch_id="B-" + message_id,
            local_message_number="1",
            batch_transmitted=stamp,
            detail="batch processed",
            messages=(MessageAck("CA", message_id, "L-1", "OPENCRO", "CDER_IND", stamp, "ICSR accepted", stamp),),
        )
    )


def _today() -> dt.date:
    return timezone.localdate()


CASES: list = [
    Case(
        "safety_intake.case_create",
        lambda w, u: safety_intake.case_create(
            actor=u,
            study=w.study,
            intake=_intake(_today(), SafetyProduct.objects.get(pk=w.ids["safety_product"]), CaseSource.SPONTANEOUS),
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_content.case_version_update",
        lambda w, u: safety_content.case_version_update(
            actor=u, version=_latest(_id(w, "sf_case")), changes={"narrative": "matrix"}, reason="r"
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_content.case_part_save",
        lambda w, u: safety_content.case_part_save(
            actor=u, part=CaseLabResult(version=_latest(_id(w, "sf_case")), test="Matrix ALT")
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_content.case_part_delete",
        lambda w, u: safety_content.case_part_delete(
            actor=u, part=_row(CaseLabResult, _id(w, "sf_test_del_api")), reason="r"
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_content.case_event_code",
        lambda w, u: safety_content.case_event_code(
            actor=u,
            event=_row(CaseEvent, _id(w, "sf_event")),
            term=DictionaryTerm.objects.select_related("dictionary").get(pk=w.ids["coding_llt"]),
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_content.case_event_expectedness_set",
        lambda w, u: safety_content.case_event_expectedness_set(
            actor=u, event=_row(CaseEvent, _id(w, "sf_event")), unexpected=True, basis="b", reason="r"
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_workflow.case_version_advance",
        lambda w, u: safety_workflow.case_version_advance(
            actor=u, version=_latest(_id(w, "sf_adv_api")), to_state=VersionState.DATA_ENTRY
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_workflow.case_version_approve",
        lambda w, u: safety_workflow.case_version_approve(
            actor=u, version=_latest(_id(w, "sf_appr_api")), password=PASSWORD
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_workflow.case_followup_start",
        lambda w, u: safety_workflow.case_followup_start(actor=u, case=_case(w, "sf_fu_api"), received_on=_today()),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_workflow.case_mark_duplicate",
        lambda w, u: safety_workflow.case_mark_duplicate(
            actor=u, case=_case(w, "sf_dup_api"), of_case=_case(w, "sf_case"), reason="r"
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_rsi.safety_product_save",
        lambda w, u: safety_rsi.safety_product_save(
            actor=u, product=SafetyProduct(study=w.study, name="Matrix service product", kind=ProductKind.COMPARATOR)
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_rsi.rsi_version_save",
        lambda w, u: safety_rsi.rsi_version_save(
            actor=u,
            rsi=ReferenceSafetyInformation(
                study=w.study,
                product=SafetyProduct.objects.get(pk=w.ids["safety_product"]),
                document="Investigator's Brochure",
                version="matrix-service",
                effective_from=dt.date(2030, 3, 1),
            ),
            terms=[("", "Nausea", False)],
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_reporting.rule_set_save",
        lambda w, u: safety_reporting.rule_set_save(
            actor=u, study=w.study, document=_rule_set_document("MATRIX-SERVICE")
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_reporting.study_rule_sets_set",
        lambda w, u: safety_reporting.study_rule_sets_set(actor=u, study=w.study, codes=["FDA-IND"]),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_reporting.submission_record",
        lambda w, u: safety_reporting.submission_record(
            actor=u,
            version=_latest(_id(w, "sf_sub_api")),
            rule_set=w.edc["a"]["sf_due_rule_set"],
            rule=w.edc["a"]["sf_due_rule"],
            recipient=w.edc["a"]["sf_due_recipient"],
            kind=w.edc["a"]["sf_due_kind"],
            submitted_on=_today(),
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_reporting.submission_ack_record",
        lambda w, u: safety_reporting.submission_ack_record(
            actor=u,
            submission=CaseSubmission.objects.select_related("version__case").get(pk=_id(w, "sf_ack_sub")),
            batch_code="AA",
            case_code="CA",
            received_on=_today(),
        ),
        E,
        PHYSICIAN,
    ),
    # a read that checks safety.view (the investigator of A1 may export A1's case too)
    Case(
        "safety_e2b.case_e2b_bytes",
        lambda w, u: safety_e2b.case_e2b_bytes(
            actor=u, version=_latest(_id(w, "sf_ack_case")), profile="ich", receiver_id="MATRIX"
        ),
        V,
        PHYSICIAN,
    ),
    Case(
        "safety_e2b.case_import_e2b",
        lambda w, u: safety_e2b.case_import_e2b(
            actor=u, study=w.study, data=w.ids["safety_icsr"], source=CaseSource.PARTNER, received_on=_today()
        ),
        E,
        PHYSICIAN,
    ),
    Case(
        "safety_e2b.submission_ack_import",
        lambda w, u: safety_e2b.submission_ack_import(
            actor=u, study=w.study, data=_ack_bytes(w.edc["a"]["sf_ack_message"])
        ),
        E,
        PHYSICIAN,
    ),
]


# ---- the world ---------------------------------------------------------------------------------------------------


def _edc_sae(w, subject) -> SafetyCase:
    """The subject's SAE saved in the EDC (AE row 9; rows 1-8 are the coding rows of tests/security/conftest.py)."""
    result = form_save(
        actor=None,
        subject=subject,
        event_oid="SE.AE",
        form_oid="F.AE",
        entries=[
            ItemEntry("IT.AETERM", "Matrix SAE", repeat=9),
            ItemEntry("IT.AESTDAT", "2026-11-01", repeat=9),
            ItemEntry("IT.AESER", "1", repeat=9),
        ],
        reason="matrix",
    )
    return SafetyCase.objects.get(edc_form=result.form, edc_row=9)


def _save(part):
    """A row written as the system, without the re-assessment a service runs after it (nothing here needs it)."""
    return audited_save(part, actor=None)


CASE_ROWS = ("event", "product", "reporter", "test", "history")


def _case_rows(case: SafetyCase, ids: dict) -> None:
    """`{sf_case}`'s own rows (E1, P1, the primary reporter, the E1-P1 pair with the company's causality), a test
    result and a history entry: what the edit rows change (site B's are only ever asked for, and answer 404)."""
    version = _latest(case)
    event = CaseEvent.objects.get(version=version, key="E1")
    product = CaseProduct.objects.get(version=version, key="P1")
    pair = CaseDrugEvent.objects.get(version=version, event=event, product=product)
    _save(CaseCausality(version=version, pair=pair, source="company", result="related"))
    ids.update(
        sf_case=case.pk,
        sf_event=event.pk,
        sf_product=product.pk,
        sf_reporter=CaseReporter.objects.get(version=version, primary=True).pk,
        sf_pair=pair.pk,
        sf_test=_save(CaseLabResult(version=version, test="Matrix ALT")).pk,
        sf_history=_save(CaseHistory(version=version, term="Matrix asthma")).pk,
        sf_received=version.received_on.isoformat(),
    )


def _spare_rows(ids: dict) -> None:
    """Site A: spare rows of `{sf_case}` for the rows that delete, pair or assess (one each, page and API)."""
    version = _latest(ids["sf_case"])
    product = CaseProduct.objects.get(pk=ids["sf_product"])
    for channel in ("page", "api"):
        ids[f"sf_event_del_{channel}"] = _save(CaseEvent(version=version, key=f"E{channel}", verbatim="Gone")).pk
        ids[f"sf_product_del_{channel}"] = _save(CaseProduct(version=version, key=f"P{channel}", role="2", name="X")).pk
        ids[f"sf_reporter_del_{channel}"] = _save(CaseReporter(version=version, given_name=f"Matrix {channel}")).pk
        ids[f"sf_test_del_{channel}"] = _save(CaseLabResult(version=version, test=f"Matrix {channel}")).pk
        ids[f"sf_history_del_{channel}"] = _save(CaseHistory(version=version, term=f"Matrix {channel}")).pk
        ids[f"sf_event_pair_{channel}"] = _save(CaseEvent(version=version, key=f"F{channel}", verbatim="Pair")).pk
    for number, name in enumerate(("sf_pair_new", "sf_pair_del", "sf_pair_causality_del"), start=1):
        other = _save(CaseEvent(version=version, key=f"G{number}", verbatim="Paired"))
        ids[name] = _save(CaseDrugEvent(version=version, product=product, event=other)).pk
    causality_pair = CaseDrugEvent.objects.get(pk=ids["sf_pair_causality_del"])
    _save(CaseCausality(version=version, pair=causality_pair, source="company", result="related"))


def _manual(w, subject) -> SafetyCase:
    product = SafetyProduct.objects.get(pk=w.ids["safety_product"])
    return safety_intake.case_create(actor=None, study=w.study, intake=_intake(_today(), product), subject=subject)


def _advanced(w, subject, to: str) -> SafetyCase:
    """A manual case taken to `to` (data entry, or medical review with nothing blocking approval)."""
    case = _manual(w, subject)
    version = _latest(case)
    event = CaseEvent.objects.get(version=version, key="E1")
    if to == VersionState.MEDICAL_REVIEW:
        term = DictionaryTerm.objects.select_related("dictionary").get(pk=w.ids["coding_llt"])
        safety_content.case_event_code(actor=None, event=event, term=term)
        pair = CaseDrugEvent.objects.get(version=version, product__key="P1", event=event)  # paired at intake
        safety_content.case_part_save(
            actor=None, part=CaseCausality(version=version, pair=pair, source="company", result="related")
        )
    order = [VersionState.DATA_ENTRY, VersionState.CODING, VersionState.MEDICAL_REVIEW]
    for state in order[: order.index(to) + 1]:
        safety_workflow.case_version_advance(actor=None, version=_latest(case), to_state=state)
    return case


def _approved(w, subject) -> SafetyCase:
    case = _advanced(w, subject, VersionState.MEDICAL_REVIEW)
    physician = w.users[PHYSICIAN]
    safety_workflow.case_version_approve(actor=physician, version=_latest(case), password=PASSWORD)
    return case


def _reported(w, subject, ids: dict) -> SafetyCase:
    """An approved case with its first report due recorded as sent (`{sf_ack_sub}`); the second report due is
    what the submission rows record (`{sf_due_*}`)."""
    case = _approved(w, subject)
    dues = [d for d in case_clock(case).reports if d.version == 1]
    first, second = dues[0], dues[1]  # FDA-IND: the FDA and the investigators
    ids.update(
        sf_due_rule_set=second.rule_set,
        sf_due_rule=second.rule,
        sf_due_recipient=second.recipient,
        sf_due_kind=second.kind,
    )
    ids["sf_ack_message"] = f"{case.number}-v1-1"
    ids["sf_ack_sub"] = safety_reporting.submission_record(  # a submission names who sent it: no system actor
        actor=w.users[PHYSICIAN],
        version=_latest(case),
        rule_set=first.rule_set,
        rule=first.rule,
        recipient=first.recipient,
        kind=first.kind,
        submitted_on=_today(),
        message_id=ids["sf_ack_message"],
    ).pk
    return case


def _site_a(w) -> None:
    """Site A1: a case of its own for each row that moves a case on (see the module's docstring). Rows that
    cannot disturb each other share one: the follow-up and submission rows (the submission names version 1),
    the patient rows with the advance or duplicate rows (the subject makes the patient identifiable)."""
    ids = w.edc["a"]
    _case_rows(_edc_sae(w, w.subject_a), ids)
    _spare_rows(ids)
    for name in ("sf_adv_page", "sf_adv_api", "sf_dup_page", "sf_dup_api"):
        ids[name] = _manual(w, w.subject_a).pk
    patient = CasePatient.objects.select_related("version__case").get(version__case=ids["sf_dup_api"])
    safety_content.case_part_delete(actor=None, part=patient, reason="matrix")
    ids.update(sf_nopatient=ids["sf_dup_api"], sf_spare=ids["sf_adv_api"])
    ids["sf_back_page"] = _advanced(w, w.subject_a, VersionState.DATA_ENTRY).pk
    for name in ("sf_appr_page", "sf_appr_api"):
        ids[name] = _advanced(w, w.subject_a, VersionState.MEDICAL_REVIEW).pk
    reported = _reported(w, w.subject_a, ids).pk
    ids.update(sf_ack_case=reported, sf_fu_page=reported, sf_sub_page=reported)
    ids["sf_fu_api"] = ids["sf_sub_api"] = _approved(w, w.subject_a).pk


def _site_b(w) -> None:
    """Site B1: its SAE and one reported case; every `{sf_*}` names one of them (the B1 variants must answer 404)."""
    ids = w.edc["b"]
    _case_rows(_edc_sae(w, w.subject_b), ids)
    reported = _reported(w, w.subject_b, ids).pk
    for name in ("adv_page", "adv_api", "dup_page", "dup_api", "back_page", "appr_page", "appr_api", "nopatient"):
        ids[f"sf_{name}"] = ids["sf_case"]
    for name in ("sf_spare", "sf_fu_api", "sf_sub_api", "sf_ack_case", "sf_fu_page", "sf_sub_page"):
        ids[name] = reported
    for kind in CASE_ROWS:
        for channel in ("page", "api"):
            ids[f"sf_{kind}_del_{channel}"] = ids[f"sf_{kind}"]
    for name in ("sf_event_pair_page", "sf_event_pair_api"):
        ids[name] = ids["sf_event"]
    for name in ("sf_pair_new", "sf_pair_del", "sf_pair_causality_del"):
        ids[name] = ids["sf_pair"]


def _partner_icsr(w) -> bytes:
    """An ICSR file as a partner would send it about subject A1-001: a case of the study written out (coded,
    with a narrative and the reporter's country, which the ICH rules ask for), under the partner's own case id
    and an eight-digit MedDRA code (the fictional dictionary's codes have nine digits, more than E.i.2.1b allows)."""
    case = _case_of(w.edc["a"]["sf_appr_page"])
    reporter = CaseReporter.objects.select_related("version__case").get(version=_latest(case))
    reporter.country = "US"
    safety_content.case_part_save(actor=None, part=reporter, reason="matrix")
    safety_content.case_version_update(
        actor=None, version=_latest(case), changes={"narrative": "Matrix partner case."}, reason="matrix"
    )
    data, _failures = safety_e2b.case_e2b_bytes(actor=None, version=_latest(case), profile="ich", receiver_id="MATRIX")
    code = DictionaryTerm.objects.get(pk=w.ids["coding_llt"]).code
    return data.replace(case.number.encode(), b"MATRIX-PARTNER-1").replace(code.encode(), b"10000001")


def _case_of(pk: int) -> SafetyCase:
    return SafetyCase.objects.get(pk=pk)


def world_data(w) -> None:
    """Rule sets, the product and its RSI, a reconciliation difference, each site's cases (see the docstring)."""
    w.ids["safety_today"] = _today().isoformat()
    safety_reporting.rule_sets_install()
    safety_reporting.study_rule_sets_set(actor=None, study=w.study, codes=["FDA-IND"])
    product = safety_rsi.safety_product_save(
        actor=None,
        product=SafetyProduct(study=w.study, name="Matrix product", kind=ProductKind.INVESTIGATIONAL, blinded=True),
    )
    w.ids["safety_product"] = product.pk
    safety_rsi.rsi_version_save(
        actor=None,
        rsi=ReferenceSafetyInformation(
            study=w.study, product=product, document="Investigator's Brochure", version="1.0", effective_from=RSI_FROM
        ),
        terms=[("", "Nausea", False)],
    )
    # run before the other cases exist: one difference (this case, missing from the EDC) keeps the trail short
    outside = _manual(w, w.subject_a)
    [item] = safety_reconciliation.reconciliation_run(actor=None, study=w.study)
    assert item.case_id == outside.pk
    w.ids["safety_recon_item"] = item.pk
    _site_a(w)
    _site_b(w)
    w.ids["safety_icsr"] = _partner_icsr(w)
