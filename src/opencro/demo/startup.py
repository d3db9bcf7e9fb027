"""OPC-301's start-up history, recorded through the start-up services by the project manager.

Country approvals for all six countries (the EU countries through CTIS, regulatory and ethics together; Japan
and India with local ethics committees per site; India and Brazil submitted with Amendment 1). Per site:
confidentiality agreement, selection, contract, documents, initiation visit, training and the green light,
planned from the selection date with the standard durations below, so the dashboard shows slips and early
finishes. Active sites are green-lit before the first screening (data.FIRST_SCREENING); "initiated" sites
had their initiation visit but still miss an item; "selected" ones negotiate their contract; "planned" ones
have nothing yet. Sites are created "planned": the milestones move them on, as in real start-up.
"""

import datetime as dt

from opencro.accounts.models import User
from opencro.startup import services as startup
from opencro.startup.models import DocumentKind, MilestoneKind, StaffRole
from opencro.studies.models import ProtocolVersion, ProtocolVersionStatus, Site, Study

D = dt.date
REG_SUB, REG_APP = MilestoneKind.REGULATORY_SUBMISSION, MilestoneKind.REGULATORY_APPROVAL
EC_SUB, EC_APP = MilestoneKind.CENTRAL_ETHICS_SUBMISSION, MilestoneKind.CENTRAL_ETHICS_APPROVAL

# country: {milestone: (planned, actual)}
COUNTRY_HISTORY = {
    "US": {
        REG_SUB: (D(2025, 9, 15), D(2025, 9, 12)),
        REG_APP: (D(2025, 10, 15), D(2025, 10, 14)),
        EC_SUB: (D(2025, 10, 1), D(2025, 10, 3)),
        EC_APP: (D(2025, 11, 10), D(2025, 11, 20)),
    },
    "DE": {
        REG_SUB: (D(2025, 10, 20), D(2025, 10, 24)),
        REG_APP: (D(2026, 1, 20), D(2026, 2, 6)),
        EC_SUB: (D(2025, 10, 20), D(2025, 10, 24)),
        EC_APP: (D(2026, 1, 20), D(2026, 2, 6)),
    },
    "ES": {
        REG_SUB: (D(2025, 10, 20), D(2025, 10, 22)),
        REG_APP: (D(2026, 1, 20), D(2026, 1, 28)),
        EC_SUB: (D(2025, 10, 20), D(2025, 10, 22)),
        EC_APP: (D(2026, 1, 20), D(2026, 1, 28)),
    },
    "JP": {REG_SUB: (D(2025, 11, 15), D(2025, 11, 14)), REG_APP: (D(2025, 12, 15), D(2025, 12, 15))},
    "IN": {REG_SUB: (D(2026, 1, 12), D(2026, 1, 16)), REG_APP: (D(2026, 3, 31), D(2026, 4, 10))},
    "BR": {
        REG_SUB: (D(2026, 1, 12), D(2026, 1, 14)),
        REG_APP: (D(2026, 4, 1), D(2026, 4, 6)),
        EC_SUB: (D(2026, 1, 12), D(2026, 1, 14)),
        EC_APP: (D(2026, 4, 1), D(2026, 4, 15)),
    },
}
NOTES = {"DE": "EU CTR: one CTIS application (Part I and II)", "ES": "EU CTR: one CTIS application (Part I and II)"}

# Planned durations from selection (days): the sponsor's start-up plan.
PLAN_DAYS = {
    MilestoneKind.CDA_SIGNED: -14,
    MilestoneKind.LOCAL_ETHICS_APPROVAL: 100,
    MilestoneKind.CONTRACT_SIGNED: 120,
    MilestoneKind.DOCUMENTS_COMPLETE: 130,
    MilestoneKind.INITIATION_VISIT: 160,
    MilestoneKind.GREEN_LIGHT: 170,
}

# site: actual dates (None: not yet) of selection, CDA, local ethics (countries without a central committee),
# contract, initiation visit, green light; what is still missing for sites in start-up; the coordinator
SITE_HISTORY = {
    "101": (D(2025, 10, 1), D(2025, 9, 15), None, D(2026, 2, 10), D(2026, 3, 16), D(2026, 3, 24), "", "Emily Carter"),
    "102": (D(2025, 10, 1), D(2025, 9, 18), None, D(2026, 3, 20), D(2026, 4, 14), D(2026, 4, 21), "", "Ryan Brooks"),
    "103": (D(2025, 10, 15), D(2025, 9, 30), None, D(2026, 4, 2), D(2026, 5, 12), None, "training", "Sofia Reyes"),
    "201": (D(2025, 10, 6), D(2025, 9, 22), None, D(2026, 2, 20), D(2026, 3, 10), D(2026, 3, 17), "", "Jonas Becker"),
    "202": (D(2025, 10, 6), D(2025, 9, 25), None, D(2026, 3, 2), D(2026, 3, 26), D(2026, 4, 1), "", "Lena Schmitt"),
    "301": (D(2025, 10, 13), D(2025, 9, 29), None, D(2026, 2, 26), D(2026, 3, 12), D(2026, 3, 19), "", "Marta Gil"),
    "302": (D(2026, 3, 16), D(2026, 3, 2), None, None, None, None, "contract", "Pau Serra"),
    "401": (
        D(2025, 10, 20),
        D(2025, 10, 6),
        D(2026, 1, 22),
        D(2026, 2, 5),
        D(2026, 2, 24),
        D(2026, 3, 3),
        "",
        "Aiko Sato",
    ),
    "402": (
        D(2025, 11, 4),
        D(2025, 10, 20),
        D(2026, 2, 19),
        D(2026, 3, 18),
        D(2026, 4, 22),
        None,
        "financial_disclosure",
        "Kenji Ito",
    ),
    "501": (
        D(2025, 11, 17),
        D(2025, 11, 3),
        D(2026, 4, 16),
        D(2026, 3, 30),
        D(2026, 4, 24),
        D(2026, 4, 30),
        "",
        "Anita Kulkarni",
    ),
    "601": (D(2025, 11, 17), D(2025, 11, 5), None, D(2026, 3, 25), D(2026, 4, 23), D(2026, 4, 29), "", "Camila Lima"),
}
# Documents, received so many days after selection and approved a few days later; expiry where it applies.
DOCUMENTS = (
    (DocumentKind.PI_CV, 20, 3, None),
    (DocumentKind.MEDICAL_LICENCE, 20, 3, D(2027, 12, 31)),
    (DocumentKind.GCP_CERTIFICATE, 20, 3, D(2027, 6, 30)),
    (DocumentKind.INVESTIGATOR_STATEMENT, 45, 5, None),
    (DocumentKind.FINANCIAL_DISCLOSURE, 45, 5, None),
    (DocumentKind.LAB_NORMAL_RANGES, 60, 4, D(2027, 3, 31)),
    (DocumentKind.LAB_CERTIFICATION, 60, 4, D(2027, 3, 31)),
    (DocumentKind.PROTOCOL_SIGNATURE_PAGE, 75, 2, None),
)


def _after(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def _version_on(study: Study, day: dt.date) -> ProtocolVersion | None:
    """The approved protocol version in force on `day`, when the study has its versions already."""
    return (
        ProtocolVersion.objects.filter(
            study=study,
            status__in=(ProtocolVersionStatus.APPROVED, ProtocolVersionStatus.SUPERSEDED),
            effective_date__lte=day,
        )
        .order_by("-effective_date")
        .first()
    )


def startup_history(actor: User, study: Study, sites: dict[str, Site]) -> None:
    """Record the countries' approvals and every site's start-up; give the active sites their green light."""
    for country in study.countries.all():
        for kind, (planned, actual) in COUNTRY_HISTORY.get(country.code, {}).items():
            startup.country_milestone_set(
                actor=actor,
                country=country,
                kind=kind,
                planned_on=planned,
                actual_on=actual,
                note=NOTES.get(country.code, ""),
            )
    for number, history in SITE_HISTORY.items():
        _site_history(actor, study, sites[number], history)


def _site_history(actor: User, study: Study, site: Site, history: tuple) -> None:
    selected, cda, ethics, contract, siv, green, missing, coordinator = history
    plan = {kind: _after(selected, days) for kind, days in PLAN_DAYS.items()}
    steps = [
        (MilestoneKind.CDA_SIGNED, plan[MilestoneKind.CDA_SIGNED], cda),
        (MilestoneKind.SITE_SELECTED, selected, selected),
        (MilestoneKind.CONTRACT_SIGNED, plan[MilestoneKind.CONTRACT_SIGNED], contract),
        (MilestoneKind.INITIATION_VISIT, plan[MilestoneKind.INITIATION_VISIT], siv),
    ]
    if ethics is not None:
        steps.insert(2, (MilestoneKind.LOCAL_ETHICS_APPROVAL, plan[MilestoneKind.LOCAL_ETHICS_APPROVAL], ethics))
    for kind, planned, actual in steps:
        startup.site_milestone_set(actor=actor, site=site, kind=kind, planned_on=planned, actual_on=actual)
    startup.site_milestone_set(
        actor=actor, site=site, kind=MilestoneKind.DOCUMENTS_COMPLETE, planned_on=plan[MilestoneKind.DOCUMENTS_COMPLETE]
    )
    startup.site_milestone_set(
        actor=actor, site=site, kind=MilestoneKind.GREEN_LIGHT, planned_on=plan[MilestoneKind.GREEN_LIGHT]
    )
    if missing == "contract":  # still negotiating: only the investigator's first documents are in
        startup.document_record(
            actor=actor,
            site=site,
            kind=DocumentKind.PI_CV,
            received_on=_after(selected, 10),
            approved_on=_after(selected, 12),
            title=site.principal_investigator,
        )
        startup.document_record(
            actor=actor,
            site=site,
            kind=DocumentKind.MEDICAL_LICENCE,
            received_on=_after(selected, 10),
            expires_on=D(2028, 3, 31),
            title=site.principal_investigator,
        )
        return
    for kind, received_after, review_days, expires in DOCUMENTS:
        received = _after(selected, received_after)
        approved = None if kind == missing else _after(received, review_days)
        startup.document_record(
            actor=actor,
            site=site,
            kind=kind,
            received_on=received,
            approved_on=approved,
            expires_on=expires,
            title=site.principal_investigator if kind in (DocumentKind.PI_CV, DocumentKind.MEDICAL_LICENCE) else "",
        )
    if siv is None:
        return
    if missing != "training":
        startup.training_record(
            actor=actor,
            site=site,
            staff_name=site.principal_investigator,
            role=StaffRole.PRINCIPAL_INVESTIGATOR,
            trained_on=siv,
            protocol_version=_version_on(study, siv),
            note="at the initiation visit",
        )
    startup.training_record(
        actor=actor,
        site=site,
        staff_name=coordinator,
        role=StaffRole.COORDINATOR,
        trained_on=siv,
        protocol_version=_version_on(study, siv),
        note="at the initiation visit",
    )
    if green is not None:
        startup.green_light_give(actor=actor, site=site, on=green, reason="all approvals and documents in place")
