"""The ADaM and output specification pages: the overview's two lists, one specification with its versions, writing a
new one, editing one (located errors beside the text; a text naming another specification refused) and retiring one,
role by role.

World: tests/conftest.py's world (T-001). The biostatistician holds `analysis.run` (blinded); the unblinded
statistician too; the data manager does not (403); the outsider is no member of T-001 (404). The specifications are
the small ADSL and table 14-2.01 of tests/analysis/test_services.py.
"""

import pytest
from django.test import Client
from django.utils import timezone

from opencro.accounts import services as accounts
from opencro.accounts.permissions import RoleCode
from opencro.analysis.models import AnalysisSpec, AnalysisSpecKind
from opencro.analysis.selectors import analysis_specs_current
from opencro.analysis.services import analysis_spec_save
from opencro.audit.services import audited_save
from tests.analysis.conftest import ADSL_SPEC as ADSL
from tests.analysis.conftest import TABLE_SPEC as TABLE
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BIOSTAT, UNBLINDED, DM = "biostatistician", "unblinded_statistician", "data_manager"
ADAM, TFL = AnalysisSpecKind.ADAM, AnalysisSpecKind.TFL


def _base(w) -> str:
    return f"/studies/{w.study.pk}/analysis/"


def _loaded(w) -> tuple[AnalysisSpec, AnalysisSpec]:
    adsl = analysis_spec_save(actor=w.users[BIOSTAT], study=w.study, kind=ADAM, text=ADSL, note="first ADSL")
    table = analysis_spec_save(actor=w.users[UNBLINDED], study=w.study, kind=TFL, text=TABLE)
    return adsl, table


def _urls(w) -> list[str]:
    base = _base(w)
    return [
        base,
        base + "adam/ADSL/",
        base + "adam/ADSL/?version=1",
        base + "adam/ADSL/edit/",
        base + "adam/new/",
        base + "tfl/14-2.01/",
        base + "tfl/14-2.01/edit/",
        base + "tfl/new/",
    ]


def _posts(w) -> list[tuple[str, dict]]:
    base = _base(w)
    return [
        (base + "adam/new/", {"text": ADSL}),
        (base + "adam/ADSL/edit/", {"text": ADSL}),
        (base + "adam/ADSL/retire/", {}),
        (base + "tfl/new/", {"text": TABLE}),
        (base + "tfl/14-2.01/edit/", {"text": TABLE}),
        (base + "tfl/14-2.01/retire/", {}),
    ]


# --- who may open the pages


@pytest.mark.parametrize("role", [BIOSTAT, UNBLINDED])
def test_statisticians_open_every_page(world, login, role):
    _loaded(world)
    client = login(world.users[role])
    for url in _urls(world):
        assert client.get(url).status_code == 200, url


def test_a_member_without_analysis_run_is_refused_everywhere(world, login):
    _loaded(world)
    client = login(world.users[DM])
    for url in _urls(world)[1:]:
        assert client.get(url).status_code == 403, url
    for url, data in _posts(world):
        assert client.post(url, data).status_code == 403, url
    assert AnalysisSpec.objects.filter(study=world.study).count() == 2


def test_an_outsider_finds_nothing(world, login):
    _loaded(world)
    client = login(world.outsider)
    for url in _urls(world):
        assert client.get(url).status_code == 404, url
    for url, data in _posts(world):
        assert client.post(url, data).status_code == 404, url
    assert AnalysisSpec.objects.filter(study=world.study).count() == 2


def test_a_site_restricted_statistician_may_read_but_not_write(world, login):
    """The services refuse a membership limited to some sites (analysis datasets hold every site's data); the pages
    refuse it before looking at the text (a new one's name in use would otherwise answer 200)."""
    _loaded(world)
    user = make_user("site-statistician")
    accounts.membership_grant(
        actor=world.admin, user=user, study=world.study, role_code=RoleCode.BIOSTATISTICIAN, sites=[world.site_a]
    )
    client = login(user)
    assert client.get(_base(world) + "adam/ADSL/").status_code == 200
    assert client.get(_base(world) + "adam/ADSL/edit/").status_code == 403
    assert client.get(_base(world) + "tfl/new/").status_code == 403
    for url, data in _posts(world):
        assert client.post(url, data).status_code == 403, url
    assert AnalysisSpec.objects.filter(study=world.study).count() == 2


def test_unknown_specifications_and_versions_are_404(world, login):
    _loaded(world)
    client = login(world.users[UNBLINDED])
    base = _base(world)
    for url in ("adam/ADAE/", "adam/ADAE/edit/", "tfl/14-2.01/?version=2", "tfl/14-2.01/?version=x", "adam/14-2.01/"):
        assert client.get(base + url).status_code == 404, url
    assert client.post(base + "adam/ADAE/retire/").status_code == 404
    assert client.get(base + "sdtm/new/").status_code == 404  # only adam/ and tfl/


def test_posts_need_the_csrf_token_and_the_right_method(world, login):
    _loaded(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[BIOSTAT])
    assert client.post(_base(world) + "tfl/14-2.01/retire/").status_code == 403
    assert login(world.users[BIOSTAT]).get(_base(world) + "tfl/14-2.01/retire/").status_code == 405
    assert analysis_specs_current(world.study, TFL)[0].retired is False


# --- the overview


def test_the_overview_lists_the_current_specifications(world, login):
    _loaded(world)
    analysis_spec_save(actor=world.users[BIOSTAT], study=world.study, kind=TFL, text=TABLE, note="second look")
    page = login(world.users[BIOSTAT]).get(_base(world)).content.decode()
    adam = page.split('data-testid="adam-specs"')[1].split("</table>")[0]
    row = adam.split('data-name="ADSL"')[1].split("</tr>")[0]
    assert f'href="{_base(world)}adam/ADSL/"' in row
    assert "<td>1</td>" in row and "<td>Subject-Level Analysis Dataset</td>" in row  # ADSL's label:
    assert f"<td>{world.users[BIOSTAT].printed_name}</td>" in row and "<td>first ADSL</td>" in row
    tfl = page.split('data-testid="tfl-specs"')[1].split("</table>")[0]
    row = tfl.split('data-name="14-2.01"')[1].split("</tr>")[0]
    assert "<td>2</td>" in row and "<td>Sex by planned treatment</td>" in row  # the titles after "Table 14-2.01"
    assert "<td>second look</td>" in row and tfl.count("data-name=") == 1  # the newest version only
    assert f'href="{_base(world)}adam/new/"' in page and f'href="{_base(world)}tfl/new/"' in page


def test_the_overview_before_any_specification(world, login):
    page = login(world.users[BIOSTAT]).get(_base(world)).content.decode()
    assert "ADaM datasets" in page and "Tables, listings and figures" in page
    assert page.count("None yet.") == 2


# --- one specification


def test_the_page_shows_the_text_as_written_and_every_version(world, login):
    w = world
    _loaded(w)
    commented = "# reviewed with the SAP\n" + ADSL
    analysis_spec_save(actor=w.users[UNBLINDED], study=w.study, kind=ADAM, text=commented, note="SAP review")
    client = login(w.users[BIOSTAT])
    response = client.get(_base(w) + "adam/ADSL/")
    page = response.content.decode()
    assert response.context["spec"].number == 2 and 'data-testid="spec-is-current"' in page
    assert "# reviewed with the SAP" in page.split('data-testid="spec-yaml">')[1]  # comments kept
    assert 'data-testid="spec-title">Subject-Level Analysis Dataset<' in page
    versions = page.split('data-testid="spec-versions"')[1]
    assert 'data-version="2"' in versions and 'data-version="1"' in versions
    assert "?version=1" in versions
    older = client.get(_base(w) + "adam/ADSL/?version=1")
    assert older.context["spec"].number == 1 and older.context["spec"].note == "first ADSL"
    assert "# reviewed" not in older.content.decode().split('data-testid="spec-yaml">')[1].split("</pre>")[0]
    assert 'data-testid="spec-older"' in older.content.decode()
    assert f'href="{_base(w)}adam/ADSL/edit/"' in page and 'data-testid="spec-retire-form"' in page


# --- writing and editing


def test_a_new_output_specification_is_saved_under_its_id(world, login):
    w = world
    client = login(w.users[UNBLINDED])
    response = client.post(_base(w) + "tfl/new/", {"text": TABLE, "note": "from the SAP"}, follow=True)
    assert response.redirect_chain == [(_base(w) + "tfl/14-2.01/", 302)]
    assert "14-2.01 version 1 saved." in response.content.decode()
    saved = AnalysisSpec.objects.get(study=w.study, kind=TFL)
    assert (saved.name, saved.number, saved.note, saved.text) == ("14-2.01", 1, "from the SAP", TABLE)


def test_a_new_specification_may_not_take_the_name_of_one_in_use(world, login):
    _loaded(world)
    response = login(world.users[BIOSTAT]).post(_base(world) + "adam/new/", {"text": ADSL})
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["ADSL already exists: edit it to save a new version of it."]
    assert AnalysisSpec.objects.filter(study=world.study, kind=ADAM).count() == 1


def test_the_edit_page_is_prefilled_and_saves_a_new_version(world, login):
    w = world
    _loaded(w)
    client = login(w.users[BIOSTAT])
    assert client.get(_base(w) + "tfl/14-2.01/edit/").context["form"].initial["text"] == TABLE
    edited = TABLE.replace("rows:", "rows:  # as collected")
    response = client.post(_base(w) + "tfl/14-2.01/edit/", {"text": edited, "note": "comment"}, follow=True)
    assert response.redirect_chain == [(_base(w) + "tfl/14-2.01/", 302)]
    assert "14-2.01 version 2 saved." in response.content.decode()
    assert [(v.number, v.text) for v in analysis_specs_current(w.study, TFL)] == [(2, edited)]


@pytest.mark.parametrize(
    ("kind", "name", "text", "located"),
    [
        # PyYAML: a block entry inside a flow sequence; the service reports the line
        ("tfl", "14-2.01", 'id: "14-2.01"\ntitles: [\n  - a\n', "line 3"),
        ("tfl", "14-2.01", TABLE.replace("type: count", "type: tally"), "rows[0].type"),
        (
            "adam",
            "ADSL",
            ADSL.replace("kind: copy}}\n  - {name: TRT01P", "kind: clone}}\n  - {name: TRT01P"),
            "USUBJID",
        ),
    ],
)
def test_a_refused_edit_is_shown_beside_the_text(world, login, kind, name, text, located):
    w = world
    _loaded(w)
    response = login(w.users[BIOSTAT]).post(_base(w) + f"{kind}/{name}/edit/", {"text": text, "note": "broken"})
    assert response.status_code == 200
    errors = response.context["form"].errors["text"]
    assert len(errors) == 1 and located in errors[0], errors
    assert located in response.content.decode().split('data-testid="spec-text-errors"')[1].split("</div>")[0]
    assert AnalysisSpec.objects.filter(study=w.study).count() == 2


def test_editing_one_specification_into_another_is_refused(world, login):
    w = world
    _loaded(w)
    renamed = TABLE.replace('id: "14-2.01"', 'id: "14-2.02"')
    response = login(w.users[BIOSTAT]).post(_base(w) + "tfl/14-2.01/edit/", {"text": renamed})
    assert response.status_code == 200
    (error,) = response.context["form"].errors["text"]
    assert "names the output id 14-2.02, not 14-2.01" in error
    adsl2 = ADSL.replace("dataset: ADSL", "dataset: ADSL2")
    (error,) = (
        login(w.users[BIOSTAT]).post(_base(w) + "adam/ADSL/edit/", {"text": adsl2}).context["form"].errors["text"]
    )
    assert "names the dataset ADSL2, not ADSL" in error
    assert AnalysisSpec.objects.filter(study=w.study).count() == 2


# --- retiring


def test_retiring_saves_a_retired_version_that_leaves_the_current_ones(world, login):
    w = world
    _loaded(w)
    client = login(w.users[UNBLINDED])
    response = client.post(_base(w) + "adam/ADSL/retire/", {"note": "not in the SAP any more"}, follow=True)
    assert response.redirect_chain == [(_base(w) + "adam/ADSL/", 302)]
    page = response.content.decode()
    assert "ADSL retired (version 2)." in page and 'data-testid="spec-retired"' in page
    assert 'data-testid="spec-retire-form"' not in page  # nothing more to retire
    retired = AnalysisSpec.objects.get(study=w.study, kind=ADAM, number=2)
    assert (retired.retired, retired.text, retired.note, retired.created_by) == (
        True,
        ADSL,
        "not in the SAP any more",
        w.users[UNBLINDED],
    )
    assert analysis_specs_current(w.study, ADAM) == []
    assert "ADSL" not in client.get(_base(w)).content.decode().split('data-testid="adam-specs"')[1].split("</table>")[0]
    again = client.post(_base(w) + "adam/ADSL/retire/", follow=True)
    assert "ADSL is retired already." in again.content.decode()
    assert AnalysisSpec.objects.filter(study=w.study, kind=ADAM).count() == 2


def test_editing_a_retired_specification_brings_it_back(world, login):
    w = world
    _loaded(w)
    client = login(w.users[BIOSTAT])
    client.post(_base(w) + "tfl/14-2.01/retire/")
    assert analysis_specs_current(w.study, TFL) == []
    assert 'data-testid="spec-retired-note"' in client.get(_base(w) + "tfl/14-2.01/edit/").content.decode()
    assert client.post(_base(w) + "tfl/14-2.01/edit/", {"text": TABLE}).status_code == 302
    assert [(v.name, v.number, v.retired) for v in analysis_specs_current(w.study, TFL)] == [("14-2.01", 3, False)]


def test_the_retire_button_asks_for_confirmation(world, login):
    _loaded(world)
    page = login(world.users[BIOSTAT]).get(_base(world) + "tfl/14-2.01/").content.decode()
    form = page.split('data-testid="spec-retire-form"')[1].split("</form>")[0]
    assert 'data-confirm="Retire 14-2.01? Packages will leave it out."' in form


def test_a_stored_version_that_no_longer_checks_shows_its_problem(world, login):
    """A version saved when the parser accepted it (written here directly) is shown as stored, with the located
    problem, and without a title on the overview."""
    w = world
    audited_save(
        AnalysisSpec(
            study=w.study,
            kind=TFL,
            name="14-2.01",
            number=1,
            text=TABLE.replace("type: count", "type: tally"),
            created_by=w.users[BIOSTAT],
            created_at=timezone.now(),
        ),
        actor=None,
    )
    client = login(w.users[BIOSTAT])
    page = client.get(_base(w) + "tfl/14-2.01/")
    assert page.status_code == 200
    assert "14-2.01 v1: rows[0].type: 'tally'" in page.context["problem"]
    assert 'data-testid="spec-problem"' in page.content.decode() and page.context["title"] == ""
    row = client.get(_base(w)).content.decode().split('data-name="14-2.01"')[1].split("</tr>")[0]
    assert "<td>\u2013</td>" in row  # an en dash: no title
