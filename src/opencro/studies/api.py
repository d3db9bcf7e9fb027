"""Study core API: studies, protocol elements, schedule, sites."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.studies import selectors, services

router = Router(tags=["studies"])


class StudyOut(Schema):
    id: int
    protocol_number: str
    title: str
    short_title: str
    phase: str
    therapeutic_area: str
    indication: str
    sponsor: str
    status: str
    ind_number: str
    eu_ct_number: str
    nct_number: str


class StudyPatch(Schema):
    reason: str
    title: str | None = None
    short_title: str | None = None
    phase: str | None = None
    therapeutic_area: str | None = None
    indication: str | None = None
    sponsor: str | None = None
    ind_number: str | None = None
    eu_ct_number: str | None = None
    nct_number: str | None = None


class ArmOut(Schema):
    id: int
    code: str
    name: str
    type: str
    description: str
    allocation_ratio: int


class EpochOut(Schema):
    id: int
    name: str
    order: int


class VisitOut(Schema):
    id: int
    code: str
    name: str
    order: int
    epoch_id: int | None
    day: int | None
    window_before: int
    window_after: int
    is_unscheduled: bool


class ActivityOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    visit_codes: list[str]


class EndpointOut(Schema):
    id: int
    level: str
    type: str
    description: str
    timeframe: str


class ObjectiveOut(Schema):
    id: int
    level: str
    description: str
    endpoints: list[EndpointOut]


class CriterionOut(Schema):
    id: int
    kind: str
    number: int
    text: str
    expression: str


class CountryOut(Schema):
    id: int
    code: str
    name: str
    regulator: str


class SignatureOut(Schema):
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    broken_at: dt.datetime | None


class ProtocolVersionOut(Schema):
    id: int
    version: str
    is_amendment: bool
    effective_date: dt.date | None
    summary: str
    status: str
    signatures: list[SignatureOut]

    @staticmethod
    def resolve_signatures(obj) -> list:
        return signatures_for(obj)


class SiteOut(Schema):
    id: int
    number: str
    institution: str
    principal_investigator: str
    country_code: str
    city: str
    time_zone: str
    status: str
    target_enrolment: int


class SiteIn(Schema):
    number: str
    institution: str
    principal_investigator: str
    country_code: str
    city: str = ""
    time_zone: str
    status: str = "planned"
    target_enrolment: int = 0


class SitePatch(Schema):
    reason: str
    institution: str | None = None
    principal_investigator: str | None = None
    city: str | None = None
    time_zone: str | None = None
    status: str | None = None
    target_enrolment: int | None = None


def _study(request, study_id: int, perm: str = Perm.STUDY_VIEW):
    access = access_study(request.user, study_id, perm)
    return access, access.membership.study


def _site_out(site) -> dict:
    return {
        **{f: getattr(site, f) for f in SiteOut.model_fields if f != "country_code"},
        "country_code": site.country.code,
    }


@router.get("/", response=list[StudyOut], summary="Studies you are a member of")
def list_studies(request):
    return list(selectors.study_list(request.user))


@router.get("/{study_id}", response=StudyOut)
def get_study(request, study_id: int):
    return _study(request, study_id)[1]


@router.patch("/{study_id}", response=StudyOut, summary="Change study identity fields (reason required)")
def patch_study(request, study_id: int, payload: StudyPatch):
    _access, study = _study(request, study_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"reason"})
    return services.study_update(actor=request.user, study=study, changes=changes, reason=payload.reason)


@router.get("/{study_id}/arms", response=list[ArmOut])
def list_arms(request, study_id: int):
    return list(_study(request, study_id)[1].arms.all())


@router.get("/{study_id}/epochs", response=list[EpochOut])
def list_epochs(request, study_id: int):
    return list(_study(request, study_id)[1].epochs.all())


@router.get("/{study_id}/visits", response=list[VisitOut])
def list_visits(request, study_id: int):
    return list(_study(request, study_id)[1].visits.all())


@router.get("/{study_id}/schedule", response=list[ActivityOut], summary="Schedule of activities")
def schedule(request, study_id: int):
    grid = selectors.schedule_grid(_study(request, study_id)[1])
    return [
        {
            "id": a.pk,
            "code": a.code,
            "name": a.name,
            "kind": a.kind,
            "visit_codes": [v.code for v, mark in zip(grid.visits, marks, strict=True) if mark],
        }
        for a, marks in grid.rows
    ]


@router.get("/{study_id}/objectives", response=list[ObjectiveOut])
def list_objectives(request, study_id: int):
    return list(_study(request, study_id)[1].objectives.prefetch_related("endpoints"))


@router.get("/{study_id}/eligibility", response=list[CriterionOut])
def list_criteria(request, study_id: int):
    return list(_study(request, study_id)[1].criteria.all())


@router.get("/{study_id}/countries", response=list[CountryOut])
def list_countries(request, study_id: int):
    return list(_study(request, study_id)[1].countries.all())


@router.get("/{study_id}/protocol-versions", response=list[ProtocolVersionOut])
def list_protocol_versions(request, study_id: int):
    return list(_study(request, study_id)[1].protocol_versions.all())


@router.get("/{study_id}/sites", response=list[SiteOut])
def list_sites(request, study_id: int):
    access, _study_obj = _study(request, study_id, Perm.SITE_VIEW)
    return [_site_out(s) for s in selectors.site_list(access)]


@router.get("/{study_id}/sites/{site_id}", response=SiteOut)
def get_site(request, study_id: int, site_id: int):
    access, _study_obj = _study(request, study_id, Perm.SITE_VIEW)
    return _site_out(selectors.site_get(access, site_id))


@router.post("/{study_id}/sites", response={201: SiteOut})
def create_site(request, study_id: int, payload: SiteIn):
    _access, study = _study(request, study_id, Perm.SITE_VIEW)
    data = payload.model_dump()
    country = get_object_or_404(study.countries, code=data.pop("country_code"))
    site = services.site_create(actor=request.user, study=study, country=country, **data)
    return Status(201, _site_out(site))


@router.patch("/{study_id}/sites/{site_id}", response=SiteOut)
def patch_site(request, study_id: int, site_id: int, payload: SitePatch):
    access, _study_obj = _study(request, study_id, Perm.SITE_VIEW)
    site = selectors.site_get(access, site_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True, exclude={"reason"})  # null: unchanged
    return _site_out(services.site_update(actor=request.user, site=site, changes=changes, reason=payload.reason))
