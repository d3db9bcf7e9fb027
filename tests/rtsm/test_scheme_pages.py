"""The scheme page: the unblinded statistician configures, generates or uploads the list, downloads it and
activates with a signature; everyone else reads a summary without arm, seed, block size or list."""

import hashlib
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencro.accounts.models import Signature
from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from opencro.rtsm.models import ListSlot, RandomisationScheme, SchemeStatus, StratificationFactor
from opencro.rtsm.services import scheme as schemes
from opencro.rtsm.services.allocation import subject_randomise
from opencro.stats.randomization import list_to_csv, permuted_block_list
from opencro.studies import services as studies
from opencro.studies.models import Arm
from tests.conftest import PASSWORD
from tests.rtsm.factories import CONSENT, block_scheme, coordinator, screened, statistician

pytestmark = pytest.mark.django_db

BLINDED = [r for r in DEFAULT_ROLES if Perm.TREATMENT_VIEW not in DEFAULT_ROLES[r]]


def _url(w, tail: str = "") -> str:
    return f"/studies/{w.study.pk}/rtsm/scheme/{tail}"


def _as_statistician(w, client):
    client.force_login(statistician(w))
    return client


def _scheme(w) -> RandomisationScheme:
    return RandomisationScheme.objects.get(study=w.study)


SETTINGS = {
    "method": "block_list",
    "blinded": ["", "1"],
    "block_sizes": "2, 4",
    "imbalance": "range",
    "p_best": "0.8",
    "number_prefix": "R",
    "require_eligibility": ["", "1"],
    "require_consent": ["", "1"],
}


def test_the_statistician_configures_generates_and_activates_from_the_page(world, client):
    c = _as_statistician(world, client)
    assert c.get(_url(world)).status_code == 200
    assert c.post(_url(world, "settings/"), SETTINGS).status_code == 302
    scheme = _scheme(world)
    assert (scheme.method, scheme.block_sizes, scheme.status) == ("block_list", [2, 4], SchemeStatus.DRAFT)
    factor = {"source": "site", "levels": "", "weight": "1", "order": "0"}
    assert c.post(_url(world, "factors/"), factor | {"name": "site", "label": "Site"}).status_code == 302
    sex = {"name": "sex", "source": "sex", "levels": "F, M", "order": "1"}
    assert c.post(_url(world, "factors/"), sex).status_code == 302
    extra = {"name": "age", "source": "item", "item_oid": "IT.AGE", "bands": "<65, , 65\n65+, 65,", "order": "2"}
    assert c.post(_url(world, "factors/"), extra).status_code == 302
    age = StratificationFactor.objects.get(scheme=scheme, name="age")
    assert age.bands == [["<65", None, 65], ["65+", 65, None]]
    edited = extra | {"label": "Age band", "reason": "clearer label"}
    assert c.post(_url(world, f"factors/{age.pk}/"), edited).status_code == 302
    age.refresh_from_db()
    assert age.label == "Age band"
    assert c.post(_url(world, f"factors/{age.pk}/delete/"), {"reason": "not stratified"}).status_code == 302
    assert not StratificationFactor.objects.filter(pk=age.pk).exists()
    assert c.post(_url(world, "list/generate/"), {"n_per_stratum": "8", "seed": "2026"}).status_code == 302
    scheme.refresh_from_db()
    per_stratum = Counter(ListSlot.objects.filter(scheme=scheme).values_list("stratum__label", flat=True))
    assert set(per_stratum) == {"A1|F", "A1|M", "B1|F", "B1|M"}
    assert all(8 <= n <= 8 + 3 for n in per_stratum.values())  # whole blocks of 2 or 4 until at least 8
    assert scheme.seed == "2026"
    page = c.get(_url(world)).content.decode()
    assert 'data-testid="scheme-ready"' in page and scheme.list_sha256 in page and "2026" in page
    refused = c.post(_url(world, "activate/"), {"password": "wrong"})
    assert refused.status_code == 200 and "password is not correct" in refused.content.decode()
    assert _scheme(world).status == SchemeStatus.DRAFT
    assert c.post(_url(world, "activate/"), {"password": PASSWORD}).status_code == 302
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.ACTIVE and scheme.activated_at is not None
    assert Signature.objects.filter(object_id=str(scheme.pk), meaning="approve").count() == 1
    page = c.get(_url(world)).content.decode()
    assert 'data-testid="settings-form"' not in page and 'data-testid="activate-form"' not in page
    assert 'data-testid="scheme-signatures"' in page


def test_form_errors_rerender_the_page_with_the_text_as_typed(world, client):
    c = _as_statistician(world, client)
    bad = c.post(_url(world, "settings/"), SETTINGS | {"block_sizes": "two, 4"})
    text = bad.content.decode()
    assert bad.status_code == 200 and 'data-field="block_sizes"' in text and 'value="two, 4"' in text
    assert not RandomisationScheme.objects.filter(study=world.study).exists()
    odd = c.post(_url(world, "settings/"), SETTINGS | {"block_sizes": "3"})  # 3 cannot hold 1:1
    assert odd.status_code == 200 and 'data-field="block_sizes"' in odd.content.decode()
    c.post(_url(world, "settings/"), SETTINGS)
    bands = {"name": "age", "source": "item", "bands": "<65, x, 65", "order": "0"}
    response = c.post(_url(world, "factors/"), bands)
    assert response.status_code == 200 and 'data-field="bands"' in response.content.decode()
    assert "Line 1" in response.content.decode()
    generate = c.post(_url(world, "list/generate/"), {"n_per_stratum": "0", "seed": "-1"})
    text = generate.content.decode()
    assert 'data-field="n_per_stratum"' in text and 'data-field="seed"' in text
    assert not ListSlot.objects.exists()


def _declared(w):
    """The scheme the uploads below are checked against: block sizes 2 and 4, stratified by site."""
    actor = statistician(w)
    scheme = schemes.scheme_save(actor=actor, study=w.study, method="block_list", block_sizes=[2, 4])
    schemes.factor_save(actor=actor, scheme=scheme, name="site", source="site")
    return scheme


def test_a_good_csv_file_is_loaded_whole(world, client):
    scheme = _declared(world)
    own = permuted_block_list(["A", "P"], block_sizes=[2, 4], n_per_stratum=6, factors={"site": ["A1", "B1"]}, seed=5)
    text = list_to_csv(own)
    c = _as_statistician(world, client)
    upload = SimpleUploadedFile("our-list.csv", text.encode(), content_type="text/csv")
    assert c.post(_url(world, "list/upload/"), {"file": upload}).status_code == 302
    scheme.refresh_from_db()
    assert ListSlot.objects.filter(scheme=scheme).count() == len(own.rows)
    assert scheme.list_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert scheme.list_source == "Uploaded: our-list.csv" and scheme.seed == ""
    first = ListSlot.objects.filter(scheme=scheme, stratum__label="B1").order_by("position").first()
    assert first.arm.code == own.stratum_rows(("B1",))[0].arm


def test_a_bad_csv_is_refused_with_every_problem_located(world, client):
    scheme = _declared(world)
    text = "stratum,block,sequence,arm\nA1,1,1,A\nA1,1,2,X\nC9,1,1,A\nB1,1,1,A\nB1,1,2,A\n"
    c = _as_statistician(world, client)
    response = c.post(_url(world, "list/upload/"), {"text": text})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="list-problems"' in page
    assert "row 3, column arm: unknown arm &#x27;X&#x27;" in page
    assert "row 4, column stratum" in page
    assert "row 5, column arm: block 1 of stratum" in page  # B1's block is A, A: not 1:1
    assert not ListSlot.objects.filter(scheme=scheme).exists()
    empty = c.post(_url(world, "list/upload/"), {"text": " "})
    assert empty.status_code == 200 and "Choose a CSV file" in empty.content.decode()
    latin = SimpleUploadedFile("l.csv", "stratum,block,sequence,arm\nÄ,1,1,A\n".encode("latin-1"))
    refused = c.post(_url(world, "list/upload/"), {"file": latin})
    assert refused.status_code == 200 and "not UTF-8" in refused.content.decode()


def test_the_list_download_is_the_loaded_list_byte_for_byte(world, client):
    scheme = block_scheme(world, n=4, sizes=(2,))
    c = _as_statistician(world, client)
    response = c.get(_url(world, "list.csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="T-001-randomisation-list.csv"'
    assert hashlib.sha256(response.content).hexdigest() == scheme.list_sha256
    lines = response.content.decode().splitlines()
    assert lines[0] == "stratum,block,sequence,arm" and len(lines) == 1 + 8
    for role in (*BLINDED, RoleCode.PHARMACIST):  # the pharmacist is unblinded but does not configure
        client.force_login(world.user(role))
        assert client.get(_url(world, "list.csv")).status_code == 403, role


def _distinct_arms(w) -> dict[str, str]:
    """Arm codes and names found nowhere else on the pages."""
    names = {}
    for arm, (code, name) in zip(
        Arm.objects.filter(study=w.study).order_by("pk"), (("ZQXA", "Zolvatrin"), ("ZQXP", "Placebo-ZQ")), strict=True
    ):
        arm.code, arm.name = code, name
        studies.protocol_item_save(actor=None, instance=arm, reason="distinct for the test")
        names[code] = name
    return names


def test_blinded_roles_see_the_summary_without_arm_seed_or_list(world, client):
    names = _distinct_arms(world)
    scheme = block_scheme(world, factors=(("site", "site"), ("sex", "sex")), n=4, seed=987654321)
    for i in range(3):
        subject = screened(world.site_a, f"A1-20{i}", "M")
        subject_randomise(
            actor=coordinator(world, world.site_a), subject=subject, eligibility_confirmed=True, consented_on=CONSENT
        )
    secrets = [*names, *names.values(), scheme.seed, scheme.list_sha256]
    for role in BLINDED:
        client.force_login(world.user(role))
        page = client.get(_url(world))
        text = page.content.decode()
        assert page.status_code == 200, role
        assert 'data-testid="scheme-summary"' in text and 'data-testid="settings-form"' not in text
        assert [s for s in secrets if s in text] == [], role
        assert "Block sizes" not in text
        body = client.get(f"/api/v1/studies/{world.study.pk}/rtsm/scheme").content.decode()
        assert [s for s in secrets if s in body] == [], role
    client.force_login(world.user(RoleCode.PROJECT_MANAGER))
    text = client.get(_url(world)).content.decode()
    assert '<tr data-stratum="A1|M"><td>A1</td><td>M</td><td>3</td></tr>' in text
    assert 'data-testid="scheme-randomised">3<' in text
    assert "Active" in text
    client.force_login(statistician(world))
    text = client.get(_url(world)).content.decode()
    assert all(s in text for s in secrets)  # control: the statistician's page does show them


def test_configuring_needs_the_permission(world, client):
    block_scheme(world)
    factor = StratificationFactor.objects.get(scheme__study=world.study)
    posts = [
        ("settings/", SETTINGS),
        ("factors/", {"name": "x", "source": "sex"}),
        (f"factors/{factor.pk}/", {"name": "site", "source": "site", "reason": "r"}),
        (f"factors/{factor.pk}/delete/", {"reason": "r"}),
        ("list/generate/", {"n_per_stratum": "4"}),
        ("list/upload/", {"text": "stratum,block,sequence,arm\n"}),
        ("activate/", {"password": PASSWORD}),
    ]
    for role in (RoleCode.PHARMACIST, RoleCode.BIOSTATISTICIAN, RoleCode.PROJECT_MANAGER):
        client.force_login(world.user(role))
        assert [client.post(_url(world, tail), data).status_code for tail, data in posts] == [403] * len(posts)
    client.force_login(world.outsider)
    assert client.get(_url(world)).status_code == 404
    # the statistician reaches the service, which refuses to change an active scheme
    c = _as_statistician(world, client)
    responses = [c.post(_url(world, tail), data) for tail, data in posts]
    assert [r.status_code for r in responses] == [200] * len(posts)
    assert all('data-field="status"' in r.content.decode() or "list-problems" in r.content.decode() for r in responses)


def test_no_scheme_yet(world, client):
    client.force_login(world.user(RoleCode.MONITOR))
    page = client.get(_url(world)).content.decode()
    assert 'data-testid="no-scheme"' in page and 'data-testid="settings-form"' not in page
    c = _as_statistician(world, client)
    assert 'data-testid="settings-form"' in c.get(_url(world)).content.decode()
    assert c.post(_url(world, "list/generate/"), {"n_per_stratum": "4"}).status_code == 404
