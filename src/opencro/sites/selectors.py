"""Registry and feasibility reads. Every one takes the caller's `StudyAccess`, which the views obtained with
`site.edit` (`registry_access`): site-restricted roles never read the registry."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_study
from opencro.accounts.permissions import Perm
from opencro.formats.ctgov import fold
from opencro.sites.models import (
    Capability,
    HistoricalSite,
    Institution,
    Investigator,
    Invitation,
    Question,
    Questionnaire,
    SiteLink,
)
from opencro.studies.models import Site

FACILITY_LIMIT = 100


def registry_access(user, study_id: int) -> StudyAccess:
    """Access to the registry from a study: `site.edit` and no site restriction (404 / 403 otherwise)."""
    access = access_study(user, study_id, Perm.SITE_EDIT)
    if access.site_ids is not None:
        raise PermissionDenied(_("A site-restricted role cannot use the site registry."))
    return access


def institution_list(
    access: StudyAccess, *, q: str = "", country: str = "", capability: str = ""
) -> QuerySet[Institution]:
    """Registered institutions, filtered by name or city (q), country code and a capability's value."""
    qs = Institution.objects.annotate(investigator_count=Count("investigators", distinct=True))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(city__icontains=q))
    if country:
        qs = qs.filter(country_code=country.strip().upper())
    if capability:
        qs = qs.filter(capabilities__value__icontains=capability).distinct()
    return qs.order_by("name", "city")


def institution_get(access: StudyAccess, institution_id: int) -> Institution:
    found = Institution.objects.filter(pk=institution_id).first()
    if found is None:
        raise Http404(_("No such institution."))
    return found


def investigator_get(access: StudyAccess, investigator_id: int) -> Investigator:
    found = Investigator.objects.select_related("institution").filter(pk=investigator_id).first()
    if found is None:
        raise Http404(_("No such investigator."))
    return found


def capability_get(access: StudyAccess, capability_id: int) -> Capability:
    found = Capability.objects.select_related("institution").filter(pk=capability_id).first()
    if found is None:
        raise Http404(_("No such capability."))
    return found


def study_site_get(access: StudyAccess, site_id: int) -> Site:
    """A site of the caller's study within their sites (404 otherwise)."""
    found = Site.objects.filter(study_id=access.membership.study_id, pk=site_id).filter(access.site_filter("pk"))
    site = found.select_related("country").first()
    if site is None:
        raise Http404(_("No such site."))
    return site


def study_sites_with_links(access: StudyAccess) -> list[tuple[Site, SiteLink | None]]:
    sites = Site.objects.filter(study_id=access.membership.study_id).filter(access.site_filter("pk"))
    links = {
        link.site_id: link
        for link in SiteLink.objects.filter(site__in=sites).select_related("institution", "investigator")
    }
    return [(site, links.get(site.pk)) for site in sites.order_by("number")]


def facility_search(access: StudyAccess, *, q: str = "", country: str = "", limit: int = FACILITY_LIMIT) -> list[dict]:
    """Facilities of past trials by name or city (folded match), with their number of trials and a name."""
    qs = HistoricalSite.objects.all()
    needle = fold(q)
    if needle:
        qs = qs.filter(facility_key__contains=needle)
    if country:
        qs = qs.filter(country__iexact=country.strip())
    rows = (
        qs.values("facility_key")
        .annotate(trials=Count("trial_id", distinct=True), name=Max("name"), city=Max("city"), country=Max("country"))
        .order_by("-trials", "facility_key")[:limit]
    )
    registered = set(
        Institution.objects.filter(ctgov_key__in=[r["facility_key"] for r in rows]).values_list("ctgov_key", flat=True)
    )
    return [r | {"registered": r["facility_key"] in registered} for r in rows]


def questionnaire_get(access: StudyAccess) -> Questionnaire | None:
    return Questionnaire.objects.filter(study_id=access.membership.study_id).first()


def question_get(access: StudyAccess, question_id: int) -> Question:
    found = Question.objects.filter(questionnaire__study_id=access.membership.study_id, pk=question_id).first()
    if found is None:
        raise Http404(_("No such question."))
    return found


def invitation_list(access: StudyAccess) -> QuerySet[Invitation]:
    return Invitation.objects.filter(questionnaire__study_id=access.membership.study_id).select_related(
        "institution", "investigator", "site"
    )


def invitation_get(access: StudyAccess, invitation_id: int) -> Invitation:
    found = invitation_list(access).filter(pk=invitation_id).first()
    if found is None:
        raise Http404(_("No such invitation."))
    return found
