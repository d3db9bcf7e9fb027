"""OPC-301 clinical data, entered through the EDC services as the sites would enter it.

Every participant (see `participants`) has a screening visit; the randomised ones have the visits
due by `data.DATA_CUTOFF`, each entered with probability 0.9 (the rest are overdue), the latest
sometimes only started (visit date recorded, forms pending), sometimes an unscheduled visit, and
logs: medical history, medications, adverse events for about 40%. Values vary plausibly within
a participant (`visits`, `logs`); some are entered wrongly and some are genuinely abnormal, so
edit checks open automatic queries, which `queries` then works through.

One `form_save` per form. Deterministic: each participant draws from a generator seeded with the
subject number and the query workflow from one seeded with the protocol, so every load of the
demo gives the same data (ids aside).

Each visit's forms are entered as the site would have entered them: `ENTRY_LAG_DAYS` after the visit (site 102 is
slow), on the clock of that day (`entered_on`, `opencro.demo.clock`), so the pages' entry times, their audit trail
and the KRIs computed at earlier data cuts tell the study's history rather than the moment the demo was loaded.
Entry never happens later than the real present.
"""

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from opencro.accounts.models import User
from opencro.demo import crf
from opencro.demo.clinical.logs import adverse_events, medical_history, medications, sae_awareness
from opencro.demo.clinical.participants import Participant, Truth, Values, participant
from opencro.demo.clinical.queries import SITE_ENTRY, USERS, automatic_queries_work, manual_queries_raise
from opencro.demo.clinical.visits import FORM_VALUES, TODAY, mistakes, schedule
from opencro.demo.clock import afternoon, demo_clock
from opencro.edc.services.entry import ItemEntry, event_open, form_save
from opencro.studies.models import Study
from opencro.subjects.models import Subject, SubjectStatus

VISIT_STARTED_ONLY = 0.2  # the latest visit is under way: its date is recorded, its forms not yet
UNSCHEDULED = 0.15
ENTRY_LAG_DAYS = {"102": (6, 21)}  # days from the visit to its entry; the other sites take 0 to 4
ENTRY_LAG_DEFAULT = (0, 4)


@contextmanager
def entered_on(day: dt.date, site_number: str, rng: random.Random) -> Iterator[None]:
    """Run the enclosed entry on the clock of the day the site entered it (never later than now)."""
    lag = rng.randint(*ENTRY_LAG_DAYS.get(site_number, ENTRY_LAG_DEFAULT))
    with demo_clock(afternoon(day + dt.timedelta(days=lag))):
        yield


def _entries(values: Values | list[Values]) -> list[ItemEntry]:
    """The entries of a form: one row of values, or the rows of a repeating group (row 1, 2...)."""
    rows = values if isinstance(values, list) else [values]
    return [
        ItemEntry(oid, value, repeat)
        for repeat, row in enumerate(rows, 1)
        for oid, value in row.items()
        if value is not None
    ]


@dataclass
class _Entry:
    """Saves forms and remembers which hold mistakes (form id -> what the source shows)."""

    truth: dict[int, Truth] = field(default_factory=dict)
    forms: int = 0

    def save(
        self,
        p: Participant,
        event_oid: str,
        form_oid: str,
        values: Values | list[Values],
        *,
        repeat: int = 1,
        date: dt.date | None = None,
        truth: Truth | None = None,
    ) -> bool:
        """Save one form (the visit's date with it when given); False when there was nothing to enter."""
        if not values:
            return False
        result = form_save(
            actor=p.actor,
            subject=p.subject,
            event_oid=event_oid,
            event_repeat=repeat,
            form_oid=form_oid,
            entries=_entries(values),
            visit_date=date,
            today=TODAY,
        )
        self.forms += 1
        if truth:
            self.truth[result.form.pk] = truth
        return True

    def visit(self, p: Participant, code: str, date: dt.date, forms: list[str], *, repeat: int = 1) -> None:
        """Enter the visit's forms, the first with the visit date; eligibility is confirmed last.

        A visit without forms yet is only opened, with its date.
        """
        p.dates.setdefault(code, date)
        p.visit = code
        dated = False
        for form_oid in sorted(forms, key=lambda oid: oid == "F.IE"):
            values = FORM_VALUES[form_oid](p, date)
            truth = mistakes(p, form_oid, date, values)
            dated |= self.save(p, f"SE.{code}", form_oid, values, repeat=repeat, date=date, truth=truth)
        if not dated:
            event_open(actor=p.actor, subject=p.subject, event_oid=f"SE.{code}", repeat=repeat, visit_date=date)


def _casebook(entry: _Entry, p: Participant, visit_forms: dict[str, list[str]]) -> None:
    logs = crf.LOG_EVENT
    site, clock = p.subject.site.number, random.Random(f"entry-{p.subject.number}")  # noqa: S311 - demo data
    with entered_on(p.consent, site, clock):
        entry.visit(p, "V1", p.consent, [f for f in visit_forms["V1"] if f != "F.MH"])
        entry.save(p, "SE.V1", "F.MH", medical_history(p))
    if p.subject.status == SubjectStatus.SCREEN_FAILED:
        ended = min(p.consent + dt.timedelta(days=p.rng.randint(5, 12)), TODAY)
        with entered_on(ended, site, clock):
            entry.save(p, logs, "F.CM", medications(p, []))
            entry.save(p, logs, "F.DS", {"IT.DSDECOD": "SCREEN FAILURE", "IT.DSSTDAT": ended.isoformat()})
        return
    visits = schedule(p)
    for n, (code, date) in enumerate(visits):
        started_only = n == len(visits) - 1 and n > 0 and p.rng.random() < VISIT_STARTED_ONLY
        with entered_on(date, site, clock):
            entry.visit(p, code, date, [] if started_only else visit_forms[code])
    last = visits[-1][1] if visits else p.baseline
    if (last - p.baseline).days > 20 and p.rng.random() < UNSCHEDULED:
        date = p.baseline + dt.timedelta(days=p.rng.randint(10, (last - p.baseline).days))
        with entered_on(date, site, clock):
            entry.visit(p, "UNS", date, ["F.VS", "F.LB"])
    events, truth = adverse_events(p, last)
    with entered_on(last, site, clock):
        sae_awareness(events, p.subject.number)
        entry.save(p, logs, "F.AE", events, truth=truth)
        entry.save(p, logs, "F.CM", medications(p, events))


def load(*, study: Study) -> int:
    """Enter every subject's data and work the queries; return the number of forms saved."""
    users = {u.username: u for u in User.objects.filter(username__in=USERS)}
    visit_forms = crf.visit_forms()
    entry = _Entry()
    subjects = Subject.objects.filter(study=study).select_related("site__country", "assignment__arm")
    for subject in subjects.order_by("number"):
        assignment = getattr(subject, "assignment", None)
        actor = users.get(SITE_ENTRY.get(subject.site.number, ""))
        _casebook(entry, participant(subject, actor, assignment.arm.code if assignment else ""), visit_forms)
    automatic_queries_work(study, entry.truth, users)
    manual_queries_raise(study, users)
    return entry.forms
