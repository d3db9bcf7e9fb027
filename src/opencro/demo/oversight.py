"""OPC-301's oversight: an approved risk assessment, QTLs, gsm's twelve KRIs computed at three monthly data cuts, a
central monitoring run, the monitoring plan, and one routine visit at site 202 whose report is approved.

Everything goes through the services, as the project manager and the monitors would do it, so the trail is real and
the dashboard shows what the data give (site 202, which struggles with deviations, and 501, which recruits fast).
"""

import datetime as dt

from opencro.accounts.models import User
from opencro.demo import data
from opencro.demo.clock import afternoon, demo_clock
from opencro.monitoring.kris.services import kri_definitions_create_default, kri_snapshot_compute
from opencro.monitoring.models import QtlBreach
from opencro.monitoring.oversight.central import csm_run
from opencro.monitoring.oversight.qtl_services import qtl_breach_action, qtl_save, qtls_evaluate
from opencro.monitoring.oversight.risk_services import risk_assessment_approve, risk_assessment_draft, risk_save
from opencro.monitoring.visits import services as visits
from opencro.studies.models import Site, Study

CUTS = tuple(data.DATA_CUTOFF - dt.timedelta(weeks=4 * k) for k in (2, 1, 0))
QTLS = [
    ("QTL-01", "important_deviation", 0.15, "Important deviations threaten the primary endpoint's reliability."),
    ("QTL-02", "study_discontinuation", 0.10, "Sample size assumes at most 10% lost before Week 24."),
    ("QTL-03", "sae_rate", 1.5, "Expected SAE rate in HFpEF about 0.8 per participant-year."),
]
RISKS = [
    (
        "endpoints",
        "NT-proBNP samples not shipped to the central laboratory in time.",
        3,
        2,
        2,
        "Central lab kits with pre-paid courier; KRI on lab samples.",
        ["kri0005"],
        [],
    ),
    (
        "safety",
        "Serious adverse events reported to the sponsor late.",
        3,
        2,
        2,
        "Site training at initiation; SAE KRI and reconciliation each month.",
        ["kri0002"],
        ["QTL-03"],
    ),
    (
        "complexity",
        "Dosing window misunderstood at sites, causing important deviations.",
        2,
        3,
        2,
        "Dosing card for participants; deviation KRIs.",
        ["kri0003", "kri0004"],
        ["QTL-01"],
    ),
    (
        "population",
        "Frail HFpEF participants discontinue before Week 24.",
        3,
        2,
        1,
        "Home visits allowed from Week 12; retention calls.",
        ["kri0006", "kri0007"],
        ["QTL-02"],
    ),
    (
        "technology",
        "Data entered late, hiding problems from central review.",
        2,
        2,
        2,
        "Entry within 10 days in the site agreement; data entry KRI.",
        ["kri0010"],
        [],
    ),
    (
        "sites",
        "Sites with little experience screen participants who are not eligible.",
        2,
        2,
        3,
        "Eligibility checklist signed by the investigator before randomisation.",
        ["kri0012"],
        [],
    ),
]


def load_oversight(study: Study) -> None:
    pm = User.objects.get(username="pm")
    sponsor = User.objects.get(username="sponsor")
    kri_definitions_create_default(actor=pm, study=study)
    for code, parameter, limit, rationale in QTLS:
        qtl_save(actor=pm, study=study, code=code, parameter=parameter, limit=limit, rationale=rationale)
    draft = risk_assessment_draft(actor=pm, study=study)
    for category, description, impact, likelihood, detect, mitigation, kris, qtls in RISKS:
        risk_save(
            actor=pm,
            assessment=draft,
            category=category,
            description=description,
            impact=impact,
            likelihood=likelihood,
            detectability=detect,
            mitigation=mitigation,
            kri_codes=kris,
            qtl_codes=qtls,
        )
    risk_assessment_approve(
        actor=sponsor,
        assessment=draft,
        password=data.DEMO_PASSWORD,
        summary="Risks assessed with the sites' start-up experience; reviewed at each KRI cut.",
    )
    for cut in CUTS:
        kri_snapshot_compute(actor=pm, study=study, cut_on=cut)
        qtls_evaluate(actor=pm, study=study, cut_on=cut)
    for breach in QtlBreach.objects.filter(study=study, ended_on__isnull=False):
        qtl_breach_action(
            actor=pm,
            breach=breach,
            cause="Early cut with few participants; the estimate was unstable.",
            action="Reviewed at the study team meeting; no action beyond continued monitoring.",
        )
    csm_run(actor=pm, study=study, cut_on=CUTS[-1])
    visits.monitoring_plan_save(
        actor=pm,
        study=study,
        sdv_strategy="Targeted SDV: the first 3 participants of each site fully, then critical items.",
    )
    _routine_visit(study)


def _routine_visit(study: Study) -> None:
    """A routine visit at site 202 three days after the second cut: planned and confirmed a week before, reported
    two days after, approved by the project manager three days later (each on the clock of its day)."""
    cra, pm = User.objects.get(username="cra"), User.objects.get(username="pm")
    site = Site.objects.get(study=study, number="202")
    visited = CUTS[1] + dt.timedelta(days=3)
    with demo_clock(afternoon(visited - dt.timedelta(days=7))):
        visit = visits.visit_schedule(
            actor=cra,
            site=site,
            visit_type="onsite",
            purpose="routine",
            monitor=cra,
            planned_on=visited,
            agenda="SDV of the visits since the last visit; investigational product accountability; ISF review.",
        )
        visit = visits.visit_confirm(actor=cra, visit=visit)
    with demo_clock(afternoon(visited + dt.timedelta(days=2))):
        visit = visits.visit_report_save(
            actor=cra,
            visit=visit,
            visited_on=visited,
            attendees="Dr Weber (investigator), study nurse",
            summary="Enrolment on track; dosing window misunderstood by the new study nurse.",
            actions="Retrain the study nurse on the dosing window before the next visit.",
        )
        visits.visit_finding_add(
            actor=cra,
            visit=visit,
            category="protocol",
            description="Two participants dosed outside the window at Week 4.",
            action="Retrain the study nurse; file a note to file.",
            due_on=visited + dt.timedelta(days=14),
        )
        visit = visits.visit_report_submit(actor=cra, visit=visit, password=data.DEMO_PASSWORD)
    with demo_clock(afternoon(visited + dt.timedelta(days=5))):
        visits.visit_report_approve(actor=pm, visit=visit, password=data.DEMO_PASSWORD)
