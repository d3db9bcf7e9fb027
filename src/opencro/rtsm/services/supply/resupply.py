"""The resupply check: propose a shipment to a site whose stock is below its buffer or its forecast demand.

`resupply_check` runs after every dispensation (as the system) and after every randomisation (the
randomisation service calls it), and on demand by a supply manager; `resupply_run_all` runs it for every
active site of a study (a scheduled job, or a supply manager). A proposal is a PROPOSED shipment with
trigger MINIMUM or FORECAST from the depot serving the site; a site never has two open proposals: while one
waits for the supply manager, the check proposes nothing more. The rules themselves are in `forecast`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch
from opencro.rtsm.models import KitType, Shipment
from opencro.rtsm.services.supply._base import check, study_supply_lock
from opencro.rtsm.services.supply.planning import resupply_plan
from opencro.rtsm.services.supply.shipments import build_shipment
from opencro.studies.models import Site, SiteStatus, Study


class Outcome(StrEnum):
    PROPOSED = "proposed"
    SUFFICIENT = "sufficient"
    OPEN_PROPOSAL = "open_proposal"
    NO_DEPOT = "no_depot"
    DEPOT_EMPTY = "depot_empty"
    INACTIVE = "inactive"
    NO_SUPPLY = "no_supply"


@dataclass(frozen=True)
class ResupplyResult:
    """What the check did at one site. Blinded-safe: kit counts only, no kit type."""

    site_number: str
    outcome: str
    shipment: Shipment | None = None
    wanted: int = 0  # kits the rules asked for
    short: int = 0  # kits the depot could not supply

    @property
    def message(self) -> str:
        texts = {
            Outcome.PROPOSED: _("Shipment %(shipment)s proposed for site %(site)s."),
            Outcome.SUFFICIENT: _("Site %(site)s has enough stock."),
            Outcome.OPEN_PROPOSAL: _("Site %(site)s already has a proposed shipment (%(shipment)s) to review."),
            Outcome.NO_DEPOT: _("No depot supplies site %(site)s."),
            Outcome.DEPOT_EMPTY: _("Site %(site)s needs %(wanted)d kits but the depot has none it may ship."),
            Outcome.INACTIVE: _("Site %(site)s is not active: no resupply."),
            Outcome.NO_SUPPLY: _("The study has no kit types: nothing to resupply at site %(site)s."),
        }
        text = texts[self.outcome] % {
            "site": self.site_number,
            "shipment": self.shipment.number if self.shipment else "",
            "wanted": self.wanted,
        }
        if self.short:
            text += " " + _("The depot could not supply %(n)d of the %(wanted)d kits needed.") % {
                "n": self.short,
                "wanted": self.wanted,
            }
        return text


def resupply_check(*, actor: User | None, site: Site, known: StudyAccess | None = None) -> ResupplyResult:
    """Check one site and propose a shipment when its rules ask for one.

    `actor` None: the system (after a dispensation or a randomisation); otherwise `supply.manage` at the site.
    """
    check(actor, site.study_id, (Perm.SUPPLY_MANAGE,), site_id=site.pk, known=known)
    site = Site.objects.select_related("country").get(pk=site.pk)
    if site.status != SiteStatus.ACTIVE:
        return ResupplyResult(site.number, Outcome.INACTIVE)
    if not KitType.objects.filter(study_id=site.study_id).exists():  # randomisation without supply: no lock taken
        return ResupplyResult(site.number, Outcome.NO_SUPPLY)
    with transaction.atomic(), audit_batch():
        study_supply_lock(site.study_id)
        plan = resupply_plan(site)
        if plan.open_proposal is not None:
            return ResupplyResult(site.number, Outcome.OPEN_PROPOSAL, plan.open_proposal)
        quantities = plan.quantities
        wanted = sum(quantities.values())
        if not wanted:
            return ResupplyResult(site.number, Outcome.SUFFICIENT)
        if plan.depot is None:
            return ResupplyResult(site.number, Outcome.NO_DEPOT, wanted=wanted)
        shipment, shortages = build_shipment(
            actor=actor,
            depot=plan.depot,
            site=site,
            quantities=quantities,
            trigger=plan.trigger,
            reason=_reason(plan.trigger, plan.horizon_days, wanted),
        )
        short = sum(quantities[k] - found for k, found in shortages.items())
        if shipment is None:
            return ResupplyResult(site.number, Outcome.DEPOT_EMPTY, wanted=wanted, short=short)
        return ResupplyResult(site.number, Outcome.PROPOSED, shipment, wanted=wanted, short=short)


def _reason(trigger: str, horizon: int, wanted: int) -> str:
    if trigger == "minimum":
        return _("Automatic resupply: stock below the minimum buffer; %(n)d kits needed.") % {"n": wanted}
    return _(
        "Automatic resupply: the forecast demand of the next %(days)d days exceeds stock and kits in transit; "
        "%(n)d kits needed."
    ) % {"days": horizon, "n": wanted}


def resupply_run_all(
    *,
    study: Study,
    actor: User | None = None,
    known: StudyAccess | None = None,
    progress: Callable[[int, int, ResupplyResult], None] | None = None,
) -> list[ResupplyResult]:
    """Run the check at every active site of the study (those of the actor's membership, for a person).

    `progress(done, total, result)` is called after each site, when given.
    """
    sites = Site.objects.filter(study=study, status=SiteStatus.ACTIVE).order_by("number")
    if actor is not None:
        access = access_require(actor, study, Perm.SUPPLY_MANAGE, known=known)
        sites = sites.filter(access.site_filter("pk"))
    else:
        access = None
    sites = list(sites)
    results = []
    for done, site in enumerate(sites, 1):
        results.append(resupply_check(actor=actor, site=site, known=access))
        if progress is not None:
            progress(done, len(sites), results[-1])
    return results
