"""Which documents and versions a reader sees: the one place the documents app decides it (selectors, the TMF
metrics and the export all filter through these).

A member of the whole study sees everything. A site-restricted member sees the site-level documents of their sites
and the trial-level and country-level documents (of their sites' countries), and of any of them only the versions
filed in the TMF (approved or final, and those they replaced), the ones they uploaded and the ones they are asked
to review: never another person's draft.
"""

from django.db.models import Q

from opencro.accounts.access import StudyAccess
from opencro.documents.models import DocumentLevel
from opencro.studies.models import Site


def country_ids(access: StudyAccess | None) -> set[int] | None:
    """The countries of the reader's sites (None: every country)."""
    if access is None or access.site_ids is None:
        return None
    return set(Site.objects.filter(pk__in=access.site_ids).values_list("country_id", flat=True))


def place_filter(access: StudyAccess | None, prefix: str = "") -> Q:
    """A Q on documents (or, with `prefix` "document__", on versions) at places the reader sees."""
    if access is None or access.site_ids is None:
        return Q()
    return (
        Q(**{f"{prefix}level": DocumentLevel.TRIAL})
        | Q(**{f"{prefix}level": DocumentLevel.COUNTRY, f"{prefix}country_id__in": country_ids(access)})
        | Q(**{f"{prefix}level": DocumentLevel.SITE, f"{prefix}site_id__in": access.site_ids})
    )


def version_filter(access: StudyAccess | None) -> Q:
    """A Q on versions the reader sees (filed, or their own upload, or asked of them for review)."""
    if access is None or access.site_ids is None:
        return Q()
    user_id = access.membership.user_id
    return Q(filed_at__isnull=False) | Q(uploaded_by_id=user_id) | Q(reviews__reviewer_id=user_id)
