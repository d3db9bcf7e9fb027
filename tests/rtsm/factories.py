"""Schemes and subjects for the RTSM tests, built through the services."""

import datetime as dt

from opencro.accounts import services as accounts
from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import RandomisationScheme
from opencro.rtsm.services import scheme as schemes
from opencro.subjects import services as subjects
from tests.conftest import PASSWORD, World, make_user

CONSENT = dt.date(2026, 3, 1)


def coordinator(w: World, site):
    """The world's coordinator for site A1; for another site a coordinator made for it (once)."""
    if site.pk == w.site_a.pk:
        return w.users[RoleCode.STUDY_COORDINATOR]
    name = f"coordinator-{site.number.lower()}"
    if name not in w.users:
        user = make_user(name)
        accounts.membership_grant(
            actor=w.admin, user=user, study=w.study, role_code=RoleCode.STUDY_COORDINATOR, sites=[site]
        )
        w.users[name] = user
    return w.users[name]


def statistician(w: World):
    return w.users[RoleCode.UNBLINDED_STATISTICIAN]


def block_scheme(w: World, *, factors=(("site", "site"),), n: int = 8, seed: int = 7, sizes=(2, 4)):
    """An active block-list scheme stratified by the given (name, source) factors."""
    actor = statistician(w)
    scheme = schemes.scheme_save(actor=actor, study=w.study, method="block_list", block_sizes=list(sizes))
    _factors(actor, scheme, factors)
    schemes.list_generate(actor=actor, scheme=scheme, n_per_stratum=n, seed=seed)
    return schemes.scheme_activate(actor=actor, scheme=RandomisationScheme.objects.get(pk=scheme.pk), password=PASSWORD)


def dynamic_scheme(w: World, method: str = "minimisation", *, factors=(("site", "site"), ("sex", "sex")), **kw):
    actor = statistician(w)
    scheme = schemes.scheme_save(actor=actor, study=w.study, method=method, **kw)
    _factors(actor, scheme, factors)
    return schemes.scheme_activate(actor=actor, scheme=RandomisationScheme.objects.get(pk=scheme.pk), password=PASSWORD)


def _factors(actor, scheme, factors) -> None:
    """Factors given as (name, source) or (name, source, levels)."""
    for order, (name, source, *levels) in enumerate(factors):
        schemes.factor_save(
            actor=actor, scheme=scheme, name=name, source=source, order=order, levels=list(levels[0]) if levels else []
        )


def screened(site, number: str, sex: str = "F"):
    return subjects.subject_screen(
        actor=None, site=site, number=number, screened_on=dt.date(2026, 3, 2), sex=sex, year_of_birth=1970
    )
