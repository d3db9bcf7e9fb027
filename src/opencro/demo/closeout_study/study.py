"""OPC-204's set-up through the study, membership and start-up services: the protocol (arms, visits, criteria, the
approved version), the sites with their start-up history (`demo.startup`'s site history, on OPC-204's own dates), and
the demo's people on the study, with two more investigators for the sites the demo had no one at."""

from opencro.accounts import services as accounts
from opencro.accounts.models import User
from opencro.demo import data as demo_data
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import data
from opencro.demo.startup import _site_history
from opencro.startup import services as startup
from opencro.studies import services as studies
from opencro.studies.models import Arm, Country, EligibilityCriterion, Epoch, ProtocolVersion, Site, Study, Visit


def study_create(admin: User) -> Study:
    """The study, created by the administrator, who is its system administrator."""
    with demo_clock(afternoon(data.STATUS_MOVES[0][1])):
        study = studies.study_create(actor=admin, **data.STUDY)
        accounts.membership_grant(actor=admin, user=admin, study=study, role_code="system_admin")
    return study


def people(admin: User) -> dict[str, User]:
    """The demo's people who work on OPC-204, and the two investigators it adds."""
    for username, first, last, _site, tz in data.INVESTIGATORS:
        accounts.user_create(
            actor=admin,
            username=username,
            password=demo_data.DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@opencro.example",
            time_zone=tz,
        )
    names = [username for username, _role, _sites in data.MEMBERSHIPS]
    return {u.username: u for u in User.objects.filter(username__in=names)}


def memberships_grant(admin: User, study: Study, users: dict[str, User], sites: dict[str, Site] | None = None) -> None:
    """The study-wide memberships (`sites` None), or those restricted to the sites (once the sites exist)."""
    for username, role, site_numbers in data.MEMBERSHIPS:
        if bool(site_numbers) != (sites is not None):
            continue
        accounts.membership_grant(
            actor=admin, user=users[username], study=study, role_code=role, sites=[sites[n] for n in site_numbers]
        )


def protocol_define(pm: User, study: Study) -> None:
    """Countries, arms, epochs, visits and criteria; version 1.0, approved by the project manager."""
    save = studies.protocol_item_save
    for code, name, regulator in data.COUNTRIES:
        save(actor=pm, instance=Country(study=study, code=code, name=name, regulator=regulator))
    for code, name, type_, description, ratio in data.ARMS:
        arm = Arm(study=study, code=code, name=name, type=type_, description=description, allocation_ratio=ratio)
        save(actor=pm, instance=arm)
    epochs = [save(actor=pm, instance=Epoch(study=study, name=name, order=n)) for n, name in enumerate(data.EPOCHS)]
    for order, (code, name, epoch, day, before, after) in enumerate(data.VISITS):
        visit = Visit(
            study=study,
            code=code,
            name=name,
            order=order,
            epoch=epochs[epoch],
            day=day,
            window_before=before,
            window_after=after,
        )
        save(actor=pm, instance=visit)
    for kind, number, text in data.CRITERIA:
        save(actor=pm, instance=EligibilityCriterion(study=study, kind=kind, number=number, text=text))
    version, effective, summary = data.PROTOCOL_VERSION
    with demo_clock(afternoon(effective)):
        pv = save(
            actor=pm,
            instance=ProtocolVersion(study=study, version=version, effective_date=effective, summary=summary),
        )
        studies.protocol_version_approve(actor=pm, version=pv, reason="approved by the sponsor")


def sites_start(pm: User, study: Study) -> dict[str, Site]:
    """The sites, planned, brought to their green light by their start-up history."""
    countries = {c.code: c for c in study.countries.all()}
    for country in countries.values():
        for kind, (planned, actual) in data.COUNTRY_HISTORY[country.code].items():
            note = "EU CTR: one CTIS application (Part I and II)" if country.code == "DE" else ""
            startup.country_milestone_set(
                actor=pm, country=country, kind=kind, planned_on=planned, actual_on=actual, note=note
            )
    sites = {}
    for number, institution, pi, country, city, tz, target in data.SITES:
        site = studies.site_create(
            actor=pm,
            study=study,
            number=number,
            institution=institution,
            principal_investigator=pi,
            country=countries[country],
            city=city,
            time_zone=tz,
            target_enrolment=target,
        )
        _site_history(pm, study, site, data.SITE_HISTORY[number])
        sites[number] = Site.objects.get(pk=site.pk)
    return sites


def status_advance(pm: User, study: Study, move: int) -> Study:
    """The study's `move`-th lifecycle move (`data.STATUS_MOVES`), on its day."""
    reason, day = data.STATUS_MOVES[move]
    with demo_clock(afternoon(day)):
        return studies.study_status_advance(actor=pm, study=study, reason=reason)
