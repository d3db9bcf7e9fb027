"""Key risk indicators from the study's own data: the measures per participant, definitions, snapshots, trends.

Reads need `oversight.view`, writes (definitions, snapshots) `risk.manage`. A KRI, snapshot or site is found first
(404 elsewhere), then the permission is checked (403). Site results are those of the caller's sites; country results
pool every site of a country and are empty for a site-restricted caller. Refusals answer 422 with each error under
its field.
"""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from opencro.accounts.access import access_check, access_site, access_study
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.monitoring.kris import selectors, services
from opencro.monitoring.kris.measures import MEASURES
from opencro.monitoring.models import KriLevel, KriMethod, KriSnapshot, KriType
from opencro.studies.selectors import site_get

router = Router(tags=["oversight kris"])
BASE = "/{study_id}/oversight/kris"
SNAPSHOTS = BASE + "/snapshots"
ONE = BASE + "/{code}"  # declared after the fixed paths, which it would match
ID_MAX = 2**53
CODE_MAX = 20


class KriMeasureOut(Schema):
    code: str
    label: str
    unit: str
    kind: str = Field(..., description="count, days or participants (0 or 1 per participant)")


class KriDefinitionOut(Schema):
    id: int
    code: str
    name: str
    abbreviation: str
    numerator: str
    denominator: str
    method: str
    kind: str = Field(..., description="binary (a proportion) or rate")
    thresholds: list[float]
    min_denominator: float
    active: bool


class KriDefinitionIn(Schema):
    code: str = Field("", max_length=CODE_MAX, description="Empty: the next free kriNNNN")
    name: str = Field(..., max_length=120)
    abbreviation: str = Field(..., max_length=12)
    numerator: str = Field(..., max_length=40, description="A measure code (GET .../kris/measures)")
    denominator: str = Field(..., max_length=40, description="A measure code (GET .../kris/measures)")
    method: KriMethod = KriMethod.NORMAL
    kind: KriType
    thresholds: list[float] = Field(..., max_length=8, description="Ascending; four z-scores, or two p-values (Fisher)")
    min_denominator: float = Field(0, ge=0, le=1e12)


class KriDefinitionPatch(Schema):
    name: str | None = Field(None, max_length=120)
    abbreviation: str | None = Field(None, max_length=12)
    numerator: str | None = Field(None, max_length=40)
    denominator: str | None = Field(None, max_length=40)
    method: KriMethod | None = None
    kind: KriType | None = None
    thresholds: list[float] | None = Field(None, max_length=8)
    min_denominator: float | None = Field(None, ge=0, le=1e12)
    reason: str = Field(..., max_length=2000, description="Why the KRI changes")


class KriRetireIn(Schema):
    reason: str = Field(..., max_length=2000)


class KriSnapshotIn(Schema):
    cut_on: dt.date | None = Field(None, description="Default: today")


class KriSnapshotOut(Schema):
    id: int
    cut_on: dt.date
    created_at: dt.datetime
    n_subjects: int
    kri_codes: list[str]

    @staticmethod
    def resolve_kri_codes(obj: KriSnapshot) -> list[str]:
        return sorted(obj.definitions)


class KriResultOut(Schema):
    kri_code: str
    level: str
    group: str = Field(..., description="The site number or the country code")
    site_id: int | None
    n_subjects: int
    numerator: float
    denominator: float
    metric: float | None = Field(..., description="Null when the denominator is 0")
    score: float | None = Field(..., description="Null under the minimum denominator or when not computable")
    flag: int | None


class KriResultFilters(Schema):
    kri_code: str = Field("", max_length=CODE_MAX)
    level: KriLevel = KriLevel.SITE


class KriHistoryPointOut(Schema):
    cut_on: dt.date
    numerator: float
    denominator: float
    metric: float | None
    score: float | None
    flag: int | None


class KriHistoryOut(Schema):
    group: str
    points: list[KriHistoryPointOut]


class KriHistoryFilters(Schema):
    site_id: int | None = Field(None, ge=1, le=ID_MAX, description="One site (default: all of yours)")
    level: KriLevel = KriLevel.SITE


class KriFlagOut(Schema):
    kri_code: str
    group: str
    site_id: int | None
    n_subjects: int
    numerator: float
    denominator: float
    metric: float | None
    score: float | None
    flag: int | None
    newly_flagged: bool = Field(..., description="Flagged now, not flagged (or absent) at the previous cut")
    flagged_since: dt.date | None = Field(..., description="First cut of the current run of non-zero flags")
    flagged_cuts: int = Field(..., description="Cuts in that run")


class KriFlagsOut(Schema):
    snapshot: KriSnapshotOut | None
    rows: list[KriFlagOut]


class KriFlagsFilters(Schema):
    kri_code: str = Field("", max_length=CODE_MAX)
    level: KriLevel = KriLevel.SITE
    flagged_only: bool = False


def _definition(request, study_id: int, code: str, perm: str):
    access = access_study(request.user, study_id)
    definition = selectors.kri_definition_by_code(access, code)
    return access_check(access, perm), definition


@router.get(BASE + "/measures", response=list[KriMeasureOut], summary="The per-participant measures a KRI divides")
def kri_measures_get(request, study_id: int):
    access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    return [{"code": m.code, "label": str(m.label), "unit": str(m.unit), "kind": m.kind} for m in MEASURES]


@router.get(BASE, response=list[KriDefinitionOut], summary="The study's KRIs, retired ones too")
def kris_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    return selectors.kri_definitions(access)


@router.post(BASE, response={201: KriDefinitionOut}, summary="Add a KRI")
def kri_post(request, study_id: int, payload: KriDefinitionIn):
    access = access_study(request.user, study_id, Perm.RISK_MANAGE)
    definition = services.kri_definition_save(
        actor=request.user, study=access.membership.study, known=access, **payload.model_dump()
    )
    return Status(201, definition)


@router.post(BASE + "/defaults", response=list[KriDefinitionOut], summary="Add gsm's twelve KRIs the study lacks")
def kri_defaults_post(request, study_id: int):
    access = access_study(request.user, study_id, Perm.RISK_MANAGE)
    return services.kri_definitions_create_default(actor=request.user, study=access.membership.study, known=access)


@router.get(SNAPSHOTS, response=list[KriSnapshotOut], summary="Snapshots, newest cut first")
@paginate(LimitOffset)
def kri_snapshots_get(request, study_id: int):
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    return selectors.kri_snapshots(access)


@router.post(SNAPSHOTS, response={201: KriSnapshotOut}, summary="Compute every active KRI at a data cut")
def kri_snapshot_post(request, study_id: int, payload: KriSnapshotIn):
    access = access_study(request.user, study_id, Perm.RISK_MANAGE)
    snapshot = services.kri_snapshot_compute(
        actor=request.user, study=access.membership.study, cut_on=payload.cut_on, known=access
    )
    return Status(201, snapshot)


@router.get(
    SNAPSHOTS + "/{snapshot_id}/results", response=list[KriResultOut], summary="A snapshot's results at your sites"
)
@paginate(LimitOffset)
def kri_snapshot_results_get(request, study_id: int, snapshot_id: int, filters: Query[KriResultFilters]):
    access = access_study(request.user, study_id)
    snapshot = selectors.kri_snapshot_get(access, snapshot_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    return selectors.kri_results(access, snapshot=snapshot, kri_code=filters.kri_code, level=filters.level)


@router.get(BASE + "/flags", response=KriFlagsOut, summary="Flags at the latest cut: newly flagged, flagged since")
def kri_flags_get(request, study_id: int, filters: Query[KriFlagsFilters]):
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    snapshot, rows = selectors.kri_flags(access, level=filters.level, kri_code=filters.kri_code)
    if filters.flagged_only:
        rows = [r for r in rows if r.run.flag]
    return {
        "snapshot": snapshot,
        "rows": [
            {
                "kri_code": r.kri_code,
                "group": r.group,
                "site_id": r.site_id,
                "n_subjects": r.n_subjects,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "metric": r.metric,
                "score": r.score,
                "flag": r.run.flag,
                "newly_flagged": r.run.newly_flagged,
                "flagged_since": r.run.flagged_since,
                "flagged_cuts": r.run.flagged_cuts,
            }
            for r in rows
        ],
    }


@router.get(ONE, response=KriDefinitionOut, summary="One KRI")
def kri_get(request, study_id: int, code: str):
    _access, definition = _definition(request, study_id, code, Perm.OVERSIGHT_VIEW)
    return definition


@router.patch(ONE, response=KriDefinitionOut, summary="Edit a KRI (fields left out are kept)")
def kri_patch(request, study_id: int, code: str, payload: KriDefinitionPatch):
    access, definition = _definition(request, study_id, code, Perm.RISK_MANAGE)
    fields = {
        name: getattr(definition, name) if value is None else value
        for name, value in payload.model_dump(exclude={"reason"}).items()
    }
    return services.kri_definition_save(
        actor=request.user,
        study=access.membership.study,
        definition=definition,
        reason=payload.reason,
        known=access,
        **fields,
    )


@router.post(ONE + "/retire", response=KriDefinitionOut, summary="Stop computing a KRI in new snapshots")
def kri_retire_post(request, study_id: int, code: str, payload: KriRetireIn):
    access, definition = _definition(request, study_id, code, Perm.RISK_MANAGE)
    return services.kri_definition_retire(
        actor=request.user, definition=definition, reason=payload.reason, known=access
    )


@router.get(ONE + "/history", response=list[KriHistoryOut], summary="A KRI over the snapshots, per site or country")
def kri_history_get(request, study_id: int, code: str, filters: Query[KriHistoryFilters]):
    access = access_study(request.user, study_id)
    selectors.kri_definition_by_code(access, code)
    group = ""
    if filters.site_id is not None:
        access_site(access, filters.site_id)
        group = site_get(access, filters.site_id).number
    access_check(access, Perm.OVERSIGHT_VIEW)
    history = selectors.kri_history(access, code, level=filters.level, group=group)
    return [{"group": label, "points": points} for label, points in history.items()]
