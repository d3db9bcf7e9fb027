"""A case born in OpenCRO as an E2B(R3) ICSR: FDA's pre-market business rules pass, the independent e2br3 parser reads
the case id, reactions, drugs, seriousness and causality; partial dates keep their precision; the three-way merge."""

import e2br3
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from lxml import etree

from opencro.accounts.permissions import RoleCode
from opencro.formats.e2b.model import Code, Reaction, Text, Ts
from opencro.formats.e2b.reader import read_icsr_batch
from opencro.safety.e2b_out import merged, sender_report_id, ts
from opencro.safety.models import CaseCausality, CaseDrugEvent, CaseEvent, CasePatient, SafetyProduct
from opencro.safety.services.content import case_part_save, case_version_update
from opencro.safety.services.e2b import case_e2b_bytes
from opencro.safety.services.reporting import submission_record
from opencro.safety.services.rsi import safety_product_save
from opencro.safety.services.workflow import case_version_advance, case_version_approve
from opencro.studies.dates import site_today
from tests.conftest import PASSWORD
from tests.safety.conftest import report_sae

pytestmark = pytest.mark.django_db
IND = "123456"  # a made-up IND number in FDA's format (six digits, no prefix)
# The sender's contact FDA requires (C.3.3.1-C.3.4.8), as a sponsor puts it in OPENCRO_E2B_SENDER (made up).
SENDER = {
    "id": "OPENCRO",
    "organisation": "OpenCRO Pharma",
    "country": "US",
    "type": "1",
    "department": "Drug Safety",
    "title": "Dr",
    "given": "Ana",
    "family": "Safety",
    "street": "1 Main St",
    "city": "Springfield",
    "state": "IL",
    "postcode": "62701",
    "telephone": "5550100",
    "fax": "5550101",
    "email": "safety@example.org",
}


def assessed_case(world, term="Pyrexia", **kw):
    """An SAE from the EDC (auto-coded to MedDRA), with the company's causality, the product's IND number set."""
    product = SafetyProduct.objects.get(pk=world.product.pk)
    product.ind_number = IND
    safety_product_save(actor=None, product=product, reason="IND number")
    case = report_sae(world, term, **kw)
    version = case.versions.get()
    physician = world.users["safety_physician"]
    for pair in CaseDrugEvent.objects.filter(version=version):
        case_part_save(
            actor=physician, part=CaseCausality(version=version, pair=pair, source="company", result="related")
        )
    return case, case.versions.get()


def approved_submission(world, *, message_id: str):
    """An approved, reported SAE (15-day FDA report) with a submission sent under `message_id`."""
    from opencro.safety.selectors import case_due_rows

    case, version = assessed_case(world, criteria="HOSP")
    physician = world.users["safety_physician"]
    for state in ("data_entry", "coding", "medical_review"):
        version = case_version_advance(actor=physician, version=version, to_state=state)
    version = case_version_approve(actor=physician, version=version, password=PASSWORD)
    due = next(r.due for r in case_due_rows(case)[0] if r.due.recipient == "FDA")
    return submission_record(
        actor=physician,
        version=version,
        rule_set=due.rule_set,
        rule=due.rule,
        recipient=due.recipient,
        kind=due.kind,
        submitted_on=site_today(world.site_a),
        message_id=message_id,
    )


def test_a_born_case_passes_fda_premarket_rules_and_e2br3_reads_it(safety_world, settings):
    settings.OPENCRO_E2B_SENDER = SENDER
    case, version = assessed_case(safety_world, "Pyrexia", criteria="HOSP", start="2026-11")
    version = case_version_update(
        actor=None, version=version, changes={"narrative": "Fever on day 3; admitted; recovering."}, reason="entry"
    )
    data, failures = case_e2b_bytes(
        actor=safety_world.users["safety_physician"], version=version, profile="fda-premarket"
    )
    # One failure is not the case's: the fictional MedDRA of the test fixture has 9-digit codes (940000019) where
    # real MedDRA codes have 8, as E.i.2.1b allows. The reporter's e-mail (FDA.C.2.r.2.8, not held by a case) is sent
    # as FDA's table says, nullFlavor ASKU with the bare "mailto:" prefix, which the checker accepts. Everything else
    # passes FDA's pre-market rules.
    assert [(f.element, f.rule, f.value) for f in failures if f.severity == "error"] == [
        ("E.i.2.1b", "max-length", CaseEvent.objects.get(version=version).code),
    ]
    assert b'<telecom value="mailto:" nullFlavor="ASKU"/>' in data
    theirs = e2br3.parse(data)
    [message] = theirs.messages
    icsr = message.icsr
    assert message.message_id == f"{case.number}-v1-1" and theirs.batch_number == f"B-{case.number}-v1-1"
    assert icsr.safety_report_id == sender_report_id(case) == f"US-OPENCRO-{case.number}"  # settings' sender
    assert icsr.worldwide_case_id == icsr.safety_report_id
    event = CaseEvent.objects.get(version=version)
    [reaction] = icsr.reactions
    assert (reaction.meddra.code, reaction.native_term) == (event.code, "Pyrexia")
    assert reaction.hospitalisation is True and isinstance(reaction.results_in_death, e2br3.Null)
    assert reaction.start_date.raw == "202611"  # onset known to the month: a TS of month precision
    [drug] = icsr.drugs
    assert drug.product_name == "Cardiozan" and drug.role.code == "1"  # suspect, named as blinded study drug
    [matrix] = drug.relatedness
    assert matrix.reaction_id == reaction.id
    # e2br3 gives the source as a coded value (its original text) and the result as text
    assert sorted((a.source.original_text, a.result) for a in matrix.assessments) == [
        ("Primary source reporter", "Related"),
        ("Sponsor", "Related"),
    ]
    ours = read_icsr_batch(data).messages[0].report
    assert ours.study.ind_number.value == IND and ours.study.sponsor_study_number.value == "T-001"
    assert ours.report_type.code == "2" and ours.drugs[0].blinded.value is True
    # Pyrexia is not in IB 5.0 (unexpected), serious and related: expedited, 15-day (not fatal) for FDA
    assert ours.expedited_criteria.value is True and ours.fda_report_type.code == "1"
    assert ours.patient.investigation_number.value == "A1-001" and ours.patient.name.null_flavor == "MSK"
    assert ours.patient.birth_date is None  # only the year of birth is known: D.2.1 is sent to the day or not at all
    # nothing in the file names a treatment arm or the randomisation number (tests/conftest.py: "R-A1-001", arms A/P)
    assert b"Arm A" not in data and b"Arm P" not in data and b"R-A1-001" not in data


def test_a_listed_event_is_not_expedited(safety_world):
    _case, version = assessed_case(safety_world, "Headache", criteria="HOSP")  # Headache is in IB 5.0
    data, _failures = case_e2b_bytes(actor=None, version=version, profile="fda-premarket")
    report = read_icsr_batch(data).messages[0].report
    assert report.expedited_criteria.value is False and report.fda_report_type.code == "2"


def test_export_is_deterministic_but_for_the_time(safety_world):
    _case, version = assessed_case(safety_world)
    first, _ = case_e2b_bytes(actor=None, version=version, profile="ich", receiver_id="EMA")
    second, _ = case_e2b_bytes(actor=None, version=version, profile="ich", receiver_id="EMA")
    strip = etree.XSLT(
        etree.XML(
            b'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
            b'<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>'
            b'</xsl:template><xsl:template match="@value[string-length(.) &gt; 14]"/></xsl:stylesheet>'
        )
    )
    assert bytes(strip(etree.fromstring(first))) == bytes(strip(etree.fromstring(second)))


def test_patient_changes_reach_the_file(safety_world):
    _case, version = assessed_case(safety_world)
    patient = CasePatient.objects.get(version=version)
    patient.initials, patient.birth_date, patient.age, patient.age_unit = "JD", "1960-05-04", 66, "a"
    case_part_save(actor=None, part=patient, reason="from the site")
    data, _ = case_e2b_bytes(actor=None, version=version, profile="ich", receiver_id="EMA")
    report = read_icsr_batch(data).messages[0].report
    assert (report.patient.name.value, report.patient.birth_date.value) == ("JD", "19600504")
    assert (report.patient.age.value, report.patient.age.unit) == ("66", "a")


def test_who_may_download(safety_world):
    _case, version = assessed_case(safety_world)
    with pytest.raises(PermissionDenied):
        case_e2b_bytes(actor=safety_world.user(RoleCode.MONITOR), version=version, profile="ich", receiver_id="X")
    data, _ = case_e2b_bytes(
        actor=safety_world.user(RoleCode.INVESTIGATOR), version=version, profile="ich", receiver_id="X"
    )
    assert data.startswith(b"<?xml")
    with pytest.raises(ValidationError):
        case_e2b_bytes(actor=None, version=version, profile="ich")  # no receiver for the ICH profile
    with pytest.raises(ValidationError):
        case_e2b_bytes(actor=None, version=version, profile="r2", receiver_id="X")


def test_partial_dates_become_ts_of_the_same_precision():
    assert [ts(d) for d in ("2026", "2026-03", "2026-03-04", "")] == [Ts("2026"), Ts("202603"), Ts("20260304"), None]


def test_merge_keeps_what_the_case_did_not_change():
    received = Reaction(xml_id="r1", term=Code(code="10037660", original_text="fever", display_name="x"), country=None)
    base = Reaction(xml_id="r1", term=Code(code="10037660", original_text="fever"), end_date=None)
    assert merged(received, base, base) is received
    now = Reaction(xml_id="r1", term=Code(code="10037660", original_text="fever"), end_date=Ts("20260301"))
    out = merged(received, base, now)
    assert out.end_date == Ts("20260301") and out.term == received.term  # the unchanged term kept as received
    # lists: aligned by id, an element removed by the case is dropped, one added is taken as mapped
    added = Reaction(xml_id="r2", term=Code(original_text="rash"))
    assert merged([received], [base], [now, added]) == [out, added]
    assert merged([Text("a")], [Text("a")], []) == []


def test_a_fatal_susar_is_a_7_day_report_for_the_ind(safety_world):
    """FDA's data-element table, FDA.C.1.7.1 pre-market: 1 = 15-day, 6 = 7-day (fatal or life-threatening SUSAR);
    post-market has no 7-day type (1 = 15-day)."""
    _case, version = assessed_case(safety_world, "Pyrexia", criteria="DTH", outcome="FATAL")
    premarket, failures = case_e2b_bytes(actor=None, version=version, profile="fda-premarket")
    postmarket, _ = case_e2b_bytes(actor=None, version=version, profile="fda-postmarket")
    assert read_icsr_batch(premarket).messages[0].report.fda_report_type.code == "6"
    # R0016 (pre-market: 1 or 6) accepts it; R0014 is a post-market rule and is not applied here
    assert not [f for f in failures if f.rule in ("R0014", "R0016")]
    report = read_icsr_batch(postmarket).messages[0].report
    assert report.fda_report_type.code == "1" and report.study.ind_number is None  # no IND on the post-market route
    assert report.reactions[0].results_in_death.value is True and report.reactions[0].outcome.code == "5"


def test_an_unusable_schema_folder_is_one_located_failure(safety_world, settings, tmp_path):
    """OPENCRO_E2B_SCHEMAS set to a folder without the ICH schemas: the file is still made, with one xsd failure."""
    _case, version = assessed_case(safety_world)
    settings.OPENCRO_E2B_SCHEMAS = str(tmp_path)
    data, failures = case_e2b_bytes(actor=None, version=version, profile="ich", receiver_id="EMA")
    [xsd] = [f for f in failures if f.rule == "xsd"]
    assert data.startswith(b"<?xml") and xsd.location == str(tmp_path) and "multicacheschemas" in xsd.message
