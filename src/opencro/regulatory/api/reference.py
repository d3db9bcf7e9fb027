"""Regulatory API beyond single submissions: the calendar, ethics committees, which protocol version each site may
use, and the authorities library (read).

Reads need `regulatory.view` (the caller's scope), committee writes `regulatory.edit`; a committee or site is found
through the caller's scope first (404 elsewhere), then the permission is checked (403). Refusals answer 422.
"""

from ninja import Query, Router, Status

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.regulatory import selectors
from opencro.regulatory.api.schemas import (
    RegAuthorityOut,
    RegCalendarItemOut,
    RegCalendarQuery,
    RegCommitteeIn,
    RegCommitteeOut,
    RegCommitteePatch,
    RegSiteVersionOut,
    RegSiteVersionQuery,
)
from opencro.regulatory.models import EthicsCommittee
from opencro.regulatory.services import submissions as services
from opencro.regulatory.views.calendar import calendar_window
from opencro.studies.dates import site_today
from opencro.studies.models import Site
from opencro.studies.selectors import site_get, site_scope

router = Router(tags=["regulatory"])
BASE = "/{study_id}/regulatory"
COMMITTEES = BASE + "/committees"
VIEW, EDIT = Perm.REGULATORY_VIEW, Perm.REGULATORY_EDIT
COMMITTEE_FIELDS = ("name", "scope", "registration", "continuing_review_months", "contact")


@router.get(BASE + "/calendar", response=list[RegCalendarItemOut], summary="What falls due, overdue items included")
def regulatory_calendar_get(request, study_id: int, query: Query[RegCalendarQuery]):
    access = access_study(request.user, study_id, VIEW)
    since, until = calendar_window(query.days)
    return [
        {
            "on": i.on,
            "kind": i.kind,
            "submission_id": i.submission.pk,
            "number": i.submission.number,
            "recipient": i.submission.recipient,
            "country": i.submission.country.code,
            "label": i.label,
            "overdue": i.overdue,
            "note": i.note,
        }
        for i in selectors.regulatory_calendar(access, since=since, until=until)
    ]


def committee_out(access: StudyAccess, committee: EthicsCommittee) -> dict:
    sites = [s.pk for s in committee.sites.all() if access.site_ids is None or s.pk in access.site_ids]
    fields = {name: getattr(committee, name) for name in COMMITTEE_FIELDS}
    return {
        "id": committee.pk,
        "country_id": committee.country_id,
        "country": committee.country.code,
        "site_ids": sites,
        **fields,
    }


def _sites(access: StudyAccess, site_ids: list[int]) -> list[Site]:
    """The sites named, each among the caller's (404 otherwise)."""
    sites = list(site_scope(access).filter(pk__in=site_ids))
    if len(sites) != len(set(site_ids)):
        raise Site.DoesNotExist("no such site")
    return sites


@router.get(COMMITTEES, response=list[RegCommitteeOut], summary="Ethics committees reviewing for your sites")
def regulatory_committees_get(request, study_id: int):
    access = access_study(request.user, study_id, VIEW)
    return [committee_out(access, c) for c in selectors.committee_list(access)]


@router.post(COMMITTEES, response={201: RegCommitteeOut}, summary="Add an ethics committee (central or local)")
def regulatory_committee_post(request, study_id: int, payload: RegCommitteeIn):
    access = access_check(access_study(request.user, study_id, VIEW), EDIT)
    committee = EthicsCommittee(
        study=access.membership.study,
        country=selectors.countries_of(access).get(pk=payload.country_id),
        **payload.model_dump(include=set(COMMITTEE_FIELDS)),
    )
    sites = _sites(access, payload.site_ids)
    committee = services.committee_save(actor=request.user, committee=committee, sites=sites)
    return Status(201, committee_out(access, selectors.committee_get(access, committee.pk)))


@router.get(COMMITTEES + "/{committee_id}", response=RegCommitteeOut, summary="One ethics committee")
def regulatory_committee_get(request, study_id: int, committee_id: int):
    access = access_study(request.user, study_id)
    committee = selectors.committee_get(access, committee_id)
    access_check(access, VIEW)
    return committee_out(access, committee)


@router.patch(COMMITTEES + "/{committee_id}", response=RegCommitteeOut, summary="Change a committee (fields kept)")
def regulatory_committee_patch(request, study_id: int, committee_id: int, payload: RegCommitteePatch):
    access = access_study(request.user, study_id)
    committee = selectors.committee_get(access, committee_id)
    access_check(access, VIEW)
    access_check(access, EDIT)
    given = payload.model_dump(exclude={"reason"}, exclude_unset=True)
    for name in COMMITTEE_FIELDS:
        if name in given and (given[name] is not None or name == "continuing_review_months"):
            setattr(committee, name, given[name])
    if given.get("country_id") is not None:
        committee.country = selectors.countries_of(access).get(pk=given["country_id"])
    sites = _sites(access, given["site_ids"]) if given.get("site_ids") is not None else None
    services.committee_save(actor=request.user, committee=committee, sites=sites, reason=payload.reason)
    return committee_out(access, selectors.committee_get(access, committee_id))


@router.get(
    BASE + "/site-versions",
    response=list[RegSiteVersionOut],
    summary="Which approved protocol version each of your sites may use, and since when",
)
def regulatory_site_versions_get(request, study_id: int, query: Query[RegSiteVersionQuery]):
    access = access_study(request.user, study_id)
    sites = [site_get(access, query.site_id)] if query.site_id is not None else None
    access_check(access, VIEW)
    rows = selectors.site_versions(access, sites=sites)
    today = {}
    out = []
    for row in rows:
        if row.site.pk not in today:
            today[row.site.pk] = site_today(row.site)
        out.append(
            {
                "site_id": row.site.pk,
                "site_number": row.site.number,
                "protocol_version_id": row.version.pk,
                "protocol_version": row.version.version,
                "authority_on": row.authority_on,
                "authority_submission_id": row.authority_submission.pk if row.authority_submission else None,
                "ethics_on": row.ethics_on,
                "ethics_submission_id": row.ethics_submission.pk if row.ethics_submission else None,
                "ethics_expires_on": row.ethics_expires_on,
                "usable_from": row.usable_from,
                "usable_today": row.usable_on(today[row.site.pk]),
                "missing": [str(m) for m in row.missing],
            }
        )
    return out


@router.get(
    BASE + "/library",
    response=list[RegAuthorityOut],
    summary="The authorities library: application types and review clocks with their legal basis",
)
def regulatory_library_get(request, study_id: int):
    access_study(request.user, study_id, VIEW)
    return list(selectors.authority_list())
