"""The route matrix: every page and every API operation, and who may use it.

Add a row whenever you add a URL pattern or an API operation: `test_route_matrix` enumerates
the URL resolver and the OpenAPI schema and fails for any route without a row (and for any row
whose route no longer exists). Rows are checked by the sweeps in this package:

- anonymous: pages redirect to the login page, the API answers 401 (PUBLIC rows answer `ok`);
- outsider (member of another study only): STUDY rows answer 404, SUPERUSER rows 403,
  SIGNED_IN rows answer `ok` without a trace of the study;
- every role of DEFAULT_ROLES (rows with `full=True`): `ok` with `perm`, 403 without it;
- site-restricted roles: no trace of site B1; URLs naming a B1 object answer `site_b`;
- blinded roles: no randomisation number or arm assignment in any GET response.

URL templates (and string values of `data`) use these placeholders, filled from the world of
tests/security/conftest.py by `url_for` and `data_for`: {study}, {site}, {subject}, {assignment}
(of that subject), {version} (a draft protocol version), {user} (a locked user to unlock), and
the ids in `world.ids` (one unreferenced protocol element per kind, a job). {site}, {subject}
and {assignment} are site A1's unless a sweep asks for site B1's.
"""

from dataclasses import dataclass
from enum import StrEnum

from opencro.accounts.permissions import Perm
from tests.conftest import PASSWORD
from tests.security.extensions import extensions

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SITE_OBJECTS = (
    "{site}",
    "{sf_",
    "{subject}",
    "{assignment}",
    "{form}",
    "{q_",
    "{term_",
    "{event}",
    "{file}",
    "{sup_",
    "{su_",
    "{fu_",
    "{pd_",
    "{iss_",
    "{mv_",
    "{doc_",
    "{reg_",
    "{pay_",
)


class Access(StrEnum):
    PUBLIC = "public"  # answers without signing in
    SIGNED_IN = "signed_in"  # any signed-in user; shows only that user's own studies
    SUPERUSER = "superuser"  # system administrators only; 403 for everyone else
    STUDY = "study"  # members of the study in the URL; 404 for everyone else, 403 without `perm`
    # people of the organisations in `owners` (codes of tests/partnership's world); 404 for everyone else, `refused`
    # without `perm` (an OrgPerm); system administrators without an organisation: `ok` where `superuser_ok`, else 404
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Route:
    """One method on one route. `pattern` is the resolver route (pages) or OpenAPI path (API)."""

    method: str
    pattern: str
    url: str
    access: Access
    perm: str | None = None
    data: dict | None = None
    ok: int = 200
    signed_in_ok: int | None = None  # PUBLIC rows that answer a signed-in user otherwise (default: ok)
    site_b: str = "404"  # what a user restricted to A1 gets for the B1 variant: "404" or "empty"
    full: bool = True  # False: a route another team owns; only the baseline sweeps apply
    owners: tuple[str, ...] = ()  # ORGANISATION rows: the organisations whose people may use the route
    superuser_ok: bool = False  # ORGANISATION rows a system administrator may use without an organisation
    refused: int = 403  # ORGANISATION rows: the answer to an owner's person without `perm`
    barred: str | None = None  # STUDY rows: a permission whose holders are refused (403) even holding `perm`

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")

    @property
    def writes(self) -> bool:
        return self.method not in SAFE_METHODS

    @property
    def names_site_object(self) -> bool:
        where = self.url + str(self.data or "")
        return any(p in where for p in SITE_OBJECTS)

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


def page(method, pattern, access, perm=None, url=None, **kw) -> Route:
    return Route(method, pattern, url or "/" + pattern, access, perm, **kw)


def api(method, path, access, perm=None, url=None, **kw) -> Route:
    return Route(method, path, url or path, access, perm, **kw)


P, S = Access.PUBLIC, Access.STUDY
EDC = "/studies/{study}/edc"
FORM_PATTERN = (
    "studies/<int:study_id>/edc/"
    + "subjects/<int:subject_id>/<str:event_oid>/<int:event_repeat>/<str:form_oid>/<int:form_repeat>/"
)
FORM_URL = EDC + "/subjects/{subject}/SE.SCR/1/F.VS/1/"
EDC_API = "/api/v1/studies/{study_id}/edc"
EDC_API_URL = "/api/v1/studies/{study}/edc"
FORM_API = EDC_API + "/subjects/{subject_id}/forms/{event_oid}/{event_repeat}/{form_oid}/{form_repeat}"
FORM_API_URL = EDC_API_URL + "/subjects/{subject}/forms/SE.SCR/1/F.VS/1"


CODING = "/studies/{study}/coding/"
CODING_API = "/api/v1/studies/{study_id}/coding"
CODING_API_URL = "/api/v1/studies/{study}/coding"
DESIGN = "/studies/{study}/design/"
DESIGN_API = "/api/v1/studies/{study_id}"
DESIGN_API_URL = "/api/v1/studies/{study}"
DESIGN_INPUTS = {"delta": 5, "sd": 10}
DESIGN_FORM = {"kind": "means", "delta": "5", "sd": "10"}
DESIGN_ADOPT = {"password": PASSWORD}
# emergency unblinding: {subject} is A1's (blinded), its B1 variant already unblinded (world_unblinding.py)
UNBLIND_PATTERN = "studies/<int:study_id>/rtsm/subjects/<int:subject_id>/unblind/"
UNBLIND_PAGE = "/studies/{study}/rtsm/subjects/{subject}/unblind/"
UNBLIND_API = "/api/v1/studies/{study_id}/rtsm/subjects/{subject_id}"
UNBLIND_API_URL = "/api/v1/studies/{study}/rtsm/subjects/{subject}"
UNBLIND_FORM = {"reason": "Anaphylaxis: the treatment must be known", "password": PASSWORD}
# randomisation scheme and reports: the world's scheme is active (world_scheme.py), so each configuration
# write reaches the service and is refused there (the page re-rendered: 200; the API: 422), order-free
RTSM_PATTERN = "studies/<int:study_id>/rtsm/"
RTSM = "/studies/{study}/rtsm/"
RTSM_API = "/api/v1/studies/{study_id}/rtsm"
RTSM_API_URL = "/api/v1/studies/{study}/rtsm"
RTSM_SETTINGS = {"method": "block_list", "block_sizes": "2, 4", "p_best": "0.8", "reason": "matrix"}
RTSM_LIST = "stratum,block,sequence,arm\n"
RANDOMISE_PATTERN = "studies/<int:study_id>/rtsm/subjects/<int:subject_id>/randomise/"
RANDOMISE_PAGE = "/studies/{study}/rtsm/subjects/{subject}/randomise/"
RANDOMISE_FORM = {"consented_on": "2026-03-01", "eligibility_confirmed": "on"}


def _rtsm_pages() -> list[Route]:
    write = {"access": S, "perm": Perm.RTSM_CONFIGURE, "ok": 200}
    rows = [
        ("scheme/settings/", RTSM_SETTINGS),
        ("scheme/factors/", {"name": "matrix", "source": "sex"}),
        ("scheme/factors/<int:factor_id>/", {"name": "site", "source": "site", "reason": "matrix"}),
        ("scheme/factors/<int:factor_id>/delete/", {"reason": "matrix"}),
        ("scheme/list/generate/", {"n_per_stratum": "3"}),
        ("scheme/list/upload/", {"text": RTSM_LIST}),
        ("scheme/activate/", {"password": PASSWORD}),
    ]
    return [
        page("GET", RTSM_PATTERN + "scheme/", S, Perm.STUDY_VIEW, url=RTSM + "scheme/"),
        *(
            page(
                "POST",
                RTSM_PATTERN + tail,
                url=RTSM + tail.replace("<int:factor_id>", "{rtsm_factor}"),
                data=data,
                **write,
            )
            for tail, data in rows
        ),
        page("GET", RTSM_PATTERN + "scheme/list.csv", S, Perm.RTSM_CONFIGURE, url=RTSM + "scheme/list.csv"),
        page("GET", RTSM_PATTERN + "report/", S, Perm.STUDY_VIEW, url=RTSM + "report/"),
        page("GET", RTSM_PATTERN + "report/export.csv", S, Perm.STUDY_VIEW, url=RTSM + "report/export.csv"),
        # {subject} is randomised already (conftest): the page says so, a POST re-renders with the refusal
        page("GET", RANDOMISE_PATTERN, S, Perm.RANDOMISE, url=RANDOMISE_PAGE),
        page("POST", RANDOMISE_PATTERN, S, Perm.RANDOMISE, url=RANDOMISE_PAGE, data=RANDOMISE_FORM),
    ]


def _rtsm_api() -> list[Route]:
    rows = [
        ("POST", "/scheme", {"p_best": 0.7, "reason": "matrix"}),
        ("POST", "/scheme/factors", {"name": "matrix", "source": "sex"}),
        ("PATCH", "/scheme/factors/{factor_id}", {"label": "matrix", "reason": "matrix"}),
        ("DELETE", "/scheme/factors/{factor_id}?reason=matrix", None),
        ("POST", "/scheme/list/generate", {"n_per_stratum": 3}),
        ("POST", "/scheme/list/upload", {"filename": "matrix.csv", "text": RTSM_LIST}),
        ("POST", "/scheme/activate", {"password": PASSWORD}),
    ]
    return [
        api("GET", RTSM_API + "/scheme", S, Perm.STUDY_VIEW, url=RTSM_API_URL + "/scheme"),
        api("GET", RTSM_API + "/scheme/config", S, Perm.RTSM_CONFIGURE, url=RTSM_API_URL + "/scheme/config"),
        *(
            api(
                method,
                RTSM_API + tail.split("?")[0],
                S,
                Perm.RTSM_CONFIGURE,
                url=RTSM_API_URL + tail.replace("{factor_id}", "{rtsm_factor}"),
                data=data,
                ok=422,
            )
            for method, tail, data in rows
        ),
        api("GET", RTSM_API + "/scheme/list.csv", S, Perm.RTSM_CONFIGURE, url=RTSM_API_URL + "/scheme/list.csv"),
        api("GET", RTSM_API + "/report", S, Perm.STUDY_VIEW, url=RTSM_API_URL + "/report"),
        api("GET", RTSM_API + "/report/allocation", S, Perm.TREATMENT_VIEW, url=RTSM_API_URL + "/report/allocation"),
        api(
            "POST",
            RTSM_API + "/subjects/{subject_id}/randomise",
            S,
            Perm.RANDOMISE,
            url=RTSM_API_URL + "/subjects/{subject}/randomise",
            data={"eligibility_confirmed": True, "consented_on": "2026-03-01"},
            ok=422,
        ),
    ]


# trial supply: the world's objects are built in tests/security/world_supply.py; `{sup_*}` placeholders are
# per site (B1's for the site sweeps), `{supply_*}` the study's. Reads first, then each write on its own object.
SUPPLY_API = "/api/v1/studies/{study_id}/rtsm/supply"
SUPPLY_URL = "/api/v1/studies/{study}/rtsm/supply"
SUPPLY_SETTINGS = {
    "do_not_ship_days": 30,
    "do_not_dispense_days": 7,
    "shipping_days": 4,
    "forecast_days": 56,
    "enrolment_per_site_month": 1.5,
    "reason": "matrix",
}


SUPPLY_SUBJECT_READS = [
    api(
        "GET",
        f"{SUPPLY_API}/subjects/{{subject_id}}/{part}",
        S,
        Perm.SUBJECT_VIEW,
        url=f"{SUPPLY_URL}/subjects/{{subject}}/{part}",
    )
    for part in ("dispensations", "accountability")
]


def _supply_api() -> list[Route]:
    def row(method, tail, perm, url_tail=None, **kw):
        path = SUPPLY_API + tail
        return api(method, path, S, perm, url=SUPPLY_URL + (url_tail or tail), **kw)

    M, D, V = Perm.SUPPLY_MANAGE, Perm.DISPENSE, Perm.SITE_VIEW
    site, ship, disp = "/sites/{site}", "/shipments/{sup_shp_", "/dispensations/{sup_disp_"
    return [
        row("GET", "/settings", Perm.STUDY_VIEW),
        row("GET", "/kit-types", M),
        row("GET", "/lots", M),
        row("GET", "/depots", M),
        row("GET", "/depots/{depot_id}/inventory", M, "/depots/{supply_depot}/inventory"),
        row("GET", "/kits", V),
        row("GET", "/kits/{number}", V, "/kits/{sup_kit}"),
        row("GET", "/sites/{site_id}/inventory", V, site + "/inventory"),
        row("GET", "/sites/{site_id}/accountability", V, site + "/accountability"),
        row("GET", "/sites/{site_id}/supply-levels", M, site + "/supply-levels"),
        row("GET", "/sites/{site_id}/resupply", M, site + "/resupply"),
        row("GET", "/dispensing-visits", Perm.STUDY_VIEW),
        row("GET", "/shipments", V),
        row("GET", "/shipments/{shipment_id}", V, ship + "view}"),
        row("GET", "/excursions", V),
        row("GET", "/excursions/{excursion_id}", V, "/excursions/{sup_exc}"),
        row("PUT", "/settings", M, data=SUPPLY_SETTINGS),
        row("POST", "/kit-types", M, data={"code": "KM", "name": "Matrix kit", "arm_id": "{supply_arm}"}, ok=201),
        row("PATCH", "/kit-types/{kit_type_id}", M, "/kit-types/{supply_kt_a}", data={"name": "Kit", "reason": "m"}),
        row(
            "POST",
            "/lots",
            M,
            data={"kit_type_id": "{supply_kt_a}", "number": "LM", "expires_on": "2099-01-01"},
            ok=201,
        ),
        row("PATCH", "/lots/{lot_id}", M, "/lots/{supply_lot_a}", data={"expires_on": "2099-06-01", "reason": "m"}),
        row("POST", "/depots", M, data={"code": "DM", "name": "Matrix depot", "country_codes": ["US"]}, ok=201),
        row("PATCH", "/depots/{depot_id}", M, "/depots/{supply_depot}", data={"name": "Depot", "reason": "m"}),
        row(
            "POST",
            "/depots/{depot_id}/kits",
            M,
            "/depots/{supply_depot}/kits",
            data={"lots": [{"lot_id": "{supply_lot_a}", "count": 2}]},
            ok=201,
        ),
        row(
            "PUT",
            "/sites/{site_id}/supply-levels/{kit_type_id}",
            M,
            site + "/supply-levels/{supply_kt_a}",
            data={"minimum": 2, "maximum": 6, "reason": "matrix"},
        ),
        row(
            "DELETE",
            "/sites/{site_id}/supply-levels/{kit_type_id}",
            M,
            site + "/supply-levels/{supply_kt_p}?reason=matrix",
            ok=204,
        ),
        row(
            "PUT",
            "/dispensing-visits/{visit_id}",
            M,
            "/dispensing-visits/{supply_visit_v3}",
            data={"kits": 3, "reason": "matrix"},
        ),
        row(
            "DELETE", "/dispensing-visits/{visit_id}", M, "/dispensing-visits/{supply_visit_free}?reason=matrix", ok=204
        ),
        row(
            "POST",
            "/shipments",
            M,
            data={
                "depot_id": "{supply_depot}",
                "site_id": "{site}",
                "lines": [{"kit_type_id": "{supply_kt_a}", "quantity": 1}],
            },
            ok=201,
        ),
        row("POST", "/shipments/{shipment_id}/request", M, ship + "request}/request", data={}),
        row("POST", "/shipments/{shipment_id}/ship", M, ship + "ship}/ship", data={"tracking": "1Z"}),
        row(
            "POST",
            "/shipments/{shipment_id}/receive",
            D,
            ship + "receive}/receive",
            data={"default_condition": "received"},
        ),
        row("POST", "/shipments/{shipment_id}/cancel", M, ship + "cancel}/cancel", data={"reason": "matrix"}),
        row(
            "POST",
            "/subjects/{subject_id}/dispense",
            D,
            "/subjects/{subject}/dispense",
            data={"visit_id": "{supply_visit_v2}", "visit_date": "{sup_today}"},
        ),
        row(
            "POST",
            "/dispensations/{dispensation_id}/replace",
            D,
            disp + "replace}/replace",
            data={"condition": "damaged", "reason": "matrix"},
        ),
        row(
            "POST",
            "/dispensations/{dispensation_id}/return",
            D,
            disp + "return}/return",
            data={"units_returned": 3, "returned_on": "{sup_today}"},
        ),
        row("POST", "/kits/destroy", M, data={"numbers": ["{supply_kit_returned}"], "reason": "matrix"}),
        row("POST", "/sites/{site_id}/resupply", M, site + "/resupply", data={}),
        row("POST", "/resupply", M, data={}),
        row(
            "POST",
            "/excursions",
            D,
            data={"shipment_id": "{sup_shp_excursion}", "started_at": "{supply_earlier}", "highest": 11.5},
            ok=201,
        ),
        row(
            "POST",
            "/excursions/{excursion_id}/decide",
            M,
            "/excursions/{sup_exc}/decide",
            data={"decision": "released", "reason": "matrix"},
        ),
    ]


def _supply_pages() -> list[Route]:
    """The supply pages (rtsm/views/supply.py): reads, then each form on its own object; a write lands (302)."""

    def row(method, tail, perm, url_tail=None, **kw):
        return page(method, RTSM_PATTERN + tail, S, perm, url=RTSM + (url_tail or tail), **kw)

    M, D, V = Perm.SUPPLY_MANAGE, Perm.DISPENSE, Perm.SITE_VIEW
    sup, ship, disp = "supply/", "supply/shipments/<int:shipment_id>/", "supply/dispensations/<int:dispensation_id>/"
    ship_url, disp_url = "supply/shipments/{sup_shp_", "supply/dispensations/{sup_disp_"
    settings = {k: str(v) for k, v in SUPPLY_SETTINGS.items()}
    return [
        row("GET", sup, V),
        row("GET", sup + "sites/<int:site_id>/", V, sup + "sites/{site}/"),
        row("GET", sup + "shipments/", V),
        row("GET", ship, V, ship_url + "view}/"),
        row("GET", sup + "excursions/", V),
        row("GET", sup + "setup/", M),
        row("GET", "subjects/<int:subject_id>/supply/", Perm.SUBJECT_VIEW, "subjects/{subject}/supply/"),
        row("POST", sup + "settings/", M, data=settings, ok=302),
        row("POST", sup + "kit-types/", M, data={"code": "KQ", "name": "Page kit", "arm": "{supply_arm}"}, ok=302),
        row(
            "POST",
            sup + "lots/",
            M,
            data={"kit_type": "{supply_kt_a}", "number": "LQ", "expires_on": "2099-01-01"},
            ok=302,
        ),
        row(
            "POST",
            sup + "lots/<int:lot_id>/expiry/",
            M,
            sup + "lots/{supply_lot_a}/expiry/",
            data={"expires_on": "2099-07-01", "reason": "matrix"},
            ok=302,
        ),
        row("POST", sup + "depots/", M, data={"code": "DQ", "name": "Page depot", "country": "US"}, ok=302),
        row(
            "POST",
            sup + "kits/destroy/",
            M,
            data={"site": "{site}", "kit": "{sup_kit_damaged}", "reason": "matrix"},
            ok=302,
        ),
        row(
            "POST",
            sup + "depots/<int:depot_id>/kits/",
            M,
            sup + "depots/{supply_depot}/kits/",
            data={"lot": "{supply_lot_a}", "count": "2"},
            ok=302,
        ),
        row(
            "POST",
            sup + "dispensing-visits/",
            M,
            data={"visit": "{supply_visit_v3}", "kits": "3", "reason": "matrix"},
            ok=302,
        ),
        row(
            "POST",
            sup + "dispensing-visits/<int:visit_id>/delete/",
            M,
            sup + "dispensing-visits/{supply_visit_free_page}/delete/",
            data={"reason": "matrix"},
            ok=302,
        ),
        row(
            "POST",
            sup + "sites/<int:site_id>/levels/",
            M,
            sup + "sites/{site}/levels/",
            data={"kit_type": "{supply_kt_a}", "minimum": "2", "maximum": "6", "reason": "matrix"},
            ok=302,
        ),
        row(
            "POST",
            sup + "sites/<int:site_id>/levels/<int:kit_type_id>/delete/",
            M,
            sup + "sites/{site}/levels/{supply_kt_a}/delete/",
            data={"reason": "matrix"},
            ok=302,
        ),
        row(
            "POST",
            sup + "kit-types/<int:kit_type_id>/",
            M,
            sup + "kit-types/{supply_kt_p}/",
            data={
                "code": "KP",
                "name": "Renamed on the page",
                "arm": "{supply_arm_p}",
                "units": "30",
                "reason": "matrix",
            },
            ok=302,
        ),
        row(
            "POST",
            sup + "depots/<int:depot_id>/",
            M,
            sup + "depots/{supply_depot}/",
            data={"name": "Renamed depot", "country": "US", "reason": "matrix"},
            ok=302,
        ),
        row(
            "POST",
            sup + "shipments/new/",
            M,
            data={"depot": "{supply_depot}", "site": "{site}", "kit_type": "{supply_kt_a}", "quantity": "1"},
            ok=302,
        ),
        row("POST", ship + "request/", M, ship_url + "request_page}/request/", data={}, ok=302),
        row("POST", ship + "ship/", M, ship_url + "ship_page}/ship/", data={"tracking": "1Z"}, ok=302),
        row("POST", ship + "cancel/", M, ship_url + "cancel_page}/cancel/", data={"reason": "matrix"}, ok=302),
        row("POST", ship + "receive/", D, ship_url + "receive_page}/receive/", data={"default": "received"}, ok=302),
        row("POST", sup + "resupply/", M, data={}, ok=302),
        row(
            "POST",
            sup + "excursions/<int:excursion_id>/decide/",
            M,
            sup + "excursions/{sup_exc_page}/decide/",
            data={"decision": "released", "reason": "matrix"},
            ok=302,
        ),
        row(
            "POST",
            sup + "excursions/report/",
            M,
            data={"place": "{sup_exc_place}", "started_at": "{supply_earlier}", "highest": "11.5"},
            ok=302,
        ),
        row(
            "POST",
            sup + "sites/<int:site_id>/excursions/",
            D,
            sup + "sites/{site}/excursions/",
            data={"started_at": "{supply_earlier}", "highest": "11.5", "kits": "{sup_kit}"},
            ok=302,
        ),
        row(
            "POST",
            "subjects/<int:subject_id>/dispense/",
            D,
            "subjects/{subject}/dispense/",
            data={"visit": "{supply_visit_page}", "visit_date": "{sup_today}"},
            ok=302,
        ),
        row(
            "POST",
            disp + "replace/",
            D,
            disp_url + "replace_page}/replace/",
            data={"condition": "damaged", "reason": "matrix"},
            ok=302,
        ),
        row(
            "POST",
            disp + "return/",
            D,
            disp_url + "return_page}/return/",
            data={"units_returned": "3", "returned_on": "{sup_today}"},
            ok=302,
        ),
    ]


def QUERY_ACTIONS(channel: str) -> list[tuple[str, str, str]]:
    """(action, permission, placeholder): each row acts on its own query, so the sweeps never collide."""
    return [
        (action, perm, f"q_{channel}_{action}")
        for action, perm in (
            ("answer", Perm.DATA_ENTER),
            ("close", Perm.DATA_REVIEW),
            ("reopen", Perm.DATA_REVIEW),  # its query is answered
            ("cancel", Perm.DATA_REVIEW),
        )
    ]


SIGN_URL = "/accounts/sign/{study}/studies.protocolversion/{version}/"

# EDC data oversight (SDV, review, freeze/lock, sign-off, database lock). Each freeze or lock row is
# followed by the row releasing it (with the password: an e-signature), so a role's sweep leaves the
# data as it found them; the database lock is refused (422) because the world has open queries.
RELEASE = {"reason": "matrix", "password": PASSWORD}
LOCK_PAIRS = (  # (level, object placeholder, set, release)
    ("form", "{form}", "freeze", "unfreeze"),
    ("event", "{event}", "lock", "unlock"),
    ("subject", "{subject}", "freeze", "unfreeze"),
    ("site", "{site}", "lock", "unlock"),
    ("study", None, "freeze", "unfreeze"),
)


def _lock_rows(make, pattern, url) -> list[Route]:
    rows = []
    for level, obj, set_action, release in LOCK_PAIRS:
        target = {"level": level} | ({"object_id": obj} if obj else {})
        for action, data in ((set_action, target), (release, target | RELEASE)):
            ok = 302 if make is page else 200
            rows.append(make("POST", pattern(action), S, Perm.DATA_LOCK, url=url(action), data=data, ok=ok))
    return rows


OVERSIGHT_PAGES: list[Route] = [
    page("GET", "studies/<int:study_id>/edc/sdv/", S, Perm.DATA_VIEW, url=EDC + "/sdv/"),
    page("GET", "studies/<int:study_id>/edc/sdv/plan/", S, Perm.BUILD_EDIT, url=EDC + "/sdv/plan/"),
    page(
        "POST",
        "studies/<int:study_id>/edc/sdv/plan/",
        S,
        Perm.BUILD_EDIT,
        url=EDC + "/sdv/plan/",
        data={"rows": "1", "requirement-0": "full", "first_n-0": "0", "reason": "matrix"},
        ok=302,
    ),
    *(
        page(
            "POST",
            f"studies/<int:study_id>/edc/forms/<int:form_id>/{action}/",
            S,
            perm,
            url=EDC + f"/forms/{{form}}/{action}/",
            data=data,
            ok=302,
        )
        for action, perm, data in (
            ("verify", Perm.SDV, {"all": "1"}),
            ("unverify", Perm.SDV, {"all": "1", "reason": "matrix"}),
            ("review", Perm.DATA_REVIEW, {}),
            ("unreview", Perm.DATA_REVIEW, {"reason": "matrix"}),
        )
    ),
    *_lock_rows(page, lambda action: "studies/<int:study_id>/edc/locks/<str:action>/", lambda a: f"{EDC}/locks/{a}/"),
    page(
        "POST",
        "studies/<int:study_id>/edc/subjects/<int:subject_id>/signoff/",
        S,
        Perm.SIGNOFF,
        url=EDC + "/subjects/{subject}/signoff/",
        data={"password": PASSWORD, "meaning": "approve"},
        ok=302,
    ),
    page("GET", "studies/<int:study_id>/edc/checklist/", S, Perm.DATA_LOCK, url=EDC + "/checklist/"),
    page(
        "POST",
        "studies/<int:study_id>/edc/checklist/lock/",
        S,
        Perm.DATA_LOCK,
        url=EDC + "/checklist/lock/",
        data={"reason": "matrix", "password": PASSWORD},
        ok=302,  # refused on the page (open queries): nothing is locked
    ),
]

# EDC data page and exports: table exports run as jobs (never run here: the sweeps' transactions do
# not commit); a file is downloaded only by the export's starter, so its rows keep to the baseline
# sweeps ({job} is not an export: 404 for everyone in the study).
EXPORT_PAGES: list[Route] = [
    page("GET", "studies/<int:study_id>/edc/data/", S, Perm.DATA_VIEW, url=EDC + "/data/"),
    *(
        page(
            "POST",
            "studies/<int:study_id>/edc/data/<str:action>/",
            S,
            perm,
            url=f"{EDC}/data/{action}/",
            data={},
            ok=302,
        )
        for action, perm in (("export", Perm.DATA_VIEW), ("checks", Perm.DATA_REVIEW), ("import", Perm.BUILD_EDIT))
    ),
    page("GET", "studies/<int:study_id>/edc/exports/", S, Perm.DATA_VIEW, url=EDC + "/exports/"),
    page(
        "POST",
        "studies/<int:study_id>/edc/exports/start/",
        S,
        Perm.DATA_VIEW,
        url=EDC + "/exports/start/",
        data={"format": "csv-long"},
        ok=302,
    ),
    page("GET", "studies/<int:study_id>/edc/exports/<int:job_id>/", S, url=EDC + "/exports/{job}/", ok=404, full=False),
    page(
        "GET",
        "studies/<int:study_id>/edc/subjects/<int:subject_id>/casebook.pdf",
        S,
        Perm.DATA_VIEW,
        url=EDC + "/subjects/{subject}/casebook.pdf",
    ),
    page("GET", "studies/<int:study_id>/edc/files/<int:file_id>/", S, Perm.DATA_VIEW, url=EDC + "/files/{file}/"),
]

PAGES: list[Route] = [
    page("GET", "", P, url="/", ok=302),
    page("GET", "accounts/login/", P, signed_in_ok=302),
    page("POST", "accounts/login/", P, data={"username": "nobody", "password": "wrong"}, signed_in_ok=302),
    page("POST", "accounts/logout/", Access.SIGNED_IN, data={}, ok=302),
    page("GET", "accounts/preferences/", Access.SIGNED_IN),
    page(
        "POST", "accounts/preferences/", Access.SIGNED_IN, data={"time_zone": "Europe/Madrid", "language": ""}, ok=302
    ),
    page("GET", "accounts/users/", Access.SUPERUSER),
    page(
        "POST",
        "accounts/users/<int:user_id>/unlock/",
        Access.SUPERUSER,
        url="/accounts/users/{user}/unlock/",
        data={"reason": "identity confirmed by phone"},
        ok=302,
    ),
    page("GET", "accounts/sign/<int:study_id>/<str:object_type>/<str:object_id>/", S, Perm.SIGN, url=SIGN_URL),
    page(
        "POST",
        "accounts/sign/<int:study_id>/<str:object_type>/<str:object_id>/",
        S,
        Perm.SIGN,
        url=SIGN_URL,
        data={"meaning": "approve", "password": PASSWORD},
        ok=302,
    ),
    page("GET", "studies/", Access.SIGNED_IN),
    page("GET", "studies/<int:study_id>/", S, Perm.STUDY_VIEW, url="/studies/{study}/"),
    page("GET", "studies/<int:study_id>/protocol/", S, Perm.STUDY_VIEW, url="/studies/{study}/protocol/"),
    page("GET", "studies/<int:study_id>/sites/", S, Perm.SITE_VIEW, url="/studies/{study}/sites/"),
    page("GET", "studies/<int:study_id>/subjects/", S, Perm.SUBJECT_VIEW, url="/studies/{study}/subjects/"),
    page("GET", "studies/<int:study_id>/audit/", S, Perm.AUDIT_VIEW, url="/studies/{study}/audit/"),
    page(
        "GET",
        "studies/<int:study_id>/audit/<str:object_type>/<str:object_id>/",
        S,
        Perm.AUDIT_VIEW,
        url="/studies/{study}/audit/subjects.treatmentassignment/{assignment}/",
        site_b="empty",
    ),
    page(
        "GET",
        "studies/<int:study_id>/audit/<str:object_type>/<str:object_id>/",
        S,
        Perm.AUDIT_VIEW,
        url="/studies/{study}/audit/subjects.subject/{subject}/",
        site_b="empty",
    ),
    page(
        "GET",
        "studies/<int:study_id>/audit/<str:object_type>/<str:object_id>/",
        S,
        Perm.AUDIT_VIEW,
        url="/studies/{study}/audit/studies.site/{site}/",
        site_b="empty",
    ),
    *(
        page(
            "GET",
            "studies/<int:study_id>/audit/export.<str:fmt>",
            S,
            Perm.AUDIT_VIEW,
            # the PDF of sites' records only: a PDF holds at most 5,000 records, and the world's trail is longer
            url=f"/studies/{{study}}/audit/export.{fmt}" + ("?object_type=studies.site" if fmt == "pdf" else ""),
        )
        for fmt in ("csv", "pdf")
    ),
    *(
        page(
            "GET",
            "studies/<int:study_id>/audit/<str:object_type>/<str:object_id>/export.<str:fmt>",
            S,
            Perm.AUDIT_VIEW,
            url=f"/studies/{{study}}/audit/subjects.treatmentassignment/{{assignment}}/export.{fmt}",
            site_b="empty",
        )
        for fmt in ("csv", "pdf")
    ),
    page("GET", "studies/<int:study_id>/team/", S, Perm.STUDY_MANAGE_ACCESS, url="/studies/{study}/team/"),
    # EDC
    page("GET", "studies/<int:study_id>/edc/build/", S, Perm.DATA_VIEW, url="/studies/{study}/edc/build/"),
    page(
        "POST",
        "studies/<int:study_id>/edc/build/",
        S,
        Perm.BUILD_EDIT,
        url="/studies/{study}/edc/build/",
        data={},
    ),
    page("GET", "studies/<int:study_id>/edc/build/<int:version_id>/", S, Perm.DATA_VIEW, url=f"{EDC}/build/{{build}}/"),
    page(
        "POST",
        "studies/<int:study_id>/edc/build/<int:version_id>/publish/",
        S,
        Perm.BUILD_EDIT,
        url=f"{EDC}/build/{{build}}/publish/",
        data={"reason": "matrix"},
        ok=302,
    ),
    page(
        "GET",
        "studies/<int:study_id>/edc/build/<int:version_id>/odm.xml",
        S,
        Perm.DATA_VIEW,
        url=f"{EDC}/build/{{build}}/odm.xml",
    ),
    page(
        "GET",
        "studies/<int:study_id>/edc/subjects/<int:subject_id>/",
        S,
        Perm.DATA_VIEW,
        url=f"{EDC}/subjects/{{subject}}/",
    ),
    page("GET", FORM_PATTERN, S, Perm.DATA_VIEW, url=FORM_URL),
    page("POST", FORM_PATTERN, S, Perm.DATA_ENTER, url=FORM_URL, data={"v:IT.HEIGHT:1": "170"}, ok=302),
    page(
        "POST", FORM_PATTERN + "preview/", S, Perm.DATA_ENTER, url=FORM_URL + "preview/", data={"v:IT.HEIGHT:1": "170"}
    ),
    page("GET", "studies/<int:study_id>/edc/queries/", S, Perm.DATA_VIEW, url=f"{EDC}/queries/"),
    page(
        "POST",
        "studies/<int:study_id>/edc/queries/new/",
        S,
        Perm.DATA_REVIEW,
        url=f"{EDC}/queries/new/",
        data={"form": "{form}", "text": "Please check against the source."},
        ok=302,
    ),
    *(
        page(
            "POST",
            "studies/<int:study_id>/edc/queries/<int:query_id>/<str:action>/",
            S,
            perm,
            url=f"{EDC}/queries/{{{query}}}/{action}/",
            data={"text": "matrix"},
            ok=302,
        )
        for action, perm, query in QUERY_ACTIONS("page")
    ),
    *OVERSIGHT_PAGES,
    *EXPORT_PAGES,
    # coding: the world's rows are built in tests/security/conftest.py (_coding_data)
    page("GET", "studies/<int:study_id>/coding/", S, Perm.CODING, url=CODING),
    page(
        "GET",
        "studies/<int:study_id>/coding/",
        S,
        Perm.CODING,
        url=CODING + "?term={term_code_page}&q=head",
        site_b="empty",
    ),
    *(
        page(
            "POST",
            f"studies/<int:study_id>/coding/terms/<int:term_id>/{action}/",
            S,
            Perm.CODING,
            url=url,
            data=data,
            ok=302,
        )
        for action, url, data in (
            ("code", f"{CODING}terms/{{term_code_page}}/code/", {"dictionary_term": "{coding_llt}", "identical": "1"}),
            ("clarify", f"{CODING}terms/{{term_clarify_page}}/clarify/", {"text": "Please clarify."}),
            ("approve", f"{CODING}terms/{{term_approve_page}}/approve/", {}),
        )
    ),
    page("GET", "studies/<int:study_id>/coding/synonyms/", S, Perm.CODING, url=CODING + "synonyms/"),
    page(
        "POST",
        "studies/<int:study_id>/coding/synonyms/<int:synonym_id>/delete/",
        S,
        Perm.CODING,
        url=CODING + "synonyms/{syn_page}/delete/",
        data={"reason": "matrix"},
        ok=302,
    ),
    page("GET", "studies/<int:study_id>/coding/upgrades/", S, Perm.CODING, url=CODING + "upgrades/"),
    page(
        "POST",
        "studies/<int:study_id>/coding/upgrades/",
        S,
        Perm.CODING,
        url=CODING + "upgrades/",
        data={"dictionary": "{whodrug_c3}", "reason": "matrix"},
        ok=302,
    ),
    page(
        "GET",
        "studies/<int:study_id>/coding/upgrades/<int:upgrade_id>/",
        S,
        Perm.CODING,
        url=CODING + "upgrades/{coding_upgrade}/",
    ),
    # design workspace: the world's designs are built in tests/security/conftest.py (_design_data)
    page("GET", "studies/<int:study_id>/design/", S, Perm.STUDY_VIEW, url=DESIGN),
    page(
        "POST",
        "studies/<int:study_id>/design/preview/",
        S,
        Perm.ANALYSIS_RUN,
        url=DESIGN + "preview/",
        data=DESIGN_FORM,
    ),
    page(
        "POST",
        "studies/<int:study_id>/design/save/",
        S,
        Perm.ANALYSIS_RUN,
        url=DESIGN + "save/",
        data=DESIGN_FORM | {"name": "matrix page"},
        ok=302,
    ),
    page(
        "GET",
        "studies/<int:study_id>/design/compare/",
        S,
        Perm.STUDY_VIEW,
        url=DESIGN + "compare/?designs={design_a}&designs={design_b}",
    ),
    page("GET", "studies/<int:study_id>/design/<int:design_id>/", S, Perm.STUDY_VIEW, url=DESIGN + "{design_a}/"),
    page(
        "GET",
        "studies/<int:study_id>/design/<int:design_id>/report.pdf",
        S,
        Perm.STUDY_VIEW,
        url=DESIGN + "{design_a}/report.pdf",
    ),
    page(
        "POST",
        "studies/<int:study_id>/design/<int:design_id>/adopt/",
        S,
        Perm.ANALYSIS_RUN,
        url=DESIGN + "{design_adopt_page}/adopt/",
        data=DESIGN_ADOPT | {"protocol_version": "{version}"},
        ok=302,
    ),
    page(
        "POST",
        "studies/<int:study_id>/design/<int:design_id>/delete/",
        S,
        Perm.ANALYSIS_RUN,
        url=DESIGN + "{design_delete_page}/delete/",
        data={"reason": "matrix"},
        ok=302,
    ),
    page("GET", UNBLIND_PATTERN, S, Perm.SUBJECT_VIEW, url=UNBLIND_PAGE),
    page("POST", UNBLIND_PATTERN, S, Perm.UNBLIND, url=UNBLIND_PAGE, data=UNBLIND_FORM | {"confirm": "on"}, ok=302),
    # notifications: everyone reads their own; {notice} is the project manager's (404 for anyone else)
    page("GET", "notices/", Access.SIGNED_IN),
    page("POST", "notices/read-all/", Access.SIGNED_IN, data={}, ok=302),
    page("POST", "notices/<int:notice_id>/read/", S, url="/notices/{notice}/read/", data={}, ok=302, full=False),
    *_rtsm_pages(),
    *_supply_pages(),
    # jobs (owned by the jobs app): a job is seen by its creator (the project manager) and superusers
    page("GET", "jobs/", Access.SIGNED_IN, full=False),
    # the outsider's post names a study that is not theirs: the form refuses it (200, with the error)
    page("POST", "jobs/", Access.SIGNED_IN, data={"name": "audit.verify", "study": "{study}"}, full=False),
    page("GET", "jobs/<int:job_id>/", S, url="/jobs/{job}/", full=False),
    page("GET", "jobs/<int:job_id>/progress/", S, url="/jobs/{job}/progress/", full=False),
    page("POST", "i18n/setlang/", P, data={"language": "en", "next": "/studies/"}, ok=302),
    page("GET", "api/v1/", P, ok=404),  # django-ninja's root: a 404 naming the docs URL
    page("GET", "api/v1/docs", P),
    page("GET", "api/v1/openapi.json", P),
]

STUDY_PATH = "/api/v1/studies/{study_id}"
SITE_PATH = "/api/v1/studies/{study_id}/sites/{site_id}"
SITE_IN = {
    "number": "C1",
    "institution": "Gamma Clinic",
    "principal_investigator": "Dr C",
    "country_code": "US",
    "time_zone": "America/New_York",
}

# The protocol elements the write API creates, changes (reason required) and deletes (reason
# required): (path, body of a new one, field changed by PATCH). All need study.edit.
PROTOCOL_ELEMENTS = (
    ("arms", {"code": "X2", "name": "Arm X2", "type": "experimental"}, "name"),
    ("epochs", {"name": "Extension", "order": 9}, "name"),
    ("visits", {"code": "V8", "name": "Week 8", "order": 8, "day": 56}, "name"),
    ("activities", {"code": "HBA1C", "name": "HbA1c", "kind": "lab"}, "name"),
    ("eligibility", {"kind": "inclusion", "number": 9, "text": "Adults"}, "text"),
    ("countries", {"code": "FR", "name": "France", "regulator": "ANSM"}, "regulator"),
    ("objectives", {"level": "secondary", "description": "Safety"}, "description"),
    (
        "endpoints",
        {"objective_id": "{endpoint_objective}", "level": "primary", "type": "continuous", "description": "x"},
        "description",
    ),
    ("protocol-versions", {"version": "3.0"}, "summary"),
)


def _protocol_rows(path: str, body: dict, field: str) -> list[Route]:
    collection, item = f"{STUDY_PATH}/{path}", f"{STUDY_PATH}/{path}/{{item_id}}"
    url = f"/api/v1/studies/{{study}}/{path}"
    return [
        api("POST", collection, S, Perm.STUDY_EDIT, url=url, data=body, ok=201),
        api("PATCH", item, S, Perm.STUDY_EDIT, url=f"{url}/{{{path}}}", data={"reason": "matrix", field: "Changed"}),
        api("DELETE", item, S, Perm.STUDY_EDIT, url=f"{url}/{{{path}}}?reason=matrix", ok=204),
    ]


OVERSIGHT_API: list[Route] = [
    api("GET", EDC_API + "/sdv-plan", S, Perm.DATA_VIEW, url=EDC_API_URL + "/sdv-plan"),
    api(
        "PUT",
        EDC_API + "/sdv-plan",
        S,
        Perm.BUILD_EDIT,
        url=EDC_API_URL + "/sdv-plan",
        data={"rules": [{"requirement": "full"}], "reason": "matrix"},
    ),
    api(
        "GET",
        EDC_API + "/forms/{form_id}/oversight",
        S,
        Perm.DATA_VIEW,
        url=EDC_API_URL + "/forms/{form}/oversight",
    ),
    *(
        api(
            "POST",
            EDC_API + f"/forms/{{form_id}}/{action}",
            S,
            perm,
            url=EDC_API_URL + f"/forms/{{form}}/{action}",
            data=data,
        )
        for action, perm, data in (
            ("verify", Perm.SDV, {}),
            ("unverify", Perm.SDV, {"reason": "matrix"}),
            ("review", Perm.DATA_REVIEW, None),
            ("unreview", Perm.DATA_REVIEW, {"reason": "matrix"}),
        )
    ),
    api("GET", EDC_API + "/locks", S, Perm.DATA_VIEW, url=EDC_API_URL + "/locks"),
    *_lock_rows(api, lambda action: f"{EDC_API}/locks/{action}", lambda action: f"{EDC_API_URL}/locks/{action}"),
    api(
        "GET",
        EDC_API + "/database-lock/checklist",
        S,
        Perm.DATA_LOCK,
        url=EDC_API_URL + "/database-lock/checklist",
    ),
    api(
        "POST",
        EDC_API + "/database-lock",
        S,
        Perm.DATA_LOCK,
        url=EDC_API_URL + "/database-lock",
        data={"reason": "matrix", "password": PASSWORD},
        ok=422,  # the world has open queries: the checklist refuses the lock
    ),
    api(
        "GET",
        EDC_API + "/subjects/{subject_id}/signoff",
        S,
        Perm.DATA_VIEW,
        url=EDC_API_URL + "/subjects/{subject}/signoff",
    ),
    api(
        "POST",
        EDC_API + "/subjects/{subject_id}/signoff",
        S,
        Perm.SIGNOFF,
        url=EDC_API_URL + "/subjects/{subject}/signoff",
        data={"password": PASSWORD},
    ),
]

EXPORT_API: list[Route] = [
    api(
        "GET",
        EDC_API + "/subjects/{subject_id}/casebook.pdf",
        S,
        Perm.DATA_VIEW,
        url=EDC_API_URL + "/subjects/{subject}/casebook.pdf",
    ),
    api("POST", EDC_API + "/exports", S, Perm.DATA_VIEW, url=EDC_API_URL + "/exports", data={"format": "xlsx"}, ok=201),
    api("GET", EDC_API + "/exports/{job_id}/file", S, url=EDC_API_URL + "/exports/{job}/file", ok=404, full=False),
]

API: list[Route] = [
    api("GET", "/api/v1/studies/", Access.SIGNED_IN),
    api("GET", STUDY_PATH, S, Perm.STUDY_VIEW, url="/api/v1/studies/{study}"),
    api(
        "PATCH",
        STUDY_PATH,
        S,
        Perm.STUDY_EDIT,
        url="/api/v1/studies/{study}",
        data={"reason": "matrix", "short_title": "Changed"},
    ),
    *(
        api("GET", f"{STUDY_PATH}/{part}", S, Perm.STUDY_VIEW, url=f"/api/v1/studies/{{study}}/{part}")
        for part in (
            "arms",
            "epochs",
            "visits",
            "schedule",
            "objectives",
            "eligibility",
            "countries",
            "protocol-versions",
        )
    ),
    api("GET", f"{STUDY_PATH}/sites", S, Perm.SITE_VIEW, url="/api/v1/studies/{study}/sites"),
    api("POST", f"{STUDY_PATH}/sites", S, Perm.SITE_EDIT, url="/api/v1/studies/{study}/sites", data=SITE_IN, ok=201),
    api("GET", SITE_PATH, S, Perm.SITE_VIEW, url="/api/v1/studies/{study}/sites/{site}"),
    api(
        "PATCH",
        SITE_PATH,
        S,
        Perm.SITE_EDIT,
        url="/api/v1/studies/{study}/sites/{site}",
        data={"reason": "matrix", "city": "Springfield"},
    ),
    api("GET", f"{STUDY_PATH}/subjects", S, Perm.SUBJECT_VIEW, url="/api/v1/studies/{study}/subjects"),
    api("GET", UNBLIND_API + "/unblinding", S, Perm.SUBJECT_VIEW, url=UNBLIND_API_URL + "/unblinding"),
    api("GET", RTSM_API + "/randomisations", S, Perm.SUBJECT_VIEW, url=RTSM_API_URL + "/randomisations"),
    api("POST", UNBLIND_API + "/unblind", S, Perm.UNBLIND, url=UNBLIND_API_URL + "/unblind", data=UNBLIND_FORM),
    *SUPPLY_SUBJECT_READS,
    api("GET", f"{STUDY_PATH}/audit", S, Perm.AUDIT_VIEW, url="/api/v1/studies/{study}/audit?limit=1000"),
    # team: roles and members (the system_admin role's permissions are held by every manager role,
    # so every role with study.manage_access may set them, grant them and revoke them)
    api("GET", f"{STUDY_PATH}/roles", S, Perm.STUDY_MANAGE_ACCESS, url="/api/v1/studies/{study}/roles"),
    api(
        "PATCH",
        f"{STUDY_PATH}/roles/{{role_id}}",
        S,
        Perm.STUDY_MANAGE_ACCESS,
        url="/api/v1/studies/{study}/roles/{admin_role}",
        data={
            "permissions": ["study.view", "site.view", "subject.view", "study.manage_access", "audit.view"],
            "reason": "matrix",
        },
    ),
    api("GET", f"{STUDY_PATH}/members", S, Perm.STUDY_MANAGE_ACCESS, url="/api/v1/studies/{study}/members"),
    api(
        "POST",
        f"{STUDY_PATH}/members",
        S,
        Perm.STUDY_MANAGE_ACCESS,
        url="/api/v1/studies/{study}/members",
        data={"username": "outsider", "role_code": "system_admin", "reason": "matrix"},
        ok=201,
    ),
    api(
        "DELETE",
        f"{STUDY_PATH}/members/{{membership_id}}",
        S,
        Perm.STUDY_MANAGE_ACCESS,
        url="/api/v1/studies/{study}/members/{departing}?reason=matrix",
        ok=204,
    ),
    *(route for element in PROTOCOL_ELEMENTS for route in _protocol_rows(*element)),
    api(
        "PUT",
        f"{STUDY_PATH}/schedule/{{activity_id}}/{{visit_id}}",
        S,
        Perm.STUDY_EDIT,
        url="/api/v1/studies/{study}/schedule/{soa_activity}/{soa_visit}",
        data={"planned": True},
        ok=204,
    ),
    api(
        "POST",
        f"{STUDY_PATH}/protocol-versions/{{version_id}}/approve",
        S,
        Perm.STUDY_EDIT,
        url="/api/v1/studies/{study}/protocol-versions/{version}/approve",
        data={"reason": "matrix"},
    ),
    api(
        "POST",
        f"{STUDY_PATH}/advance-status",
        S,
        Perm.STUDY_EDIT,
        url="/api/v1/studies/{study}/advance-status",
        data={"reason": "matrix"},
    ),
    # EDC
    api("GET", EDC_API + "/build-versions", S, Perm.DATA_VIEW, url=EDC_API_URL + "/build-versions"),
    api("POST", EDC_API + "/build-versions", S, Perm.BUILD_EDIT, url=EDC_API_URL + "/build-versions", data={}, ok=422),
    api(
        "POST",
        EDC_API + "/build-versions/{version_id}/publish",
        S,
        Perm.BUILD_EDIT,
        url=EDC_API_URL + "/build-versions/{build}/publish",
        data={"reason": "matrix"},
        ok=422,  # the world's build is already published
    ),
    api(
        "GET",
        EDC_API + "/build-versions/{version_id}/odm",
        S,
        Perm.DATA_VIEW,
        url=EDC_API_URL + "/build-versions/{build}/odm",
    ),
    api(
        "GET",
        EDC_API + "/subjects/{subject_id}/casebook",
        S,
        Perm.DATA_VIEW,
        url=EDC_API_URL + "/subjects/{subject}/casebook",
    ),
    api(
        "POST",
        EDC_API + "/subjects/{subject_id}/migrate",
        S,
        Perm.BUILD_EDIT,
        url=EDC_API_URL + "/subjects/{subject}/migrate",
        data={"version_id": "{build}", "reason": "matrix"},
        ok=422,  # the casebook is already on the world's only build version
    ),
    api("GET", FORM_API, S, Perm.DATA_VIEW, url=FORM_API_URL),
    api("GET", FORM_API + "/files", S, Perm.DATA_VIEW, url=FORM_API_URL + "/files"),
    api("POST", FORM_API + "/files", S, Perm.DATA_ENTER, url=FORM_API_URL + "/files", data={}, ok=422),
    api("GET", EDC_API + "/files/{file_id}", S, Perm.DATA_VIEW, url=EDC_API_URL + "/files/{file}"),
    api(
        "PUT",
        FORM_API,
        S,
        Perm.DATA_ENTER,
        url=FORM_API_URL,
        data={"items": [{"oid": "IT.HEIGHT", "value": "171"}], "reason": "matrix"},
    ),
    api("GET", EDC_API + "/queries", S, Perm.DATA_VIEW, url=EDC_API_URL + "/queries", site_b="empty"),
    api(
        "POST",
        EDC_API + "/queries",
        S,
        Perm.DATA_REVIEW,
        url=EDC_API_URL + "/queries",
        data={"form_id": "{form}", "text": "Please check against the source."},
        ok=201,
    ),
    *(
        api(
            "POST",
            EDC_API + f"/queries/{{query_id}}/{action}",
            S,
            perm,
            url=EDC_API_URL + f"/queries/{{{query}}}/{action}",
            data={"text": "matrix"},
        )
        for action, perm, query in QUERY_ACTIONS("api")
    ),
    *OVERSIGHT_API,
    *EXPORT_API,
    # coding (the upgrade POST comes last: the code rows choose a term of the version it replaces)
    api("GET", CODING_API + "/dictionaries", S, Perm.DATA_VIEW, url=CODING_API_URL + "/dictionaries"),
    api("GET", CODING_API + "/settings", S, Perm.DATA_VIEW, url=CODING_API_URL + "/settings"),
    api(
        "PUT",
        CODING_API + "/settings",
        S,
        Perm.BUILD_EDIT,
        url=CODING_API_URL + "/settings",
        data={
            "meddra_dictionary_id": "{meddra_in_force}",
            "whodrug_dictionary_id": "{whodrug_in_force}",
            "items": {"IT.AETERM": "MedDRA", "IT.SYSBP": ""},
            "reason": "matrix",
        },
    ),
    api("GET", CODING_API + "/queue", S, Perm.CODING, url=CODING_API_URL + "/queue"),
    api("GET", CODING_API + "/terms", S, Perm.CODING, url=CODING_API_URL + "/terms"),
    api("GET", CODING_API + "/search", S, Perm.CODING, url=CODING_API_URL + "/search?kind=meddra&q=head"),
    *(
        api("POST", CODING_API + f"/terms/{{term_id}}/{action}", S, Perm.CODING, url=url, data=data)
        for action, url, data in (
            ("code", CODING_API_URL + "/terms/{term_code_api}/code", {"dictionary_term_id": "{coding_llt}"}),
            ("clarify", CODING_API_URL + "/terms/{term_clarify_api}/clarify", {"text": "Please clarify."}),
            ("approve", CODING_API_URL + "/terms/{term_approve_api}/approve", {}),
        )
    ),
    api("GET", CODING_API + "/synonyms", S, Perm.CODING, url=CODING_API_URL + "/synonyms"),
    api(
        "DELETE",
        CODING_API + "/synonyms/{synonym_id}",
        S,
        Perm.CODING,
        url=CODING_API_URL + "/synonyms/{syn_api}?reason=matrix",
        ok=204,
    ),
    api("GET", CODING_API + "/upgrades", S, Perm.CODING, url=CODING_API_URL + "/upgrades"),
    api(
        "GET",
        CODING_API + "/upgrades/{upgrade_id}",
        S,
        Perm.CODING,
        url=CODING_API_URL + "/upgrades/{coding_upgrade}",
    ),
    api(
        "POST",
        CODING_API + "/upgrades",
        S,
        Perm.CODING,
        url=CODING_API_URL + "/upgrades",
        data={"kind": "meddra", "dictionary_id": "{meddra_27}", "reason": "matrix"},
        ok=201,
    ),
    # design workspace (each write row acts on its own design: see _design_data)
    api(
        "POST",
        DESIGN_API + "/design/compute",
        S,
        Perm.ANALYSIS_RUN,
        url=DESIGN_API_URL + "/design/compute",
        data={"kind": "means", "inputs": DESIGN_INPUTS},
    ),
    api("GET", DESIGN_API + "/designs", S, Perm.STUDY_VIEW, url=DESIGN_API_URL + "/designs"),
    api(
        "POST",
        DESIGN_API + "/designs",
        S,
        Perm.ANALYSIS_RUN,
        url=DESIGN_API_URL + "/designs",
        data={"name": "matrix api", "kind": "means", "inputs": DESIGN_INPUTS},
        ok=201,
    ),
    api("GET", DESIGN_API + "/designs/{design_id}", S, Perm.STUDY_VIEW, url=DESIGN_API_URL + "/designs/{design_a}"),
    api(
        "GET",
        DESIGN_API + "/designs/{design_id}/report.pdf",
        S,
        Perm.STUDY_VIEW,
        url=DESIGN_API_URL + "/designs/{design_a}/report.pdf",
    ),
    api(
        "POST",
        DESIGN_API + "/designs/{design_id}/adopt",
        S,
        Perm.ANALYSIS_RUN,
        url=DESIGN_API_URL + "/designs/{design_adopt_api}/adopt",
        data=DESIGN_ADOPT | {"protocol_version_id": "{version}"},
    ),
    api(
        "DELETE",
        DESIGN_API + "/designs/{design_id}",
        S,
        Perm.ANALYSIS_RUN,
        url=DESIGN_API_URL + "/designs/{design_delete_api}?reason=matrix",
        ok=204,
    ),
    *_rtsm_api(),
    *_supply_api(),
    api("GET", "/api/v1/notices", Access.SIGNED_IN),
    api("POST", "/api/v1/notices/read-all", Access.SIGNED_IN),
    api("POST", "/api/v1/notices/{notice_id}/read", S, url="/api/v1/notices/{notice}/read", full=False),
    # jobs (owned by the jobs app)
    api("GET", "/api/v1/jobs", Access.SIGNED_IN, full=False),
    api("GET", "/api/v1/jobs/{job_id}", S, url="/api/v1/jobs/{job}", full=False),
    api(
        "POST",
        "/api/v1/jobs",
        S,
        Perm.AUDIT_VIEW,
        data={"name": "audit.verify", "study_id": "{study}"},
        ok=201,
        full=False,
    ),
]

for _ext in extensions():
    PAGES += _ext.PAGES
    API += _ext.API
ROUTES: list[Route] = PAGES + API


def _values(world, site: str) -> dict[str, int]:
    subject = world.subject_a if site == "a" else world.subject_b
    return {
        **world.ids,
        "study": world.study.pk,
        "site": (world.site_a if site == "a" else world.site_b).pk,
        "subject": subject.pk,
        "assignment": subject.assignment.pk,
        **world.edc[site],
        "version": world.version.pk,
        "user": world.locked.pk,
    }


def url_for(route: Route, world, *, site: str = "a") -> str:
    """Fill the route's URL template from the world, with site A1's objects or site B1's."""
    return route.url.format(**_values(world, site))


def data_for(route: Route, world, *, site: str = "a") -> dict | None:
    """The row's body with its placeholders filled ("{study}" alone becomes the id, an integer)."""
    if route.data is None:
        return None
    values = _values(world, site)
    return {k: _filled(v, values) for k, v in route.data.items()}


def _filled(value, values: dict):
    """A placeholder string replaced by its value; lists and objects filled item by item."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return values[value[1:-1]]
    if isinstance(value, list):
        return [_filled(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, values) for k, v in value.items()}
    return value
