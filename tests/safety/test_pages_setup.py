"""The safety set-up page: products, RSI versions and their expected terms, the rule sets a study follows and a
rule set of its own (every located problem of a bad document shown)."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from opencro.safety.forms_setup import parse_expected_terms
from opencro.safety.models import (
    ExpectedTerm,
    ReferenceSafetyInformation,
    ReportingRuleSet,
    SafetyProduct,
    StudyRuleSet,
)
from opencro.safety.rulesets import load_default_rule_sets

pytestmark = pytest.mark.django_db


def _url(name: str, world, *ids: int) -> str:
    return reverse(f"safety:{name}", args=[world.study.pk, *ids])


@pytest.fixture
def physician(safety_world, login):
    return login(safety_world.users["safety_physician"])


def _own_rule_set() -> dict:
    """A rule set of the study's own: the built-in FDA-IND document under another code and name."""
    from opencro.safety.rulesets import dump_rule_set

    fda = next(r for r in load_default_rule_sets() if r.code == "FDA-IND")
    document = dump_rule_set(fda)
    document.update(code="IRB-LOCAL", name="Local IRB rules", countries=["US"])
    return document


def test_the_page_shows_products_rsi_and_each_rule_set_readably(safety_world, physician):
    page = physician.get(_url("setup", safety_world))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cardiozan" in html and "Investigator&#x27;s Brochure 5.0" in html and "in force from 2026-01-01" in html
    assert "940000001" in html and "Nausea" in html
    # default_rulesets/fda_ind.json, rule fda-7-day: {"susar": true, "fatal_or_life_threatening": true}, 7 days, day0
    row = html[html.index('data-rule="fda-7-day"') :]
    row = row[: row.index("</tr>")]
    assert "FDA review division of the IND" in row and "initial report" in row
    assert "fatal or life-threatening and SUSAR (serious, unexpected, related)" in row
    assert "<td>7</td>" in row and "day 0 (minimum criteria known)" in row and "21 CFR 312.32(c)(2)" in row
    fda = html[html.index('data-code="FDA-IND"') : html.index('data-code="ICH-E2A"')]
    assert 'data-testid="followed"' in fda
    eu = html[html.index('data-code="EU-CTR"') : html.index('data-code="FDA-IND"')]
    assert 'data-testid="followed"' not in eu


def test_products_are_added_and_changed_with_a_reason(safety_world, physician):
    data = {"new-product-name": "Placebo", "new-product-kind": "placebo", "new-product-blinded": "on"}
    assert physician.post(_url("setup_product_add", safety_world), data).status_code == 302
    placebo = SafetyProduct.objects.get(study=safety_world.study, name="Placebo")
    assert placebo.kind == "placebo" and placebo.blinded
    duplicate = physician.post(_url("setup_product_add", safety_world), data)
    assert duplicate.status_code == 200 and "already exists" in duplicate.content.decode()
    prefix = f"product-{placebo.pk}"
    change = {f"{prefix}-name": "Placebo", f"{prefix}-kind": "placebo", f"{prefix}-ind_number": "123456"}
    refused = physician.post(_url("setup_product_edit", safety_world, placebo.pk), change)
    assert refused.status_code == 200 and "A reason for change is required." in refused.content.decode()
    response = physician.post(
        _url("setup_product_edit", safety_world, placebo.pk), {**change, f"{prefix}-reason": "IND"}
    )
    assert response.status_code == 302
    placebo.refresh_from_db()
    assert placebo.ind_number == "123456" and not placebo.blinded


def test_an_rsi_version_is_added_with_its_expected_terms(safety_world, physician):
    data = {
        "rsi-product": safety_world.product.pk,
        "rsi-document": "Investigator's Brochure",
        "rsi-version": "6.0",
        "rsi-effective_from": "2026-06-01",
        "rsi-terms": "940000001 | Headache\n\nNausea | fatal\n940000019 | Pyrexia | fatal\n",
    }
    assert physician.post(_url("setup_rsi_add", safety_world), data).status_code == 302
    rsi = ReferenceSafetyInformation.objects.get(product=safety_world.product, version="6.0")
    terms = {(t.pt_code, t.pt_name, t.fatal_expected) for t in ExpectedTerm.objects.filter(rsi=rsi)}
    assert terms == {("940000001", "Headache", False), ("", "Nausea", True), ("940000019", "Pyrexia", True)}
    html = physician.get(_url("setup", safety_world)).content.decode()
    assert "Investigator&#x27;s Brochure 6.0" in html and "Pyrexia" in html


def test_a_bad_rsi_form_names_the_line_and_the_duplicate_version(safety_world, physician):
    data = {
        "rsi-product": safety_world.product.pk,
        "rsi-document": "Investigator's Brochure",
        "rsi-version": "5.0",  # the conftest's version
        "rsi-effective_from": "2026-07-01",
        "rsi-terms": "Headache\nABC | Nausea",
    }
    response = physician.post(_url("setup_rsi_add", safety_world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "line 2: the MedDRA code &#x27;ABC&#x27; is not a number" in html
    assert "already exists" in html  # (product, version) is unique
    assert ReferenceSafetyInformation.objects.filter(product=safety_world.product).count() == 1


def test_parse_expected_terms_reads_codes_and_fatal_marks():
    assert parse_expected_terms(" 940000001 | Headache \nNausea | FATAL\n\n") == [
        ("940000001", "Headache", False),
        ("", "Nausea", True),
    ]
    with pytest.raises(ValidationError) as error:
        parse_expected_terms("a | b | c | d\n| fatal\n | ")
    assert [m[:6] for m in error.value.messages] == ["line 1", "line 2"]
    with pytest.raises(ValidationError, match="at least one"):
        parse_expected_terms("\n  \n")


def test_the_rule_sets_followed_are_chosen_by_checkbox(safety_world, physician):
    response = physician.post(_url("setup_rule_sets", safety_world), {"codes": ["FDA-IND", "EU-CTR"], "reason": "EU"})
    assert response.status_code == 302
    followed = set(StudyRuleSet.objects.filter(study=safety_world.study).values_list("rule_set__code", flat=True))
    assert followed == {"FDA-IND", "EU-CTR"}
    refused = physician.post(_url("setup_rule_sets", safety_world), {"codes": ["NO-SUCH"]})
    assert refused.status_code == 200 and "Select a valid choice." in refused.content.decode()


def test_an_own_rule_set_is_saved_and_then_offered(safety_world, physician):
    document = _own_rule_set()
    response = physician.post(_url("setup_rule_set_add", safety_world), {"ruleset-document": json.dumps(document)})
    assert response.status_code == 302
    own = ReportingRuleSet.objects.get(study=safety_world.study, code="IRB-LOCAL")
    assert own.name == "Local IRB rules"
    html = physician.get(_url("setup", safety_world)).content.decode()
    assert 'data-code="IRB-LOCAL"' in html and "this study's own" in html and 'value="IRB-LOCAL"' in html


def test_a_bad_rule_set_shows_every_located_problem(safety_world, physician):
    url = _url("setup_rule_set_add", safety_world)
    not_json = physician.post(url, {"ruleset-document": '{"format": 1,\n  "code": }'})
    assert not_json.status_code == 200
    # json.JSONDecodeError's position: line 2 is '  "code": }', whose "}" is its 11th character
    assert "line 2, column 11: not JSON: Expecting value" in not_json.content.decode()
    document = copy.deepcopy(_own_rule_set())
    document["rules"][0]["clock"]["days"] = 400
    document["rules"][1]["recipient"] = "EMA"
    document["rules"][2]["conditions"]["serius"] = True
    response = physician.post(url, {"ruleset-document": json.dumps(document)})
    html = response.content.decode()
    assert response.status_code == 200
    # the messages of opencro.safety.rulesets.parse_rule_set, each with its JSON path
    assert "rules[0].clock.days: must be a whole number of calendar days from 0 to 366, not 400" in html
    assert "rules[1].recipient: &#x27;EMA&#x27; is not a declared recipient" in html
    assert "rules[2].conditions.serius: unknown fact" in html
    builtin = physician.post(url, {"ruleset-document": json.dumps({**_own_rule_set(), "code": "FDA-IND"})})
    assert "FDA-IND is a built-in rule set; choose another code." in builtin.content.decode()
    assert not ReportingRuleSet.objects.filter(study=safety_world.study).exists()


def test_who_may_read_and_who_may_change_the_set_up(safety_world, login):
    monitor = login(safety_world.users["monitor"])  # no safety.view
    assert monitor.get(_url("setup", safety_world)).status_code == 403
    auditor = login(safety_world.users["auditor"])  # safety.view only: reads, no forms
    page = auditor.get(_url("setup", safety_world))
    assert page.status_code == 200 and 'data-testid="rule-set-form"' not in page.content.decode()
    data = {"new-product-name": "Placebo", "new-product-kind": "placebo"}
    assert auditor.post(_url("setup_product_add", safety_world), data).status_code == 403
    assert auditor.post(_url("setup_rule_sets", safety_world), {"codes": ["EU-CTR"]}).status_code == 403
    assert not SafetyProduct.objects.filter(name="Placebo").exists()
    outsider = login(safety_world.outsider)
    assert outsider.get(_url("setup", safety_world)).status_code == 404
