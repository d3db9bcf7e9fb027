"""The design pages by role: statisticians compute, save, compare and adopt; a monitor reads (403 on writes)."""

import re

import pytest

from opencro.accounts.models import Signature
from opencro.accounts.permissions import RoleCode
from opencro.design.models import Design
from tests.conftest import PASSWORD
from tests.design.conftest import saved
from tests.security.client import text

pytestmark = pytest.mark.django_db


def url(world, rest: str = "") -> str:
    return f"/studies/{world.study.pk}/design/{rest}"


FORM = {"kind": "means", "delta": "5", "sd": "10", "alpha": "0.05", "power": "0.8", "sides": "2", "ratio": "1"}
FORM |= {"test": "t", "hypothesis": "superiority", "margin": "0", "dropout": "0", "baseline_correlation": "0"}


def test_nav_link_and_workspace_for_a_statistician(design_world, login):
    w = design_world
    client = login(w.stat)
    assert f'href="{url(w)}"' in client.get(f"/studies/{w.study.pk}/").content.decode()
    page = client.get(url(w, "?kind=gsd")).content.decode()
    assert 'data-testid="design-form"' in page and 'name="kind" value="gsd"' in page
    assert 'hx-post="' + url(w, "preview/") + '"' in page
    assert 'id="p-spending"' in page and 'id="err-spending"' in page
    assert "No design saved yet." in page


def test_preview_shows_the_result_and_errors_beside_the_fields(design_world, login):
    w = design_world
    client = login(w.stat)
    good = client.post(url(w, "preview/"), FORM).content.decode()
    assert re.search(r'data-figure="n_total">128<', good)
    assert good.count("<svg") == 1 and 'data-role="design"' in good
    assert '<span class="field-error" id="err-delta" data-testid="error-delta" hx-swap-oob="true"></span>' in good
    bad = client.post(url(w, "preview/"), FORM | {"alpha": "2", "sd": "x"}).content.decode()
    assert 'data-testid="preview-error"' in bad
    assert re.search(r'id="err-sd"[^>]*hx-swap-oob="true">Enter a number.<', bad)
    refused = client.post(url(w, "preview/"), FORM | {"alpha": "2"}).content.decode()  # the library's refusal
    assert re.search(r'id="err-alpha"[^>]*>must lie strictly between 0 and 1, not 2<', refused)
    assert not Design.objects.exists()


def test_save_redirects_to_the_report_and_errors_come_back_on_the_form(design_world, login):
    w = design_world
    client = login(w.stat)
    refused = client.post(url(w, "save/"), FORM | {"name": "Primary", "sd": "-3"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "The design was not saved" in page and re.search(r'id="err-sd"[^>]*>must be greater than 0', page)
    assert 'value="-3"' in page and 'value="Primary"' in page
    response = client.post(url(w, "save/"), FORM | {"name": "Primary", "notes": "SAP 9.1"})
    design = Design.objects.get()
    assert response.status_code == 302 and response["Location"] == url(w, f"{design.pk}/")
    assert (design.result["n_total"], design.notes, design.created_by) == (128, "SAP 9.1", w.stat)


def test_report_page_shows_inputs_results_charts_and_the_adoption_form(design_world, login):
    w = design_world
    gsd = saved(w, "Three looks", kind="gsd", inputs={"k": 3, "n_fixed": 128})
    page = login(w.stat).get(url(w, f"{gsd.pk}/")).content.decode()
    assert 'data-testid="design-boundaries"' in page and page.count("<svg") == 2
    assert "3.7103" in page  # the first look's boundary (rpact: see test_services)
    assert 'data-testid="adopt-form"' in page and f'<option value="{w.draft.pk}">2.0</option>' in page
    assert f'value="{w.approved.pk}"' not in page  # an approved version is not offered
    assert "Lan KKG, DeMets DL (1983)" in page
    dose = saved(w, "BOIN", kind="boin", inputs={"n_sims": 500})
    page = login(w.stat).get(url(w, f"{dose.pk}/")).content.decode()
    assert 'data-testid="design-doses"' in page and 'data-testid="design-decisions"' in page
    assert page.count('class="bar"') == 6  # five doses and "none"


def test_adopt_from_the_page_with_the_password(design_world, login):
    w = design_world
    design = saved(w)
    client = login(w.stat)
    target = url(w, f"{design.pk}/adopt/")
    wrong = client.post(target, {"protocol_version": w.draft.pk, "password": "nope"}, follow=True)
    assert "The password is not correct" in wrong.content.decode()
    response = client.post(target, {"protocol_version": w.draft.pk, "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert "Adopted into protocol version" in page and 'data-testid="signature"' in page
    assert Signature.objects.get().meaning == "approve"
    assert 'data-testid="adopt-form"' not in page and "Delete this draft" not in page


def test_compare_two_designs_with_differences_highlighted(design_world, login):
    w = design_world
    a = saved(w, "Delta 5")
    b = saved(w, "Delta 4", inputs={"delta": 4, "sd": 10})
    client = login(w.user(RoleCode.MONITOR))
    page = client.get(url(w, f"compare/?designs={a.pk}&designs={b.pk}")).content.decode()
    assert 'data-testid="compare-table"' in page
    assert re.search(r'<tr class="differs" data-key="n_total"><th>N total</th><td>128</td><td>200</td>', page)
    assert re.search(r'<tr class="" data-key="sd">', page)
    assert re.search(r'<tr class="differs" data-key="delta">', page)
    alone = client.get(url(w, f"compare/?designs={a.pk}")).content.decode()
    assert "Choose 2 to 4 designs to compare." in alone and 'data-testid="compare-table"' not in alone


def test_monitor_reads_but_does_not_write(design_world, login):
    w = design_world
    design = saved(w)
    client = login(w.user(RoleCode.MONITOR))
    page = client.get(url(w)).content.decode()
    assert "Primary" in page and 'data-testid="design-form"' not in page
    report = client.get(url(w, f"{design.pk}/")).content.decode()
    assert "Primary" in report and 'data-testid="adopt-form"' not in report
    assert client.post(url(w, "preview/"), FORM).status_code == 403
    assert client.post(url(w, "save/"), FORM | {"name": "M"}).status_code == 403
    adopt = {"protocol_version": w.draft.pk, "password": PASSWORD}
    assert client.post(url(w, f"{design.pk}/adopt/"), adopt).status_code == 403
    assert client.post(url(w, f"{design.pk}/delete/"), {"reason": "x"}).status_code == 403
    assert client.get(url(w, f"{design.pk}/report.pdf")).status_code == 200
    assert login(w.outsider).get(url(w, f"{design.pk}/")).status_code == 404


def test_delete_a_draft_from_the_page(design_world, login):
    w = design_world
    design = saved(w)
    client = login(w.stat)
    response = client.post(url(w, f"{design.pk}/delete/"), {"reason": "duplicate"})
    assert response.status_code == 302 and response["Location"] == url(w)
    assert not Design.objects.exists()


def test_report_pdf_download(design_world, login):
    w = design_world
    design = saved(w)
    response = login(w.stat).get(url(w, f"{design.pk}/report.pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert re.match(r'attachment; filename="design-T-001-\d+-\d{8}T\d{6}Z\.pdf"', response["Content-Disposition"])
    assert "Design report" in text(response)


def test_pages_in_japanese(design_world, login):
    """The labels come from the catalogue; the page renders whatever the language."""
    from opencro.accounts.services import user_preferences_update

    w = design_world
    design = saved(w)
    user_preferences_update(actor=w.stat, time_zone="Asia/Tokyo", language="ja")
    client = login(w.stat)
    assert client.get(url(w)).status_code == 200
    assert client.get(url(w, f"{design.pk}/")).status_code == 200
    assert client.get(url(w, f"{design.pk}/report.pdf")).content.startswith(b"%PDF")
