"""Security-sweep rows for breaking the blind of a safety case for expedited reporting (see
tests/security/extensions.py).

World (`world_data`, after ext_safety's): at A1, `{sf_ub_case}` is a SUSAR of subject A1-001 (ext_safety's manual
case, coded: Headache, not in the RSI, hospitalised; the company's causality related; the blinded study product
suspect), still blinded: the POST rows and the service case unblind it (a second
call returns the first record, so the rows are free of order); `{sf_ub_read}` is another such case, unblinded by the
safety physician, which the GET row reads (every reader sees that it was unblinded; holders of safety.unblind also
the arm). At B1 both name B1's SAE: only ever refused (404).

Breaking the blind needs safety.unblind (the safety physician only) and esign.sign (which that role holds): the
rows and the case name safety.unblind. Reading needs safety.view.
"""

from opencro.accounts.permissions import Perm, RoleCode
from opencro.coding.models import DictionaryTerm
from opencro.safety.models import CaseCausality, CaseDrugEvent, CaseEvent, CaseProduct, CaseVersion, SafetyCase
from opencro.safety.services import content as safety_content
from opencro.safety.services import unblinding as safety_unblinding
from tests.conftest import PASSWORD
from tests.security.cases import Case
from tests.security.ext_safety import _manual
from tests.security.matrix import Access, api, page

S, V, U = Access.STUDY, Perm.SAFETY_VIEW, Perm.SAFETY_UNBLIND
PHYSICIAN = RoleCode.SAFETY_PHYSICIAN
CASE_PATTERN = "studies/<int:study_id>/safety/cases/<int:case_id>/"
CASE_API = "/api/v1/studies/{study_id}/safety/cases/{case_id}"
REASON = "Matrix: a SUSAR to report unblinded"
FORM = {"reason": REASON, "password": PASSWORD}

PAGES: list = [
    page(
        "POST",
        CASE_PATTERN + "unblinding/",
        S,
        U,
        url="/studies/{study}/safety/cases/{sf_ub_case}/unblinding/",
        data=FORM,
        ok=302,
    ),
]
API: list = [
    api("GET", CASE_API + "/unblinding", S, V, url="/api/v1/studies/{study}/safety/cases/{sf_ub_read}/unblinding"),
    api(
        "POST",
        CASE_API + "/unblinding",
        S,
        U,
        url="/api/v1/studies/{study}/safety/cases/{sf_ub_case}/unblinding",
        data=FORM,
    ),
]
MODULES: dict = {"safety_unblinding": safety_unblinding}
EXEMPT: dict[str, str] = {}
CASES: list = [
    Case(
        "safety_unblinding.case_unblind",
        lambda w, u: safety_unblinding.case_unblind(
            actor=u, case=SafetyCase.objects.get(pk=w.edc["a"]["sf_ub_case"]), reason=REASON, password=PASSWORD
        ),
        U,
        PHYSICIAN,
    ),
]


def _susar(w) -> SafetyCase:
    """A manual case of subject A1-001 made a SUSAR: coded (unexpected), the company's causality related."""
    case = _manual(w, w.subject_a)
    version = CaseVersion.objects.select_related("case").get(case=case, latest=True)
    event = CaseEvent.objects.select_related("version__case").get(version=version, key="E1")
    term = DictionaryTerm.objects.select_related("dictionary").get(pk=w.ids["coding_llt"])
    safety_content.case_event_code(actor=None, event=event, term=term)
    product = CaseProduct.objects.get(version=version, key="P1")
    pair = CaseDrugEvent.objects.filter(version=version, product=product, event=event).first()
    if pair is None:  # intake pairs each suspect with each event; an older intake did not
        pair = safety_content.case_part_save(
            actor=None, part=CaseDrugEvent(version=version, product=product, event=event)
        )
    safety_content.case_part_save(
        actor=None, part=CaseCausality(version=version, pair=pair, source="company", result="related")
    )
    return case


def world_data(w) -> None:
    """Two SUSARs of subject A1-001, one unblinded; B1's variants name B1's SAE (see the module's docstring)."""
    ids = w.edc["a"]
    ids["sf_ub_case"] = _susar(w).pk
    read = _susar(w)
    safety_unblinding.case_unblind(actor=w.user(PHYSICIAN), case=read, reason=REASON, password=PASSWORD)
    ids["sf_ub_read"] = read.pk
    w.edc["b"].update(sf_ub_case=w.edc["b"]["sf_case"], sf_ub_read=w.edc["b"]["sf_case"])
