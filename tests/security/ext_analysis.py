"""Security-sweep rows for the submission package (see tests/security/extensions.py).

World (`world_data`): a hand-written mapping specification (`{an_spec}`, version 1; its YAML as `{an_spec_text}`,
which the edit rows send back, so every save is a real new version) and a blinded package recorded as started by
the biostatistician (`{an_package}`). That package is not built: the sweeps run without a
package folder (the build writes files under VAR_DIR, and the sweeps' world lives in one rolled-back
transaction), so its download answers 404 to every holder of `analysis.run` and 403 to everyone else; the real
download is tested in tests/analysis/test_pages.py and test_api.py. Building from the page submits a job that never
runs here (its dispatch waits for a commit that never comes): the page answers 302 to the job's page.

ADaM and output specifications: `{an_adam}` (ADSL, its YAML `{an_adam_text}`), `{an_tfl}` (14-2.01, `{an_tfl_text}`)
and `{an_tfl_old}` (14-2.02), each at version 1. The edit and save rows send a spec's own text back (a new version
every time). The page's retire row retires ADSL (sent again, it answers 302 with "retired already"); the API's
retire row retires 14-2.02, which nothing else names, so that it is a real 201 the one time a sweep sends it. The
"new" rows write ADNEW and 14-9.99, which no other row names (the page refuses a name in use with a 200).

No row names a site object: the package is the whole study's. Only blinded packages are named, so the rows hold
for the blinded biostatistician too; that an unblinded package is 404 to a blinded reader everywhere is tested in
tests/analysis/.
"""

from opencro.accounts.permissions import Perm, RoleCode
from opencro.analysis import services as analysis_services
from opencro.analysis.services import mapping_spec_create_default, package_start
from opencro.analysis.views import spec_text
from opencro.studies.models import Study
from tests.security.cases import Case
from tests.security.matrix import Access, api, page

S, RUN = Access.STUDY, Perm.ANALYSIS_RUN
PATTERN = "studies/<int:study_id>/analysis/"
PAGE = "/studies/{study}/analysis/"
API_PATH = "/api/v1/studies/{study_id}/analysis"
API_URL = "/api/v1/studies/{study}/analysis"
SPEC = "study_id: T-001\ndomains: []\nnotes:\n- 'Matrix: nothing mapped yet.'\n"
ADSL = """
dataset: ADSL
label: Subject-Level Analysis Dataset
keys: [USUBJID]
base: {source: DM}
variables:
  - {name: USUBJID, label: Unique Subject Identifier, type: text, derivation: {kind: copy}}
  - {name: SEX, label: Sex, type: text, derivation: {kind: copy}}
"""  # an ADaM specification (a shorter ADSL than tests/analysis/test_services.py's)
TABLE = """
id: "14-2.01"
titles: ["Table 14-2.01", "Sex by planned treatment"]
population: {label: All subjects, dataset: ADSL}
columns: {variable: TRT01P}
rows:
  - {type: count, label: Sex, variable: SEX}
"""  # an output specification (as in tests/analysis/test_services.py)
EDIT = {"text": "{an_spec_text}", "note": "Matrix: reviewed."}
ADAM_NEW = """
dataset: ADNEW
label: Matrix Analysis Dataset
keys: [USUBJID]
base: {source: DM}
variables:
  - {name: USUBJID, label: Unique Subject Identifier, type: text, derivation: {kind: copy}}
"""
ADAM_EDIT = {"text": "{an_adam_text}", "note": "Matrix: reviewed."}
TFL_EDIT = {"text": "{an_tfl_text}", "note": "Matrix: reviewed."}

PAGES: list = [
    page("GET", PATTERN, S, RUN, url=PAGE),
    page("POST", PATTERN + "specs/default/", S, RUN, url=PAGE + "specs/default/", data={}, ok=302),
    page("GET", PATTERN + "specs/edit/", S, RUN, url=PAGE + "specs/edit/"),
    page("POST", PATTERN + "specs/edit/", S, RUN, url=PAGE + "specs/edit/", data=EDIT, ok=302),
    page("GET", PATTERN + "specs/<int:number>/", S, RUN, url=PAGE + "specs/{an_spec}/"),
    page("GET", PATTERN + "adam/new/", S, RUN, url=PAGE + "adam/new/"),
    page("POST", PATTERN + "adam/new/", S, RUN, url=PAGE + "adam/new/", data={"text": "{an_adam_new_text}"}, ok=302),
    page("GET", PATTERN + "adam/<str:name>/", S, RUN, url=PAGE + "adam/{an_adam}/?version=1"),
    page("GET", PATTERN + "adam/<str:name>/edit/", S, RUN, url=PAGE + "adam/{an_adam}/edit/"),
    page("POST", PATTERN + "adam/<str:name>/edit/", S, RUN, url=PAGE + "adam/{an_adam}/edit/", data=ADAM_EDIT, ok=302),
    page("POST", PATTERN + "adam/<str:name>/retire/", S, RUN, url=PAGE + "adam/{an_adam}/retire/", data={}, ok=302),
    page("GET", PATTERN + "tfl/new/", S, RUN, url=PAGE + "tfl/new/"),
    page("POST", PATTERN + "tfl/new/", S, RUN, url=PAGE + "tfl/new/", data={"text": "{an_tfl_new_text}"}, ok=302),
    page("GET", PATTERN + "tfl/<str:name>/", S, RUN, url=PAGE + "tfl/{an_tfl}/"),
    page("GET", PATTERN + "tfl/<str:name>/edit/", S, RUN, url=PAGE + "tfl/{an_tfl}/edit/"),
    page("POST", PATTERN + "tfl/<str:name>/edit/", S, RUN, url=PAGE + "tfl/{an_tfl}/edit/", data=TFL_EDIT, ok=302),
    page(
        "POST",
        PATTERN + "tfl/<str:name>/retire/",
        S,
        RUN,
        url=PAGE + "tfl/{an_tfl}/retire/",
        data={"note": "Matrix: retired."},
        ok=302,
    ),
    page("POST", PATTERN + "packages/build/", S, RUN, url=PAGE + "packages/build/", data={"blinded": "on"}, ok=302),
    page("GET", PATTERN + "packages/<int:number>/", S, RUN, url=PAGE + "packages/{an_package}/"),
    # not built in the sweeps' world (see above): 404 for holders, 403 for the others
    page(
        "GET",
        PATTERN + "packages/<int:number>/download/",
        S,
        RUN,
        url=PAGE + "packages/{an_package}/download/",
        ok=404,
    ),
]

API: list = [
    api("GET", API_PATH + "/specs", S, RUN, url=API_URL + "/specs"),
    api("POST", API_PATH + "/specs", S, RUN, url=API_URL + "/specs", data=EDIT, ok=201),
    api("POST", API_PATH + "/specs/default", S, RUN, url=API_URL + "/specs/default", data={}, ok=201),
    api("GET", API_PATH + "/specs/{number}", S, RUN, url=API_URL + "/specs/{an_spec}"),
    api("GET", API_PATH + "/packages", S, RUN, url=API_URL + "/packages"),
    api("GET", API_PATH + "/{kind}/specs", S, RUN, url=API_URL + "/adam/specs"),
    api("POST", API_PATH + "/{kind}/specs", S, RUN, url=API_URL + "/tfl/specs", data=TFL_EDIT, ok=201),
    api("GET", API_PATH + "/{kind}/specs/{name}", S, RUN, url=API_URL + "/tfl/specs/{an_tfl}?version=1"),
    api("GET", API_PATH + "/{kind}/specs/{name}/versions", S, RUN, url=API_URL + "/adam/specs/{an_adam}/versions"),
    api(
        "POST",
        API_PATH + "/{kind}/specs/{name}/retire",
        S,
        RUN,
        url=API_URL + "/tfl/specs/{an_tfl_old}/retire",
        data={"note": "Matrix: retired."},
        ok=201,
    ),
    api("GET", API_PATH + "/packages/{number}", S, RUN, url=API_URL + "/packages/{an_package}"),
    api(
        "GET",
        API_PATH + "/packages/{number}/download",
        S,
        RUN,
        url=API_URL + "/packages/{an_package}/download",
        ok=404,
    ),
]

MODULES: dict = {"analysis": analysis_services}
EXEMPT: dict[str, str] = {
    "analysis.package_build": "builds a package package_start recorded after its checks (the job and the CLI)",
    "analysis.analysis_spec_check": "parses and checks a specification's text; reads and writes nothing",
    "analysis.analysis_spec_name": "the name of a parsed specification",
    "analysis.spec_to_content": "converts a specification to JSON; reads and writes nothing",
    "analysis.data_locked": "a read of the study's lock state",
    "analysis.packages_root": "a path from the settings",
    "analysis.package_folder": "a path from the settings",
    "analysis.package_permission": "the permission check package_start and package_build make (cases above)",
    "analysis.spec_writer_check": "the permission check analysis_spec_save makes (its case above), for the pages",
}


def _study(w) -> Study:
    return Study.objects.get(pk=w.study.pk)


CASES: list = [
    Case(
        "analysis.mapping_spec_create_default",
        lambda w, u: mapping_spec_create_default(actor=u, study=_study(w)),
        RUN,
        RoleCode.BIOSTATISTICIAN,
    ),
    Case(
        "analysis.mapping_spec_save",
        lambda w, u: analysis_services.mapping_spec_save(actor=u, study=_study(w), text=w.ids["an_spec_text"]),
        RUN,
        RoleCode.BIOSTATISTICIAN,
    ),
    Case(
        "analysis.analysis_spec_save",
        lambda w, u: analysis_services.analysis_spec_save(actor=u, study=_study(w), kind="tfl", text=TABLE),
        RUN,
        RoleCode.BIOSTATISTICIAN,
    ),
    Case(
        "analysis.analysis_spec_retire",
        lambda w, u: analysis_services.analysis_spec_retire(
            actor=u, study=_study(w), kind="adam", name=w.ids["an_adam"]
        ),
        RUN,
        RoleCode.BIOSTATISTICIAN,
    ),
    Case(
        "analysis.package_start",
        lambda w, u: package_start(actor=u, study=_study(w), blinded=True),
        RUN,
        RoleCode.BIOSTATISTICIAN,
    ),
]


def world_data(w) -> None:
    """`{an_spec}` and its YAML `{an_spec_text}`; the ADaM and output specifications (`{an_adam}`, `{an_tfl}`,
    `{an_tfl_old}`, with their texts) and the new ones' texts; `{an_package}`, a blinded package started, not built.

    The world's eCRF build carries no SDTM annotations, so the version is written by hand (a generated one would
    not load back: see tests/analysis/test_pages.py)."""
    spec = analysis_services.mapping_spec_save(actor=None, study=w.study, text=SPEC, note="matrix")
    w.ids["an_spec"] = spec.number
    w.ids["an_spec_text"] = spec_text(spec)
    biostatistician = w.users[RoleCode.BIOSTATISTICIAN]
    adam = analysis_services.analysis_spec_save(actor=biostatistician, study=w.study, kind="adam", text=ADSL)
    table = analysis_services.analysis_spec_save(actor=biostatistician, study=w.study, kind="tfl", text=TABLE)
    old = TABLE.replace('"14-2.01"', '"14-2.02"').replace('"Table 14-2.01"', '"Table 14-2.02"')
    w.ids["an_tfl_old"] = analysis_services.analysis_spec_save(
        actor=biostatistician, study=w.study, kind="tfl", text=old
    ).name
    w.ids.update(an_adam=adam.name, an_adam_text=adam.text, an_tfl=table.name, an_tfl_text=table.text)
    w.ids["an_adam_new_text"] = ADAM_NEW
    w.ids["an_tfl_new_text"] = TABLE.replace('"14-2.01"', '"14-9.99"').replace('"Table 14-2.01"', '"Table 14-9.99"')
    w.ids["an_package"] = package_start(actor=w.users[RoleCode.BIOSTATISTICIAN], study=w.study, blinded=True).number
