"""The demo's safety cases arrive coded with its fictional MedDRA, assessed for expectedness, with clocks running."""

import datetime as dt
from pathlib import Path

import pytest

from opencro.accounts.models import User
from opencro.coding.models import CodedTerm, CodingStatus, Dictionary, DictionaryKind
from opencro.coding.selectors import study_coding
from opencro.demo import meddra as demo_meddra
from opencro.demo.clinical.logs import AE_TERMS
from opencro.demo.coding import load_coding
from opencro.demo.safety import COMPANY_RELATED, EXPECTED_TERMS, review_cases
from opencro.formats.coding import read_meddra, write_fictional_meddra
from opencro.safety.facts import case_clock
from opencro.safety.models import CaseEvent, ExpectedTerm, SafetyCase


def _codes(folder: Path) -> set[int]:
    meddra = read_meddra(folder)
    return {*meddra.socs, *meddra.hlgts, *meddra.hlts, *meddra.pts, *meddra.llts, *meddra.smqs}


# ---- the dictionary alone (no database) ---------------------------------------------------------------------


def test_the_demo_dictionary_says_it_is_fictional() -> None:
    assert "FICTIONAL" in (demo_meddra.__doc__ or "")
    assert demo_meddra.VERSION == "DEMO-1.0"


def test_the_demo_dictionary_reads_cleanly_and_covers_every_demo_term(tmp_path: Path) -> None:
    meddra = read_meddra(demo_meddra.write_demo_meddra(tmp_path / "demo"))
    assert (meddra.version, meddra.language, meddra.notes) == ("DEMO-1.0", "English", ())
    assert (len(meddra.socs), len(meddra.pts), len(meddra.llts), len(meddra.smqs)) == (12, 38, 61, 1)
    for verbatim in [*AE_TERMS, *EXPECTED_TERMS, "Chronic heart failure"]:
        llt = meddra.llt_by_name(verbatim)
        assert llt is not None and llt.current, verbatim
    for term in EXPECTED_TERMS:  # the RSI's terms are PTs of the dictionary, with the codes the RSI gets
        assert meddra.pts[int(demo_meddra.PT_CODES[term])].name == term
    chronic = meddra.llt_by_name("Chronic heart failure")
    assert chronic is not None and meddra.pts[chronic.pt_code].name == "Cardiac failure chronic"
    assert [llt.name for llt in meddra.llts.values() if not llt.current] == ["Blacking out"]


def test_demo_codes_are_invented_and_none_is_a_test_dictionary_code(tmp_path: Path) -> None:
    demo = _codes(demo_meddra.write_demo_meddra(tmp_path / "demo"))
    test_codes = _codes(write_fictional_meddra(tmp_path / "m261", "26.1")) | _codes(
        write_fictional_meddra(tmp_path / "m270", "27.0")
    )
    assert len(demo) == 12 + 18 + 26 + 38 + 23 + 1  # the PTs' own LLTs share the PTs' codes
    assert all(len(str(code)) == 9 and str(code)[0] == "9" and str(code)[2] == "5" for code in demo)
    assert demo.isdisjoint(test_codes)


# ---- the loaded demo ----------------------------------------------------------------------------------------

# the demo loads a whole study once for the package (see conftest)


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_study_codes_with_the_demo_dictionary(demo) -> None:
    coding = study_coding(demo)
    assert coding is not None and coding.meddra is not None
    assert (coding.meddra.kind, coding.meddra.version) == (DictionaryKind.MEDDRA, "DEMO-1.0")
    terms = CodedTerm.objects.filter(study=demo, kind=DictionaryKind.MEDDRA)
    assert terms.filter(item_oid="IT.AETERM").count() > 0 and terms.filter(item_oid="IT.MHTERM").count() > 0
    assert not terms.exclude(status=CodingStatus.CODED).exists()  # every AE and MH verbatim, coded as entered
    assert set(terms.values_list("dictionary__version", flat=True)) == {"DEMO-1.0"}
    assert set(terms.values_list("pt_code", flat=True)) <= set(demo_meddra.PT_CODES.values())


@pytest.mark.django_db
@pytest.mark.slow
def test_every_demo_case_event_is_coded_to_a_pt_and_assessed(demo) -> None:
    events = list(CaseEvent.objects.filter(version__case__study=demo).select_related("version"))
    llts = {(code, name) for code, name, _pt, _current in demo_meddra.demo_llts()}
    assert len(events) >= 5
    assert SafetyCase.objects.filter(study=demo).count() == len({e.version.case_id for e in events})
    for event in events:
        assert event.pt_code == demo_meddra.PT_CODES[event.pt_name], event.verbatim
        assert (int(event.code), event.term) in llts and event.term == event.verbatim  # exact LLT match
        assert event.meddra_version == "DEMO-1.0"
        assert event.unexpected is not None, event.expectedness_basis
    assert any(e.unexpected for e in events)  # e.g. Pneumonia, Cardiac failure: not in the IB
    expected = [e for e in events if e.unexpected is False]
    assert expected and all(e.pt_name in EXPECTED_TERMS for e in expected)
    assert all(e.pt_name not in EXPECTED_TERMS for e in events if e.unexpected)


@pytest.mark.django_db
@pytest.mark.slow
def test_the_rsi_lists_its_terms_with_demo_pt_codes(demo) -> None:
    stored = dict(ExpectedTerm.objects.filter(rsi__study=demo).values_list("pt_name", "pt_code"))
    assert stored == {term: demo_meddra.PT_CODES[term] for term in EXPECTED_TERMS}


@pytest.mark.django_db
@pytest.mark.slow
def test_every_demo_sae_has_the_sites_awareness_and_most_were_reported_within_a_day(demo) -> None:
    """The AE page's awareness date (AEAWDAT) becomes the case's: the SAE-timeliness KPI has cases to count."""
    cases = list(SafetyCase.objects.filter(study=demo, site__isnull=False).select_related("site"))
    assert cases
    assert all(case.site_aware_on is not None for case in cases)
    late = [case.number for case in cases if case.late_from_site]
    assert 0 < len(late) < len(cases) / 2


@pytest.mark.django_db
@pytest.mark.slow
def test_the_company_related_cases_are_susars_with_fda_and_eu_clocks(demo) -> None:
    due_cases = []
    for case in SafetyCase.objects.filter(study=demo).order_by("number"):
        version = case.versions.order_by("-number").first()
        reports = {(d.rule_set, d.rule): d for d in case_clock(case).reports}
        pt_names = set(CaseEvent.objects.filter(version=version).values_list("pt_name", flat=True))
        if pt_names & set(COMPANY_RELATED):
            received = case.initial_received_on
            assert reports[("FDA-IND", "fda-15-day")].due_on == received + dt.timedelta(days=15)
            assert reports[("EU-CTR", "eu-15-day")].due_on == received + dt.timedelta(days=15)
            assert version.next_due_on == received + dt.timedelta(days=15)
            due_cases.append(case.number)
        else:  # serious but expected, or unrelated in everyone's view: nothing to report expedited
            assert reports == {}
            assert version.next_due_on is None
    assert due_cases


@pytest.mark.django_db
@pytest.mark.slow
def test_reloading_the_coding_and_the_review_changes_nothing(demo) -> None:
    loaded = Dictionary.objects.get(kind=DictionaryKind.MEDDRA, version="DEMO-1.0")
    assert load_coding(demo) == loaded  # the identical release is reused, not loaded twice
    assert Dictionary.objects.filter(kind=DictionaryKind.MEDDRA, version="DEMO-1.0").count() == 1
    assert review_cases(demo) == 0  # the company's assessments are recorded once


@pytest.mark.django_db
@pytest.mark.slow
def test_the_safety_physician_sees_the_pt_and_the_due_date(demo, client) -> None:
    event = (
        CaseEvent.objects.filter(version__case__study=demo, pt_name__in=COMPANY_RELATED)
        .select_related("version__case")
        .order_by("version__case__number")
        .first()
    )
    assert event is not None
    case = event.version.case
    assert case is not None
    version = case.versions.order_by("-number").first()
    client.force_login(User.objects.get(username="safety"))
    worklist = client.get(f"/studies/{demo.pk}/safety/")
    assert worklist.status_code == 200
    assert case.number in worklist.text and version.next_due_on.isoformat() in worklist.text
    page = client.get(f"/studies/{demo.pk}/safety/cases/{case.pk}/")
    assert page.status_code == 200
    assert "Cardiac failure" in page.text and "945000004" in page.text and "FDA-IND" in page.text
    client.force_login(User.objects.get(username="coder"))
    assert client.get(f"/studies/{demo.pk}/coding/").status_code == 200
