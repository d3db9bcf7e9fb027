"""Load OPC-301 through the services, so the demo's audit trail is real. Idempotent."""

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from opencro.accounts import services as accounts
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.signatures import signature_apply
from opencro.demo import clinical, crf, data
from opencro.edc.services.build import build_import
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
    Study,
    Visit,
)
from opencro.subjects import services as subjects

Progress = Callable[[str], None]
STEPS = 9


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
        progress("subjects")
        _subjects(study, sites)
        progress("eCRF build")
        build_import(actor=User.objects.get(username="dm"), study=study, build=crf.opc301_build())
        progress("clinical data")
        clinical.load(study=study)
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
    countries = {c.code: c for c in study.countries.all()}
    sites = {}
    for number, institution, pi, country, city, tz, status, target in data.SITES:
        sites[number] = studies.site_create(
            actor=actor,
            study=study,
            number=number,
            institution=institution,
            principal_investigator=pi,
            country=countries[country],
            city=city,
            time_zone=tz,
            status=status,
            target_enrolment=target,
        )
    return sites


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


def _subjects(study: Study, sites: dict) -> None:
    """Screen, enrol and randomise a deterministic set of subjects at the active sites."""
    rng = random.Random(301)  # noqa: S311 - reproducible demo data, not security
    arms = list(study.arms.order_by("code"))
    crc = User.objects.get(username="crc")
    randomised = 0
    block: list = []
    for number, site in sorted(sites.items()):
        if site.status != "active":
            continue
        actor = crc if number == "101" else None
        for i in range(data.SUBJECTS_PER_ACTIVE_SITE):
            screened = data.FIRST_SCREENING + dt.timedelta(days=rng.randint(0, 150))
            subject = subjects.subject_screen(
                actor=actor,
                site=site,
                number=f"{number}-{i + 1:03d}",
                screened_on=screened,
                sex=rng.choice("FM"),
                year_of_birth=rng.randint(1940, 1990),
            )
            if rng.random() < 0.2:
                subjects.subject_screen_fail(
                    actor=actor, subject=subject, reason="eligibility not met: NT-proBNP below threshold"
                )
                continue
            enrolled = screened + dt.timedelta(days=rng.randint(7, 28))
            subjects.subject_enrol(actor=actor, subject=subject, enrolled_on=enrolled)
            randomised_at = timezone.make_aware(dt.datetime.combine(enrolled, dt.time(10, 30)), dt.UTC)
            randomised += 1
            if not block:  # permuted blocks of one of each arm, as a 1:1:1 list would give
                block = rng.sample(arms, len(arms))
            subjects.treatment_assign(
                actor=None,
                subject=subject,
                arm=block.pop(),
                randomisation_number=f"R{randomised:04d}",
                randomised_at=randomised_at,
            )
