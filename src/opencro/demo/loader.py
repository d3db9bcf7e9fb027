"""Load OPC-301 through the services, so the demo's audit trail is real, and OPC-204, a small study of the same sponsor
closed out (`demo.closeout_study`). Idempotent."""

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from opencro.accounts import services as accounts
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.signatures import signature_apply
from opencro.demo import clinical, crf, data
from opencro.demo.analysis_specs import load_analysis_specs
from opencro.demo.closeout_study import load_closeout_study
from opencro.demo.coding import load_coding
from opencro.demo.deviations import load_deviations
from opencro.demo.oversight import load_oversight
from opencro.demo.participants import load_participants
from opencro.demo.partnership import load_partnership
from opencro.demo.payments import load_payments
from opencro.demo.regulatory import load_regulatory
from opencro.demo.safety import load_safety, review_cases
from opencro.demo.startup import startup_history
from opencro.demo.status_reports import load_status_reports
from opencro.demo.tmf import load_tmf
from opencro.edc.services.build import build_import
from opencro.rtsm.models import Randomisation
from opencro.rtsm.services import scheme as schemes
from opencro.rtsm.services.supply import configuration, dispensing, inventory, shipments
from opencro.studies import services as studies
from opencro.studies.models import (
    Activity,
    Arm,
    Country,
    EligibilityCriterion,
    Endpoint,
    Epoch,
    Objective,
    ProtocolVersion,
    Site,
    Study,
    Visit,
)

Progress = Callable[[str], None]
STEPS = 21


def demo_loaded() -> bool:
    return Study.objects.filter(protocol_number=data.PROTOCOL).exists()


def load_demo(progress: Progress = lambda step: None) -> bool:
    """Load the demo study; return False (and change nothing) if it is already there."""
    if demo_loaded():
        return False
    with transaction.atomic():
        progress("users")
        admin = _users()
        progress("study")
        study = studies.study_create(actor=admin, **data.STUDY)
        accounts.membership_grant(actor=admin, user=admin, study=study, role_code="system_admin")
        pm = User.objects.get(username="pm")
        accounts.membership_grant(actor=admin, user=pm, study=study, role_code="project_manager")
        progress("protocol")
        _protocol(pm, study)
        progress("sites")
        sites = _sites(pm, study)
        progress("memberships")
        _memberships(admin, study, sites)
        progress("signatures")
        _versions(study)
        for milestone in ("first site initiated", "first subject screened"):  # planning -> enrolling
            study = studies.study_status_advance(actor=pm, study=study, reason=milestone)
        progress("randomisation")
        _randomisation_scheme(study)
        progress("subjects")
        load_participants(study, sites)
        progress("trial supply")
        _supply(study)
        progress("safety and coding (fictional MedDRA)")
        load_coding(study)
        load_safety(study)
        progress("eCRF build")
        build_import(actor=User.objects.get(username="dm"), study=study, build=crf.opc301_build())
        progress("clinical data")
        clinical.load(study=study)
        review_cases(study)  # the safety physician's first look: the company's own causality
        progress("protocol deviations")
        load_deviations(study)
        progress("analysis specifications")
        load_analysis_specs(study)
        progress("oversight: risks, QTLs, KRIs, central monitoring, visits")
        load_oversight(study)
        progress("regulatory: submissions, ethics reviews, questions and clocks")
        load_regulatory(study)
        progress("trial master file: file plan, documents, approvals, QC")
        load_tmf(study)
        progress("partnership: sponsor, CRO, agreement, work order, change orders")
        load_partnership(study)
        progress("site payments: contracts, fees, payment runs")
        load_payments(study)
        progress("status reports: KPIs against the contract, issued and decided")
        load_status_reports(study)
        progress("a second study, finished: OPC-204 through its close-out to the sponsor's approval")
        load_closeout_study()
    return True


def _users() -> User:
    admin = None
    for username, first, last, _role, _sites, tz, superuser in data.USERS:
        user = accounts.user_create(
            actor=admin,
            username=username,
            password=data.DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@opencro.example",
            time_zone=tz,
            is_superuser=superuser,
        )
        admin = admin or user
    return admin


def _protocol(actor: User, study: Study) -> None:
    save = studies.protocol_item_save
    for code, name, regulator in data.COUNTRIES:
        save(actor=actor, instance=Country(study=study, code=code, name=name, regulator=regulator))
    for code, name, type_, description, ratio in data.ARMS:
        save(
            actor=actor,
            instance=Arm(
                study=study, code=code, name=name, type=type_, description=description, allocation_ratio=ratio
            ),
        )
    epochs = [save(actor=actor, instance=Epoch(study=study, name=name, order=i)) for i, name in enumerate(data.EPOCHS)]
    visits = {}
    for order, (code, name, epoch, day, before, after, unscheduled) in enumerate(data.VISITS):
        visits[code] = save(
            actor=actor,
            instance=Visit(
                study=study,
                code=code,
                name=name,
                order=order,
                epoch=epochs[epoch] if epoch is not None else None,
                day=day,
                window_before=before,
                window_after=after,
                is_unscheduled=unscheduled,
            ),
        )
    for order, (code, name, kind, at) in enumerate(data.ACTIVITIES):
        activity = save(actor=actor, instance=Activity(study=study, code=code, name=name, kind=kind, order=order))
        for visit_code in at:
            studies.schedule_set(actor=actor, visit=visits[visit_code], activity=activity, planned=True)
    for order, (level, description, endpoints) in enumerate(data.OBJECTIVES):
        objective = save(
            actor=actor, instance=Objective(study=study, level=level, description=description, order=order)
        )
        for e_level, e_type, e_description, timeframe in endpoints:
            save(
                actor=actor,
                instance=Endpoint(
                    objective=objective, level=e_level, type=e_type, description=e_description, timeframe=timeframe
                ),
            )
    for kind, number, text, expression in data.CRITERIA:
        save(
            actor=actor,
            instance=EligibilityCriterion(study=study, kind=kind, number=number, text=text, expression=expression),
        )


def _sites(actor: User, study: Study) -> dict:
    """Create the sites (planned) and record their start-up: the milestones and green lights give each site the
    status data.SITES names (demo/startup.py)."""
    countries = {c.code: c for c in study.countries.all()}
    sites = {}
    for number, institution, pi, country, city, tz, _status, target in data.SITES:
        sites[number] = studies.site_create(
            actor=actor,
            study=study,
            number=number,
            institution=institution,
            principal_investigator=pi,
            country=countries[country],
            city=city,
            time_zone=tz,
            target_enrolment=target,
        )
    startup_history(actor, study, sites)
    return {number: Site.objects.get(pk=site.pk) for number, site in sites.items()}  # as the history left them


def _memberships(actor: User, study: Study, sites: dict) -> None:
    for username, _first, _last, role, site_numbers, _tz, _superuser in data.USERS:
        if username in (actor.username, "pm"):
            continue
        user = User.objects.get(username=username)
        accounts.membership_grant(
            actor=actor, user=user, study=study, role_code=role, sites=[sites[n] for n in site_numbers]
        )


def _versions(study: Study) -> None:
    pm = User.objects.get(username="pm")
    sponsor = User.objects.get(username="sponsor")
    for version, amendment, effective, summary, approve in data.PROTOCOL_VERSIONS:
        pv = studies.protocol_item_save(
            actor=pm,
            instance=ProtocolVersion(
                study=study,
                version=version,
                is_amendment=amendment,
                effective_date=effective,
                summary=summary,
            ),
        )
        if approve:
            signature_apply(actor=pm, password=data.DEMO_PASSWORD, instance=pv, meaning=SignatureMeaning.AUTHOR)
            studies.protocol_version_approve(actor=pm, version=pv, reason="approved by the sponsor")
            pv.refresh_from_db()
            signature_apply(actor=sponsor, password=data.DEMO_PASSWORD, instance=pv, meaning=SignatureMeaning.APPROVE)


def _randomisation_scheme(study: Study) -> None:
    """A 1:1:1 permuted-block list stratified by site (blocks of 3 and 6), activated by the unblinded statistician."""
    ustat = User.objects.get(username="ustat")
    scheme = schemes.scheme_save(actor=ustat, study=study, method="block_list", block_sizes=[3, 6])
    schemes.factor_save(actor=ustat, scheme=scheme, name="site", label="Site", source="site")
    schemes.list_generate(actor=ustat, scheme=scheme, n_per_stratum=60, seed=301)
    scheme.refresh_from_db()
    schemes.scheme_activate(actor=ustat, scheme=scheme, password=data.DEMO_PASSWORD)


def _supply(study: Study) -> None:
    """Kits for each arm from one lot at a central depot, an initial shipment received at every active site,
    buffers of 2 to 6 kits, dispensing at V2 and V4-V7, and the Day 1 kit dispensed by the site staff of sites
    101 and 401 (the demo's other sites have no staff accounts)."""
    pharm = User.objects.get(username="pharm")
    configuration.supply_settings_save(
        actor=None,
        study=study,
        do_not_ship_days=45,
        do_not_dispense_days=14,
        shipping_days=5,
        forecast_days=56,
        enrolment_per_site_month=1.5,
    )
    expiry = timezone.localdate() + dt.timedelta(days=540)
    kit_types = [
        inventory.kit_type_create(
            actor=None, study=study, code=f"KT-{arm.code}", name=f"{arm.name}, 28 tablets", arm=arm, units=28
        )
        for arm in study.arms.order_by("code")
    ]
    lots = {
        inventory.lot_create(actor=None, kit_type=kt, number=f"OPC{2026}{i + 1:02d}", expires_on=expiry): 60
        for i, kt in enumerate(kit_types)
    }
    depot = inventory.depot_create(
        actor=None, study=study, code="D01", name="Central depot", countries=study.countries.all()
    )
    inventory.kits_create(actor=None, depot=depot, lots=lots, rng=random.Random(1127))  # noqa: S311 - demo data
    for visit in study.visits.filter(code__in=("V2", "V4", "V5", "V6", "V7")):
        configuration.dispensing_visit_save(actor=None, visit=visit, kits=1)
    for site in study.sites.filter(status="active").order_by("number"):
        shipment = shipments.shipment_create(
            actor=None, depot=depot, site=site, quantities=dict.fromkeys(kit_types, 4), trigger="initial"
        )
        shipments.shipment_request(actor=None, shipment=shipment)
        shipments.shipment_ship(actor=None, shipment=shipment, tracking=f"DEMO-{site.number}")
        shipments.shipment_receive(
            actor=pharm if site.number == "101" else None, shipment=shipment, conditions={}, default="received"
        )
        for kt in kit_types:
            configuration.site_supply_level_save(actor=None, site=site, kit_type=kt, minimum=2, maximum=6)
    day_one = study.visits.get(code="V2")
    staff = {"101": User.objects.get(username="crc"), "401": User.objects.get(username="inv.jp")}
    randomised = Randomisation.objects.filter(scheme__study=study, subject__site__number__in=staff)
    for r in randomised.select_related("subject__site").order_by("sequence"):  # the sites with demo staff
        visit_date = timezone.localtime(r.randomised_at, ZoneInfo(r.subject.site.time_zone)).date()
        dispensing.kit_dispense(
            actor=staff[r.subject.site.number], subject=r.subject, visit=day_one, visit_date=visit_date
        )
