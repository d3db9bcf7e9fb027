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

URL templates use these placeholders, filled from the `world` fixture by `url_for`:
{study}, {site}, {subject}, {assignment} (of that subject), {version} (a protocol version),
{user} (a user to unlock). {site}, {subject} and {assignment} are site A1's unless a sweep
asks for site B1's.
"""

from dataclasses import dataclass
from enum import StrEnum

from opencro.accounts.permissions import Perm
from tests.conftest import PASSWORD

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Access(StrEnum):
    PUBLIC = "public"  # answers without signing in
    SIGNED_IN = "signed_in"  # any signed-in user; shows only that user's own studies
    SUPERUSER = "superuser"  # system administrators only; 403 for everyone else
    STUDY = "study"  # members of the study in the URL; 404 for everyone else, 403 without `perm`


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
    site_b: str = "404"  # what a user restricted to A1 gets for the B1 variant: "404" or "empty"
    full: bool = True  # False: a route another team owns; only the baseline sweeps apply

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")

    @property
    def writes(self) -> bool:
        return self.method not in SAFE_METHODS

    @property
    def names_site_object(self) -> bool:
        return any(p in self.url for p in ("{site}", "{subject}", "{assignment}"))

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


def page(method, pattern, access, perm=None, url=None, **kw) -> Route:
    return Route(method, pattern, url or "/" + pattern, access, perm, **kw)


def api(method, path, access, perm=None, url=None, **kw) -> Route:
    return Route(method, path, url or path, access, perm, **kw)


P, S = Access.PUBLIC, Access.STUDY
SIGN_URL = "/accounts/sign/{study}/studies.protocolversion/{version}/"

PAGES: list[Route] = [
    page("GET", "", P, url="/", ok=302),
    page("GET", "accounts/login/", P),
    page("POST", "accounts/login/", P, data={"username": "nobody", "password": "wrong"}),
    page("POST", "accounts/logout/", Access.SIGNED_IN, data={}, ok=302),
    page("GET", "accounts/preferences/", Access.SIGNED_IN),
    page("POST", "accounts/preferences/", Access.SIGNED_IN, data={"time_zone": "Europe/Madrid", "language": ""}, ok=302),
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
    api("GET", f"{STUDY_PATH}/audit", S, Perm.AUDIT_VIEW, url="/api/v1/studies/{study}/audit?limit=1000"),
]

ROUTES: list[Route] = PAGES + API


def url_for(route: Route, world, *, site: str = "a") -> str:
    """Fill the route's URL template from the world, with site A1's objects or site B1's."""
    subject = world.subject_a if site == "a" else world.subject_b
    return route.url.format(
        study=world.study.pk,
        site=(world.site_a if site == "a" else world.site_b).pk,
        subject=subject.pk,
        assignment=subject.assignment.pk,
        version=world.version.pk,
        user=world.locked.pk,
    )
