"""Randomisation reports: counts per stratum, factor level, site and arm checked against a list written by hand,
the blinded version without any arm, site-restricted readers, CSV and API."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from opencro.rtsm import charts
from opencro.rtsm.models import RandomisationScheme
from opencro.rtsm.selectors.reports import imbalance
from opencro.rtsm.services import scheme as schemes
from opencro.rtsm.services.allocation import subject_randomise
from opencro.studies import services as studies
from opencro.studies.models import Arm
from opencro.subjects.models import TreatmentAssignment
from tests.conftest import PASSWORD
from tests.rtsm.factories import CONSENT, coordinator, screened, statistician

pytestmark = pytest.mark.django_db

BLINDED = [r for r in DEFAULT_ROLES if Perm.TREATMENT_VIEW not in DEFAULT_ROLES[r]]
# Arm names no other text on the pages contains, so their absence means something.
ARM_NAMES = {"A": "Zolvatrin 40 mg", "P": "Matching placebo"}

# The list, by hand: site A1 gets A P P A (one block of 4), site B1 gets P A (one block of 2).
LIST = "stratum,block,sequence,arm\nA1,1,1,A\nA1,1,2,P\nA1,1,3,P\nA1,1,4,A\nB1,1,1,P\nB1,1,2,A\n"


def _arms_named(w) -> None:
    for arm in Arm.objects.filter(study=w.study):
        arm.name = ARM_NAMES[arm.code]
        studies.protocol_item_save(actor=None, instance=arm, reason="names for the report tests")


def _scheme(w) -> RandomisationScheme:
    """A block list stratified by site, loaded from LIST, active."""
    _arms_named(w)
    actor = statistician(w)
    scheme = schemes.scheme_save(actor=actor, study=w.study, method="block_list", block_sizes=[2, 4])
    schemes.factor_save(actor=actor, scheme=scheme, name="site", label="Site", source="site")
    schemes.list_upload(actor=actor, scheme=scheme, text=LIST, filename="hand.csv")
    return schemes.scheme_activate(actor=actor, scheme=RandomisationScheme.objects.get(pk=scheme.pk), password=PASSWORD)


def _randomise(w, site, number: str, sex: str = "F"):
    subject = screened(site, number, sex)
    return subject_randomise(
        actor=coordinator(w, site), subject=subject, eligibility_confirmed=True, consented_on=CONSENT
    )


def _randomised_world(w):
    """Three subjects at A1 (slots A, P, P) and one at B1 (slot P): A1 A=1 P=2, B1 A=0 P=1, overall A=1 P=3."""
    scheme = _scheme(w)
    done = [_randomise(w, w.site_a, f"A1-10{i}") for i in range(3)] + [_randomise(w, w.site_b, "B1-100")]
    return scheme, done


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_imbalance_is_the_range_of_ratio_adjusted_counts():
    assert imbalance([3, 1], [1, 1]) == 2
    assert imbalance([4, 2], [2, 1]) == 0  # in the 2:1 target ratio
    assert imbalance([3, 3], [2, 1]) == 1.5  # 3/2 against 3/1
    assert imbalance([0, 0, 0], [1, 1, 1]) == 0


def test_allocation_report_numbers_match_the_hand_written_list(world, client):
    _scheme, done = _randomised_world(world)
    # the arms the service gave are the list's, in order: A1 took A, P, P; B1 took P
    got = [TreatmentAssignment.objects.get(subject=r.subject).arm.code for r in done]
    assert got == ["A", "P", "P", "P"]
    url = f"/api/v1/studies/{world.study.pk}/rtsm/report/allocation"
    body = _get(client, statistician(world), url).json()
    assert [a["code"] for a in body["arms"]] == ["A", "P"]
    assert body["overall"]["counts"] == {"A": 1, "P": 3} and body["overall"]["total"] == 4
    assert body["overall"]["imbalance"] == 2
    strata = {s["key"]: s for s in body["strata"]}
    assert strata["A1"]["counts"] == {"A": 1, "P": 2}
    assert (strata["A1"]["used"], strata["A1"]["slots"], strata["A1"]["remaining"]) == (3, 4, 1)
    assert strata["B1"]["counts"] == {"A": 0, "P": 1}
    assert (strata["B1"]["used"], strata["B1"]["slots"], strata["B1"]["remaining"]) == (1, 2, 1)
    assert strata["A1"]["imbalance"] == 1 and strata["B1"]["imbalance"] == 1
    assert body["max_stratum_imbalance"] == 1
    (site_factor,) = body["factors"]
    assert [(lv["key"], lv["counts"]) for lv in site_factor["levels"]] == [
        ("A1", {"A": 1, "P": 2}),
        ("B1", {"A": 0, "P": 1}),
    ]
    assert [(s["key"], s["counts"]) for s in body["sites"]] == [("A1", {"A": 1, "P": 2}), ("B1", {"A": 0, "P": 1})]
    # balance over time: cumulative per arm after each allocation, in sequence order
    assert [(t["sequence"], t["counts"]) for t in body["timeline"]] == [
        (1, {"A": 1, "P": 0}),
        (2, {"A": 1, "P": 1}),
        (3, {"A": 1, "P": 2}),
        (4, {"A": 1, "P": 3}),
    ]


def test_allocation_page_shows_the_tables_and_the_balance_chart(world, client):
    _randomised_world(world)
    page = _get(client, statistician(world), f"/studies/{world.study.pk}/rtsm/report/")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="report-unblinded"' in text
    assert ARM_NAMES["A"] in text and 'data-testid="report-chart"' in text
    # one line per arm: the last point of P's line is (4, 3)
    assert f'data-series="P: {ARM_NAMES["P"]}" data-points="0,0 1,0 2,1 3,2 4,3"' in text
    assert f'data-series="A: {ARM_NAMES["A"]}" data-points="0,0 1,1 2,1 3,1 4,1"' in text
    assert '<tr data-stratum="A1"><td>A1</td><td class="n">1</td><td class="n">2</td><td class="n">3</td>' in text


def test_allocation_csv_export(world, client):
    _randomised_world(world)
    response = _get(client, statistician(world), f"/studies/{world.study.pk}/rtsm/report/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by = {(r["section"], r["group"], r["level"]): r for r in rows}
    assert (by[("overall", "", "")]["A"], by[("overall", "", "")]["P"], by[("overall", "", "")]["total"]) == (
        "1",
        "3",
        "4",
    )
    a1 = by[("stratum", "A1", "")]
    assert (a1["A"], a1["P"], a1["imbalance"], a1["slots"], a1["used"]) == ("1", "2", "1", "4", "3")
    assert by[("factor", "site", "B1")]["P"] == "1"
    assert [r["total"] for r in rows if r["section"] == "cumulative_by_sequence"] == ["1", "2", "3", "4"]


def test_blinded_report_counts_without_any_arm(world, client):
    _randomised_world(world)
    month = timezone.localtime().strftime("%Y-%m")
    for role in BLINDED:
        user = world.user(role)
        page = _get(client, user, f"/studies/{world.study.pk}/rtsm/report/")
        text = page.content.decode()
        assert page.status_code == 200, role
        assert 'data-testid="report-blinded"' in text and 'data-testid="report-unblinded"' not in text
        for name in ARM_NAMES.values():
            assert name not in text, (role, name)
        assert "data-arm" not in text and "Imbalance" not in text
        body = client.get(f"/api/v1/studies/{world.study.pk}/rtsm/report").json()
        for name in ARM_NAMES.values():
            assert name not in str(body)
        assert "counts" not in str(body) and "arm" not in str(body)
        export = client.get(f"/studies/{world.study.pk}/rtsm/report/export.csv").content.decode()
        assert export.splitlines()[0] == "section,group,level,randomised"
        assert all(name not in export for name in ARM_NAMES.values())
        assert client.get(f"/api/v1/studies/{world.study.pk}/rtsm/report/allocation").status_code == 403
    body = _get(client, world.user(RoleCode.PROJECT_MANAGER), f"/api/v1/studies/{world.study.pk}/rtsm/report").json()
    assert body["total"] == 4
    assert [(s["stratum"], s["randomised"]) for s in body["strata"]] == [("A1", 3), ("B1", 1)]
    assert [(s["site"], s["institution"], s["randomised"]) for s in body["sites"]] == [
        ("A1", "Alpha Hospital", 3),
        ("B1", "Beta Hospital", 1),
    ]
    assert body["months"] == [{"month": month, "randomised": 4}]
    assert body["timeline"] == [{"date": timezone.localdate().isoformat(), "cumulative": 4}]


def test_unblinded_reader_may_view_the_blinded_version(world, client):
    _randomised_world(world)
    text = _get(client, statistician(world), f"/studies/{world.study.pk}/rtsm/report/?view=blinded").content.decode()
    assert 'data-testid="report-blinded"' in text and all(n not in text for n in ARM_NAMES.values())
    export = client.get(f"/studies/{world.study.pk}/rtsm/report/export.csv?view=blinded").content.decode()
    assert export.startswith("section,group,level,randomised\n")


def test_site_restricted_readers_count_their_sites_only(world, client):
    _randomised_world(world)
    pharmacist = world.user(RoleCode.PHARMACIST)  # unblinded, restricted to A1
    body = _get(client, pharmacist, f"/api/v1/studies/{world.study.pk}/rtsm/report/allocation").json()
    assert body["overall"]["counts"] == {"A": 1, "P": 2}
    assert [s["key"] for s in body["strata"]] == ["A1"]
    assert [s["key"] for s in body["sites"]] == ["A1"]
    assert body["strata"][0]["slots"] is None  # the list is the whole study's: not for a restricted reader
    assert "Beta Hospital" not in client.get(f"/studies/{world.study.pk}/rtsm/report/").content.decode()
    investigator = world.user(RoleCode.INVESTIGATOR)  # blinded, restricted to A1
    body = _get(client, investigator, f"/api/v1/studies/{world.study.pk}/rtsm/report").json()
    assert body["total"] == 3 and [s["stratum"] for s in body["strata"]] == ["A1"]
    assert [s["site"] for s in body["sites"]] == ["A1"]


def test_dynamic_scheme_lists_every_stratum_of_the_product(world, client):
    actor = statistician(world)
    scheme = schemes.scheme_save(actor=actor, study=world.study, method="minimisation", p_best=0.8)
    schemes.factor_save(actor=actor, scheme=scheme, name="sex", source="sex", order=0)
    schemes.factor_save(actor=actor, scheme=scheme, name="ecog", source="entered", levels=["0-1", "2"], order=1)
    schemes.scheme_activate(actor=actor, scheme=RandomisationScheme.objects.get(pk=scheme.pk), password=PASSWORD)
    subject = screened(world.site_a, "A1-300", "M")
    subject_randomise(
        actor=coordinator(world, world.site_a),
        subject=subject,
        eligibility_confirmed=True,
        consented_on=CONSENT,
        entered={"ecog": "2"},
    )
    arm = TreatmentAssignment.objects.get(subject=subject).arm.code
    body = _get(client, actor, f"/api/v1/studies/{world.study.pk}/rtsm/report/allocation").json()
    assert [s["key"] for s in body["strata"]] == ["F|0-1", "F|2", "M|0-1", "M|2"]
    assert {s["key"]: s["total"] for s in body["strata"]} == {"F|0-1": 0, "F|2": 0, "M|0-1": 0, "M|2": 1}
    assert body["strata"][3]["counts"][arm] == 1 and body["strata"][3]["slots"] is None
    margins = {f["name"]: {lv["key"]: lv["total"] for lv in f["levels"]} for f in body["factors"]}
    assert margins == {"sex": {"F": 0, "M": 1}, "ecog": {"0-1": 0, "2": 1}}


def test_report_without_a_scheme(world, client):
    page = _get(client, statistician(world), f"/studies/{world.study.pk}/rtsm/report/")
    assert page.status_code == 200 and 'data-testid="no-scheme"' in page.content.decode()
    assert client.get(f"/api/v1/studies/{world.study.pk}/rtsm/report").status_code == 404


def test_charts_thin_long_series_and_keep_the_last_point():
    timeline = [(i, (i // 2, i - i // 2)) for i in range(1, 1001)]
    chart = charts.balance_chart(timeline, ["A", "P"], title="t", x_label="x", y_label="y")
    assert len(chart.series[0].points) <= charts.MAX_POINTS + 1
    assert chart.series[0].points[-1] == (1000.0, 500.0) and chart.series[1].points[-1] == (1000.0, 500.0)
    assert not chart.series[0].markers
    svg = charts.enrolment_svg([(0, 1), (3, 4)], title="<t>", x_label="x", y_label="y", series_name="n")
    assert "&lt;t&gt;" in svg and "<t>" not in svg and 'data-points="0,1 3,4"' in svg


def test_months_follow_the_readers_time_zone(world, client):
    """A randomisation late on 31 January UTC is in February for a reader in Tokyo."""
    _scheme(world)
    r = _randomise(world, world.site_a, "A1-400")
    from opencro.rtsm.models import Randomisation

    Randomisation.objects.filter(pk=r.pk).update(randomised_at=dt.datetime(2026, 1, 31, 20, 0, tzinfo=dt.UTC))
    user = world.user(RoleCode.PROJECT_MANAGER)
    user.time_zone = "Asia/Tokyo"
    user.save(update_fields=["time_zone"])
    body = _get(client, user, f"/api/v1/studies/{world.study.pk}/rtsm/report").json()
    assert body["months"] == [{"month": "2026-02", "randomised": 1}]
