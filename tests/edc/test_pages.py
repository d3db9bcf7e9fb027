import pytest

from opencro.edc.models import ItemData, Query

pytestmark = pytest.mark.django_db


def form_url(w, subject=None, event="SE.SCR", form="F.VS", repeat=1):
    subject = subject or w.subject_a
    return f"/studies/{w.study.pk}/edc/subjects/{subject.pk}/{event}/1/{form}/{repeat}/"


def test_casebook_shows_visits_with_targets_and_forms(edc_world, login):
    client = login(edc_world.users["study_coordinator"])
    page = client.get(f"/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_a.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    # enrolled 2026-03-10 is day 1: day 29 is 2026-04-07, window -3/+3
    assert "2026-04-07" in html and "2026-04-04" in html and "2026-04-10" in html
    assert "Vital signs" in html and "Adverse events" in html


def test_form_page_saves_and_reports_errors_in_place(edc_world, login):
    client = login(edc_world.users["study_coordinator"])
    url = form_url(edc_world)
    bad = client.post(url, {"v:IT.WEIGHT:1": "heavy", "v:IT.SYSBP:1": "120"})
    assert bad.status_code == 200  # the form again, with each field's message
    assert "Enter a number." in bad.content.decode()
    assert 'value="heavy"' in bad.content.decode()  # what was typed stays on the page
    assert not ItemData.objects.exists()
    good = client.post(
        url, {"v:IT.WEIGHT:1": "72.5", "v:IT.HEIGHT:1": "180", "v:IT.SYSBP:1": "80", "v:IT.DIABP:1": "90"}
    )
    assert good.status_code == 302
    shown = client.get(url).content.decode()
    assert "22.4" in shown  # the derived BMI
    assert "Diastolic pressure is not below systolic." in shown


def test_preview_hides_branching_fields_and_computes_derivations(edc_world, login):
    client = login(edc_world.users["study_coordinator"])
    preview = client.post(form_url(edc_world, form="F.DM") + "preview/", {"v:IT.SEX:1": "M"}).json()
    assert preview["hidden"] == ["IT.PREG:1"]
    vs = client.post(form_url(edc_world) + "preview/", {"v:IT.WEIGHT:1": "80", "v:IT.HEIGHT:1": "200"}).json()
    assert vs["values"] == {"IT.BMI:1": "20.0"}


def test_only_an_editable_form_asks_for_the_preview(edc_world, login):
    """The page script previews on load; a reader who cannot enter data is never sent to a 403."""
    url = form_url(edc_world, form="F.DM")
    entering = login(edc_world.users["study_coordinator"]).get(url).content.decode()
    assert f'data-preview-url="{url}preview/"' in entering
    reading = login(edc_world.users["monitor"]).get(url).content.decode()
    assert "data-preview-url" not in reading and 'id="crf"' in reading


def test_query_round_trip_through_the_pages(edc_world, login):
    client = login(edc_world.users["study_coordinator"])
    client.post(form_url(edc_world), {"v:IT.WEIGHT:1": "70", "v:IT.SYSBP:1": "80", "v:IT.DIABP:1": "90"})
    query = Query.objects.get()
    answer = client.post(
        f"/studies/{edc_world.study.pk}/edc/queries/{query.pk}/answer/", {"text": "Checked the source: correct."}
    )
    assert answer.status_code == 302
    monitor = login(edc_world.users["monitor"])
    listing = monitor.get(f"/studies/{edc_world.study.pk}/edc/queries/?state=open").content.decode()
    assert f"Q{query.pk}" in listing and "Answered" in listing
    monitor.post(f"/studies/{edc_world.study.pk}/edc/queries/{query.pk}/close/", {"text": "ok"})
    query.refresh_from_db()
    assert query.state == "closed" and query.closed_by == edc_world.users["monitor"]


def test_monitor_raises_a_manual_query_on_an_item(edc_world, login):
    client = login(edc_world.users["study_coordinator"])
    client.post(form_url(edc_world), {"v:IT.WEIGHT:1": "70"})
    item = ItemData.objects.get(item_def__oid="IT.WEIGHT")
    monitor = login(edc_world.users["monitor"])
    response = monitor.post(
        f"/studies/{edc_world.study.pk}/edc/queries/new/",
        {"form": item.form_id, "item": item.pk, "text": "Source says 71 kg."},
    )
    assert response.status_code == 302
    query = Query.objects.get(origin="manual")
    assert (query.item_id, query.opened_by, query.text) == (item.pk, edc_world.users["monitor"], "Source says 71 kg.")


def test_build_pages_list_versions_and_download_odm_metadata(edc_world, login):
    client = login(edc_world.users["data_manager"])
    listing = client.get(f"/studies/{edc_world.study.pk}/edc/build/").content.decode()
    assert "MDV.1" in listing
    detail = client.get(f"/studies/{edc_world.study.pk}/edc/build/{edc_world.version.pk}/").content.decode()
    assert "EC.AEDATES" in detail and "[sex] = &#x27;M&#x27;" in detail
