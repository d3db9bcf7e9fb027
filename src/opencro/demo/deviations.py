"""OPC-301's protocol deviations: what the sites and monitors reported, and what the rules find in the data.

Sites differ as they do in real trials: `PROPENSITY` is the expected number of reported deviations per enrolled
participant (site 202 struggles, 501 recruits fast and cuts corners, 201 and 401 are careful). The monitors and
the project manager have confirmed and classified most of them (about a quarter important) and closed the older
ones with their corrective actions; the rules (`monitoring.rules`) then run over the data as of the cut-off and
leave their findings awaiting review, as a monitor would find them on Monday morning.
"""

import datetime as dt
import random

from opencro.accounts.models import User
from opencro.demo import data
from opencro.monitoring.services import (
    deviation_classify,
    deviation_close,
    deviation_report,
    deviations_detect,
)
from opencro.studies.models import Study
from opencro.subjects.models import Subject

PROPENSITY = {"101": 0.5, "102": 0.7, "201": 0.2, "202": 1.4, "301": 0.4, "401": 0.2, "501": 1.0}
MONITOR_OF = {"101": "cra.us", "102": "cra.us", "201": "cra", "202": "cra", "301": "cra"}  # others: the PM
IMPORTANT = 0.25
REVIEWED = 0.75
CLOSED_AFTER_DAYS = 45
EXAMPLES = [
    ("procedures", "12-lead ECG not performed at the visit; the machine was out of service.", False),
    ("procedures", "NT-proBNP sample drawn but not sent to the central laboratory within 2 hours.", False),
    ("visit_schedule", "Participant seen by telephone instead of in clinic; vital signs not taken.", False),
    ("investigational_product", "Participant took tablets from the previous kit for 3 days after the visit.", True),
    ("investigational_product", "Kit stored above 25 °C overnight at the site before dispensing.", True),
    (
        "prohibited_medication",
        "Participant started ibuprofen (an NSAID prohibited by the protocol) for knee pain.",
        True,
    ),
    (
        "informed_consent",
        "Consent form signed and dated by the participant, but the investigator's date is missing.",
        False,
    ),
    ("safety_reporting", "Serious adverse event reported to the sponsor 4 days after the site learned of it.", True),
    ("data_source", "Weight in the eCRF not found in the source notes for the visit.", False),
    ("eligibility", "eGFR at screening taken 35 days before randomisation (protocol: within 28 days).", True),
]
ACTIONS = {
    True: "Site retrained by the monitor on the protocol section concerned; a checklist added to the visit worksheet.",
    False: "Discussed with the site coordinator at the next monitoring visit; no further action.",
}
RATIONALE = {
    True: "May affect the primary endpoint's reliability or the participant's safety (ICH E3 important deviation).",
    False: "No effect on the participant's safety or on key data; recorded for trending.",
}


def load_deviations(study: Study) -> None:
    """Report, classify and close the sites' deviations through the services, then run the rules as the system."""
    rng = random.Random(3011)  # noqa: S311 - reproducible demo data, not security
    pm = User.objects.get(username="pm")
    enrolled = Subject.objects.filter(study=study, enrolled_on__isnull=False).select_related("site").order_by("number")
    by_site: dict[str, list[Subject]] = {}
    for subject in enrolled:
        by_site.setdefault(subject.site.number, []).append(subject)
    for number, subjects in sorted(by_site.items()):
        reviewer = User.objects.get(username=MONITOR_OF.get(number, "pm"))
        reporter = User.objects.get(username="crc") if number == "101" else reviewer
        for subject in subjects:
            for _ in range(_poisson(rng, PROPENSITY.get(number, 0.2))):
                _one(rng, subject, reporter, reviewer if rng.random() < 0.8 else pm)
    deviations_detect(actor=None, study=study, today=data.DATA_CUTOFF)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: the arrivals of a unit-rate process (exponential gaps) before time `mean`."""
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count, total = count + 1, total + rng.expovariate(1.0)
    return count


def _one(rng: random.Random, subject: Subject, reporter: User, reviewer: User) -> None:
    category, description, serious = rng.choice(EXAMPLES)
    span = max((data.DATA_CUTOFF - subject.enrolled_on).days, 1)
    occurred = subject.enrolled_on + dt.timedelta(days=rng.randrange(span))
    identified = min(occurred + dt.timedelta(days=rng.randrange(1, 15)), data.DATA_CUTOFF)
    deviation = deviation_report(
        actor=reporter,
        site=subject.site,
        subject=subject,
        category=category,
        description=description,
        occurred_on=occurred,
        identified_on=identified,
    )
    if rng.random() >= REVIEWED:
        return
    important = serious and rng.random() < 2 * IMPORTANT
    deviation = deviation_classify(
        actor=reviewer, deviation=deviation, important=important, rationale=RATIONALE[important]
    )
    if (data.DATA_CUTOFF - identified).days > CLOSED_AFTER_DAYS:
        closed = identified + dt.timedelta(days=rng.randrange(7, CLOSED_AFTER_DAYS))
        deviation_close(actor=reviewer, deviation=deviation, corrective_action=ACTIONS[important], closed_on=closed)
