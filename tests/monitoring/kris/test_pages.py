"""KRI pages: the list with its forms, the KRI page with its funnel plot and sites, editing and retiring; refusals
beside the fields; permissions and site scope."""

import pytest
from django.urls import reverse

from opencro.accounts.permissions import RoleCode
from opencro.monitoring.kris import services
from opencro.monitoring.models import KriDefinition, KriSnapshot
from tests.monitoring.kris.conftest import CUT

pytestmark = pytest.mark.django_db
PM, MONITOR, AUDITOR, CRC = RoleCode.PROJECT_MANAGER, RoleCode.MONITOR, RoleCode.AUDITOR, RoleCode.STUDY_COORDINATOR
ADD = {
    "code": "",
    "name": "Late page rate",
    "abbreviation": "LATE",
    "numerator": "data_pages_late",
    "denominator": "data_pages",
    "method": "identity",
    "kind": "binary",
    "thresholds": "-1, -0.5, 0.1, 0.5",
    "min_denominator": "1",
}


def _url(w, name: str, code: str = "") -> str:
    return reverse(f"oversight:kris:{name}", args=[w.study.pk, code] if code else [w.study.pk])


def _client(client, w, role):
    client.force_login(w.user(role))
    return client


@pytest.fixture
def computed(kri_world):
    services.kri_definitions_create_default(actor=None, study=kri_world.study)
    services.kri_snapshot_compute(actor=None, study=kri_world.study, cut_on=CUT)
    return kri_world


def test_the_list_shows_definitions_snapshots_and_the_heat_map(client, computed):
    page = _client(client, computed, PM).get(_url(computed, "list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('<tr data-code="kri') == 12 and "Adverse Event Rate" in body
    assert "2026-06-01" in body and 'data-testid="kri-heatmap"' in body and 'data-group="B1"' in body
    assert 'data-testid="kri-add-form"' in body and 'data-testid="kri-compute-form"' in body


def test_a_reader_without_risk_manage_sees_no_forms_and_may_not_write(client, computed):
    c = _client(client, computed, AUDITOR)
    body = c.get(_url(computed, "list")).content.decode()
    assert "Adverse Event Rate" in body and 'data-testid="kri-add-form"' not in body
    assert c.post(_url(computed, "add"), ADD).status_code == 403
    assert c.post(_url(computed, "compute"), {}).status_code == 403
    assert c.post(_url(computed, "retire", "kri0001"), {"reason": "x"}).status_code == 403
    assert _client(client, computed, CRC).get(_url(computed, "list")).status_code == 403  # no oversight.view


def test_adding_a_kri_redirects_to_its_page_and_a_refusal_stays_beside_the_field(client, computed):
    c = _client(client, computed, PM)
    response = c.post(_url(computed, "add"), ADD)
    assert response.status_code == 302 and response["Location"] == _url(computed, "kri", "kri0013")
    assert KriDefinition.objects.get(study=computed.study, code="kri0013").thresholds == [-1, -0.5, 0.1, 0.5]
    refused = c.post(_url(computed, "add"), {**ADD, "method": "fisher"})
    assert refused.status_code == 200
    assert "fisher takes two p-value thresholds" in refused.content.decode()
    assert refused.context["add_form"].errors["thresholds"]
    unparsed = c.post(_url(computed, "add"), {**ADD, "thresholds": "low, high"})
    assert unparsed.status_code == 200 and unparsed.context["add_form"].errors["thresholds"]
    assert KriDefinition.objects.filter(study=computed.study).count() == 13


def test_defaults_and_compute_buttons(client, kri_world):
    c = _client(client, kri_world, PM)
    assert c.post(_url(kri_world, "defaults")).status_code == 302
    assert KriDefinition.objects.filter(study=kri_world.study).count() == 12
    assert c.post(_url(kri_world, "compute"), {"cut_on": "2026-06-01"}).status_code == 302
    assert KriSnapshot.objects.get(study=kri_world.study).cut_on == CUT
    future = c.post(_url(kri_world, "compute"), {"cut_on": "2099-01-01"})
    assert future.status_code == 200 and future.context["compute_form"].errors["cut_on"]


def test_the_kri_page_draws_the_funnel_and_lists_the_sites(client, computed):
    c = _client(client, computed, PM)
    page = c.get(_url(computed, "kri", "kri0001"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="kri-funnel"' in body and "<svg" in body and 'class="point"' in body
    assert '<tr data-group="A1" data-flag="0">' in body and '<tr data-group="B1" data-flag="0">' in body
    country = c.get(_url(computed, "kri", "kri0001") + "?level=country").content.decode()
    assert '<tr data-group="US"' in country and '<tr data-group="JP"' in country
    partial = c.get(_url(computed, "kri", "kri0001"), headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<section id="kri-results"') and "<html" not in partial
    assert c.get(_url(computed, "kri", "nope")).status_code == 404


def test_a_site_restricted_monitor_sees_only_their_site(client, computed):
    c = _client(client, computed, MONITOR)
    kri = c.get(_url(computed, "kri", "kri0001") + "?level=country").content.decode()
    assert '<tr data-group="A1"' in kri and 'data-group="B1"' not in kri and 'data-group="US"' not in kri
    listing = c.get(_url(computed, "list")).content.decode()
    assert 'data-group="A1"' in listing and 'data-group="B1"' not in listing


def test_newly_flagged_and_flagged_since_on_the_kri_page(client, kri_world):
    w = kri_world
    services.kri_definition_save(
        actor=None,
        study=w.study,
        **{**ADD, "thresholds": [-1, -0.5, 0.1, 0.5], "min_denominator": 1},
    )
    for cut in ("2026-03-15", "2026-03-25", "2026-06-01"):
        _client(client, w, PM).post(_url(w, "compute"), {"cut_on": cut})
    body = _client(client, w, PM).get(_url(w, "kri", "kri0001")).content.decode()
    a1 = body[body.index('<tr data-group="A1"') : body.index('<tr data-group="B1"')]
    b1 = body[body.index('<tr data-group="B1"') :]
    assert 'data-testid="kri-new"' in a1 and "2026-06-01" in a1
    assert 'data-testid="kri-new"' not in b1.split("</tr>")[0] and "2026-03-25</span> (2 cuts)" in b1


def test_editing_needs_a_reason_and_retiring_marks_the_kri(client, computed):
    c = _client(client, computed, PM)
    edit = {key: value for key, value in ADD.items() if key != "code"}
    missing = c.post(_url(computed, "edit", "kri0001"), edit)
    assert missing.status_code == 200 and missing.context["edit_form"].errors["reason"]
    saved = c.post(_url(computed, "edit", "kri0001"), {**edit, "reason": "Use late pages instead."})
    assert saved.status_code == 302
    assert KriDefinition.objects.get(study=computed.study, code="kri0001").numerator == "data_pages_late"
    assert c.post(_url(computed, "retire", "kri0001"), {"reason": ""}).status_code == 200
    assert c.post(_url(computed, "retire", "kri0001"), {"reason": "Not needed."}).status_code == 302
    page = c.get(_url(computed, "kri", "kri0001")).content.decode()
    assert 'data-testid="kri-retired"' in page and 'data-testid="kri-retire-form"' not in page
    assert 'data-testid="kri-frozen"' in page  # the snapshot was computed with the KRI as it was
