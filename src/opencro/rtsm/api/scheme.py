"""Scheme and report API under /api/v1/studies/{id}/rtsm/.

Blinded-safe answers (`GET .../rtsm/scheme`, `GET .../rtsm/report`) serve every member with `study.view` and
hold no arm, seed, block size or list. The configuration, its writes and the list need `rtsm.configure` (and
`treatment.view`); the allocation report needs `treatment.view`. Refused input answers 422 with `errors` keyed
by field (a refused list: every problem under `list`, located by row and column); a wrong password 403.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status

from opencro.accounts.access import StudyAccess, access_study
from opencro.rtsm.selectors.reports import (
    AllocationReport,
    ArmCounts,
    EnrolmentReport,
    allocation_report,
    enrolment_report,
)
from opencro.rtsm.selectors.scheme import (
    SchemeConfig,
    SchemeSummary,
    access_configure,
    factor_get,
    scheme_config,
    scheme_get,
    scheme_summary,
)
from opencro.rtsm.services import scheme as services
from opencro.rtsm.views.scheme import list_csv_response

router = Router(tags=["rtsm"])
BASE = "/{study_id}/rtsm"
Level = Annotated[str, Field(max_length=100)]
Bound = float | None


# ------------------------------------------------------------------------------------------- outputs


class SignatureOut(Schema):
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    broken_at: dt.datetime | None


class FactorSummaryOut(Schema):
    name: str
    label: str
    source: str
    levels: list[str]


class StratumCountOut(Schema):
    stratum: str
    levels: list[str]
    randomised: int


class SchemeSummaryOut(Schema):
    """What every member may know: no arm, seed, block size or list."""

    method: str
    status: str
    blinded: bool
    require_eligibility: bool
    require_consent: bool
    activated_at: dt.datetime | None
    factors: list[FactorSummaryOut]
    strata: list[StratumCountOut]
    randomised: int
    signatures: list[SignatureOut]


class SchemeArmOut(Schema):
    code: str
    name: str
    ratio: int


class FactorOut(Schema):
    id: int
    name: str
    label: str
    source: str
    levels: list[str] = Field(..., description="As configured; empty: the sites, countries, sexes or bands")
    resolved_levels: list[str]
    item_oid: str
    bands: list[list] = Field(..., description="[level, lower or null, upper or null], lower inclusive")
    weight: float
    order: int


class ListStratumOut(Schema):
    stratum: str
    levels: list[str]
    slots: int
    blocks: int
    used: int
    arm_slots: dict[str, int]


class SchemeConfigOut(Schema):
    """The full configuration (unblinded statisticians): settings, seed, factors, the list per stratum."""

    id: int
    method: str
    status: str
    blinded: bool
    block_sizes: list[int]
    seed: str
    imbalance: str
    p_best: float
    number_prefix: str
    require_eligibility: bool
    require_consent: bool
    list_sha256: str
    list_source: str
    allocated: int
    activated_at: dt.datetime | None
    arms: list[SchemeArmOut]
    factors: list[FactorOut]
    list_slots: int
    list_strata: list[ListStratumOut]
    problems: list[str]
    signatures: list[SignatureOut]


class ListOut(Schema):
    slots: int
    list_sha256: str
    list_source: str


# -------------------------------------------------------------------------------------------- inputs


class SchemeIn(Schema):
    """Settings to set; those left out (or null) keep their value (a new scheme needs `method`)."""

    method: str | None = Field(None, max_length=14, description="block_list, minimisation or biased_coin")
    blinded: bool | None = None
    block_sizes: list[Annotated[int, Field(ge=1, le=10_000)]] | None = Field(None, max_length=20)
    imbalance: str | None = Field(None, max_length=8, description="range, variance or sd")
    p_best: float | None = Field(None, ge=0.0, le=1.0)
    number_prefix: str | None = Field(None, max_length=8)
    require_eligibility: bool | None = None
    require_consent: bool | None = None
    reason: str = Field("", max_length=500)


class FactorIn(Schema):
    name: str = Field(..., min_length=1, max_length=40)
    label: str = Field("", max_length=200)
    source: str = Field(..., max_length=8, description="site, country, sex, entered or item")
    levels: list[Level] = Field(default_factory=list, max_length=500)
    item_oid: str = Field("", max_length=100)
    bands: list[tuple[Level, Bound, Bound]] = Field(default_factory=list, max_length=100)
    weight: float = Field(1.0, ge=0.0, le=1e6)
    order: int = Field(0, ge=0, le=10_000)


class FactorPatch(Schema):
    """Fields to change (those left out keep their value) and the reason for the change."""

    name: str | None = Field(None, min_length=1, max_length=40)
    label: str | None = Field(None, max_length=200)
    source: str | None = Field(None, max_length=8)
    levels: list[Level] | None = Field(None, max_length=500)
    item_oid: str | None = Field(None, max_length=100)
    bands: list[tuple[Level, Bound, Bound]] | None = Field(None, max_length=100)
    weight: float | None = Field(None, ge=0.0, le=1e6)
    order: int | None = Field(None, ge=0, le=10_000)
    reason: str = Field(..., min_length=1, max_length=500)


class GenerateIn(Schema):
    n_per_stratum: int = Field(..., ge=1, le=10_000)
    seed: int | None = Field(None, ge=0, lt=2**128, description="Empty: a fresh 128-bit seed")


class UploadIn(Schema):
    filename: str = Field("upload.csv", min_length=1, max_length=150)
    text: str = Field(..., max_length=5_000_000, description="CSV: stratum, block, sequence, arm")


class ActivateIn(Schema):
    password: str = Field(..., max_length=200)


# ------------------------------------------------------------------------------------------- helpers


def _signatures(signatures) -> list[dict]:
    return [
        {"printed_name": s.printed_name, "meaning": s.meaning, "signed_at": s.signed_at, "broken_at": s.broken_at}
        for s in signatures
    ]


def _summary_out(summary: SchemeSummary) -> dict:
    return {
        "method": summary.method,
        "status": summary.status,
        "blinded": summary.blinded,
        "require_eligibility": summary.require_eligibility,
        "require_consent": summary.require_consent,
        "activated_at": summary.activated_at,
        "factors": [
            {"name": f.name, "label": f.label, "source": f.source, "levels": list(f.levels)} for f in summary.factors
        ],
        "strata": [{"stratum": s.key, "levels": list(s.levels), "randomised": s.randomised} for s in summary.strata],
        "randomised": summary.randomised,
        "signatures": _signatures(summary.signatures),
    }


def _config_out(config: SchemeConfig) -> dict:
    scheme = config.scheme
    resolved = {r.factor.pk: list(r.levels) for r in config.resolved}
    codes = [a.code for a in config.arms]
    return {
        "id": scheme.pk,
        "method": scheme.method,
        "status": scheme.status,
        "blinded": scheme.blinded,
        "block_sizes": list(scheme.block_sizes or []),
        "seed": scheme.seed,
        "imbalance": scheme.imbalance,
        "p_best": scheme.p_best,
        "number_prefix": scheme.number_prefix,
        "require_eligibility": scheme.require_eligibility,
        "require_consent": scheme.require_consent,
        "list_sha256": scheme.list_sha256,
        "list_source": scheme.list_source,
        "allocated": scheme.randomisations.count(),
        "activated_at": scheme.activated_at,
        "arms": [{"code": a.code, "name": a.name, "ratio": a.ratio} for a in config.arms],
        "factors": [
            {
                "id": f.pk,
                "name": f.name,
                "label": f.label,
                "source": f.source,
                "levels": [str(level) for level in f.levels or []],
                "resolved_levels": resolved.get(f.pk, []),
                "item_oid": f.item_oid,
                "bands": [list(band) for band in f.bands or []],
                "weight": f.weight,
                "order": f.order,
            }
            for f in config.factors
        ],
        "list_slots": config.slots,
        "list_strata": [
            {
                "stratum": s.label,
                "levels": list(s.levels),
                "slots": s.slots,
                "blocks": s.blocks,
                "used": s.used,
                "arm_slots": dict(zip(codes, s.arm_counts, strict=True)),
            }
            for s in config.list_strata
        ],
        "problems": list(config.problems),
        "signatures": _signatures(config.signatures),
    }


def _configurer(request, study_id: int) -> tuple[StudyAccess, object]:
    """The access and the scheme (404 when none) of a caller who configures randomisation (else 403)."""
    access = access_study(request.user, study_id)
    found = scheme_get(access)
    access_configure(access)
    return access, found


def _config(access: StudyAccess) -> dict:
    return _config_out(scheme_config(access, scheme_get(access)))


# ------------------------------------------------------------------------------------------- scheme


@router.get(BASE + "/scheme", response=SchemeSummaryOut, summary="The scheme, blinded-safe")
def get_scheme(request, study_id: int):
    """Method, status, factors and subjects randomised per stratum (at the caller's sites): no arm, no seed."""
    access = access_study(request.user, study_id)
    return _summary_out(scheme_summary(access, scheme_get(access)))


@router.get(BASE + "/scheme/config", response=SchemeConfigOut, summary="The scheme's full configuration")
def get_config(request, study_id: int):
    access, _found = _configurer(request, study_id)
    return _config(access)


@router.post(BASE + "/scheme", response=SchemeConfigOut, summary="Create the scheme or change its draft settings")
def save_scheme(request, study_id: int, body: SchemeIn):
    access = access_configure(access_study(request.user, study_id))
    values = body.model_dump(exclude_none=True, exclude={"reason"})
    services.scheme_save(actor=request.user, study=access.membership.study, reason=body.reason, **values)
    return _config(access)


@router.post(BASE + "/scheme/factors", response={201: FactorOut}, summary="Add a factor to the draft scheme")
def add_factor(request, study_id: int, body: FactorIn):
    access, found = _configurer(request, study_id)
    values = body.model_dump()
    values["bands"] = [list(band) for band in values["bands"]]
    factor = services.factor_save(actor=request.user, scheme=found, **values)
    return Status(201, _factor_out(access, factor.pk))


def _factor_out(access: StudyAccess, factor_id: int) -> dict:
    return next(f for f in _config(access)["factors"] if f["id"] == factor_id)


@router.patch(BASE + "/scheme/factors/{factor_id}", response=FactorOut, summary="Change a factor of the draft scheme")
def change_factor(request, study_id: int, factor_id: int, body: FactorPatch):
    access, found = _configurer(request, study_id)
    factor = factor_get(found, factor_id)
    values = body.model_dump(exclude_none=True, exclude={"reason"})
    if "bands" in values:
        values["bands"] = [list(band) for band in values["bands"]]
    services.factor_save(actor=request.user, scheme=found, factor=factor, reason=body.reason, **values)
    return _factor_out(access, factor.pk)


@router.delete(
    BASE + "/scheme/factors/{factor_id}", response={204: None}, summary="Delete a factor of the draft scheme"
)
def delete_factor(request, study_id: int, factor_id: int, reason: str = Query(..., min_length=1, max_length=500)):
    _access, found = _configurer(request, study_id)
    services.factor_delete(actor=request.user, factor=factor_get(found, factor_id), reason=reason)
    return Status(204, None)


# ------------------------------------------------------------------------------------------- the list


def _list_out(access: StudyAccess, slots: int) -> dict:
    scheme = scheme_get(access)
    return {"slots": slots, "list_sha256": scheme.list_sha256, "list_source": scheme.list_source}


@router.post(BASE + "/scheme/list/generate", response=ListOut, summary="Generate the permuted-block list")
def generate_list(request, study_id: int, body: GenerateIn):
    access, found = _configurer(request, study_id)
    slots = services.list_generate(actor=request.user, scheme=found, n_per_stratum=body.n_per_stratum, seed=body.seed)
    return _list_out(access, slots)


@router.post(BASE + "/scheme/list/upload", response=ListOut, summary="Load a list from CSV text (all or nothing)")
def upload_list(request, study_id: int, body: UploadIn):
    """422 with every problem under `errors.list`, each located by row and column; nothing is loaded then."""
    access, found = _configurer(request, study_id)
    slots = services.list_upload(actor=request.user, scheme=found, text=body.text, filename=body.filename)
    return _list_out(access, slots)


@router.get(BASE + "/scheme/list.csv", summary="The list as CSV (stratum, block, sequence, arm)")
def download_list(request, study_id: int):
    access, found = _configurer(request, study_id)
    return list_csv_response(access, found)


@router.post(BASE + "/scheme/activate", response=SchemeConfigOut, summary="Activate the scheme, signed")
def activate(request, study_id: int, body: ActivateIn):
    """Checks the scheme is complete (422 naming what is missing), re-authenticates (403 for a wrong password),
    signs (meaning: I approve) and freezes it."""
    access, found = _configurer(request, study_id)
    services.scheme_activate(actor=request.user, scheme=found, password=body.password)
    return _config(access)


# ------------------------------------------------------------------------------------------- reports


class SiteCountOut(Schema):
    site: str
    institution: str
    randomised: int


class MonthCountOut(Schema):
    month: str
    randomised: int


class DayTotalOut(Schema):
    date: dt.date
    cumulative: int


class EnrolmentReportOut(Schema):
    """Blinded-safe: subjects randomised, no arm anywhere."""

    method: str
    status: str
    total: int
    strata: list[StratumCountOut]
    sites: list[SiteCountOut]
    months: list[MonthCountOut]
    timeline: list[DayTotalOut]


class ArmCountsOut(Schema):
    key: str
    levels: list[str]
    counts: dict[str, int]
    total: int
    imbalance: float
    slots: int | None = None
    used: int | None = None
    remaining: int | None = None


class FactorMarginsOut(Schema):
    name: str
    label: str
    imbalance: float
    levels: list[ArmCountsOut]


class SequenceCountsOut(Schema):
    sequence: int
    counts: dict[str, int]


class AllocationReportOut(Schema):
    """Unblinded: subjects per arm overall, per stratum (with the list's use), per factor level and per site;
    imbalance = max - min of the ratio-adjusted counts; cumulative counts per arm by allocation sequence."""

    method: str
    status: str
    arms: list[SchemeArmOut]
    overall: ArmCountsOut
    strata: list[ArmCountsOut]
    factors: list[FactorMarginsOut]
    sites: list[ArmCountsOut]
    max_stratum_imbalance: float
    timeline: list[SequenceCountsOut]


def _enrolment_out(found: EnrolmentReport) -> dict:
    return {
        "method": found.scheme.method,
        "status": found.scheme.status,
        "total": found.total,
        "strata": [{"stratum": s.key, "levels": list(s.levels), "randomised": s.randomised} for s in found.strata],
        "sites": [{"site": s.key, "institution": s.levels[1], "randomised": s.randomised} for s in found.sites],
        "months": [{"month": m.key, "randomised": m.randomised} for m in found.months],
        "timeline": [{"date": day, "cumulative": total} for day, total in found.timeline],
    }


def _allocation_out(found: AllocationReport) -> dict:
    codes = [a.code for a in found.arms]

    def counts(row: ArmCounts) -> dict:
        return {
            "key": row.key,
            "levels": list(row.levels),
            "counts": dict(zip(codes, row.counts, strict=True)),
            "total": row.total,
            "imbalance": row.imbalance,
            "slots": row.slots,
            "used": row.used,
            "remaining": row.remaining,
        }

    return {
        "method": found.scheme.method,
        "status": found.scheme.status,
        "arms": [{"code": a.code, "name": a.name, "ratio": a.ratio} for a in found.arms],
        "overall": counts(found.overall),
        "strata": [counts(s) for s in found.strata],
        "factors": [
            {"name": m.name, "label": m.label, "imbalance": m.imbalance, "levels": [counts(r) for r in m.rows]}
            for m in found.margins
        ],
        "sites": [counts(s) for s in found.sites],
        "max_stratum_imbalance": found.stratum_imbalance,
        "timeline": [{"sequence": n, "counts": dict(zip(codes, c, strict=True))} for n, c in found.timeline],
    }


@router.get(BASE + "/report", response=EnrolmentReportOut, summary="Randomisation report, blinded-safe")
def get_report(request, study_id: int):
    """Subjects randomised per stratum, site and month, and the cumulative total by day, at the caller's sites."""
    access = access_study(request.user, study_id)
    return _enrolment_out(enrolment_report(access, scheme_get(access)))


@router.get(BASE + "/report/allocation", response=AllocationReportOut, summary="Allocation report (unblinded)")
def get_allocation_report(request, study_id: int):
    access = access_study(request.user, study_id)
    found = scheme_get(access)
    return _allocation_out(allocation_report(access, found))
