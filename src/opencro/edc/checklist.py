"""The database-lock checklist: everything that must be closed before a study's data are locked.

ICH E6(R3) 4.2 and Appendix C (essential records: data are complete, verified, reviewed and
signed before database lock); SCDM Good Clinical Data Management Practices, "Database Closure".
Counted per site: open queries, forms awaiting SDV, casebooks with data but no valid investigator
signature, mandatory forms of started visits missing or incomplete, forms not reviewed by data
management; and, for the study, verbatim terms not yet coded (MedDRA, WHODrug).
"""

import importlib
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy

from opencro.edc.models import (
    Casebook,
    CodeList,
    DataLock,
    EventData,
    EventForm,
    FormData,
    FormStatus,
    ItemData,
    LockLevel,
    Query,
)
from opencro.edc.models.data import EventStatus, SdvStatus
from opencro.edc.models.queries import OPEN_STATES
from opencro.edc.signoff import signed_casebook_ids
from opencro.studies.models import Site, Study

DETAIL_LIMIT = 200
LABELS = {
    "open_queries": gettext_lazy("Open queries"),
    "sdv_pending": gettext_lazy("Forms awaiting SDV"),
    "unsigned_casebooks": gettext_lazy("Casebooks not signed by the investigator"),
    "missing_forms": gettext_lazy("Mandatory forms missing or incomplete"),
    "unreviewed_forms": gettext_lazy("Forms not reviewed by data management"),
    "uncoded_terms": gettext_lazy("Terms not coded"),
}


@dataclass
class ChecklistLine:
    """One thing to close: the study total and, when it is counted per site, one cell per site."""

    key: str
    total: int
    cells: list[int] | None = None  # aligned with LockChecklist.sites

    @property
    def label(self) -> str:
        return str(LABELS[self.key])


@dataclass(frozen=True)
class MissingForm:
    subject_id: int
    subject_number: str
    site_number: str
    event_oid: str
    event_repeat: int
    form_oid: str
    state: str  # "missing" or "incomplete"


@dataclass
class LockChecklist:
    study: Study
    sites: list[Site]
    lines: list[ChecklistLine]
    coding_source: str  # "coding" (the coding app's queue) or "values" (every such value counted)
    study_lock: DataLock | None
    unsigned: list[tuple[int, str, str]] = field(default_factory=list)  # (subject id, number, site number)
    missing: list[MissingForm] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(line.total == 0 for line in self.lines)

    def line(self, key: str) -> ChecklistLine:
        return next(line for line in self.lines if line.key == key)

    def problems(self) -> list[str]:
        """What still blocks the lock: one "label: count" per open line."""
        return [f"{line.label}: {line.total}" for line in self.lines if line.total]


def _per_site(counts: dict[int, int], sites: list[Site]) -> list[int]:
    return [counts.get(s.pk, 0) for s in sites]


def _line(key: str, counts: dict[int, int], sites: list[Site]) -> ChecklistLine:
    return ChecklistLine(key, sum(counts.values()), _per_site(counts, sites))


def _count_by_site(qs) -> dict[int, int]:
    return dict(qs.order_by().values("site_id").annotate(n=Count("id")).values_list("site_id", "n"))


def missing_forms(study: Study) -> tuple[dict[int, int], list[MissingForm]]:
    """Mandatory forms (without a display condition) of visits that started and were not marked not done."""
    mandatory: dict[int, list[str]] = {}
    for event_id, form_oid in EventForm.objects.filter(
        event__version__study=study, mandatory=True, condition__isnull=True
    ).values_list("event_id", "form__oid"):
        mandatory.setdefault(event_id, []).append(form_oid)
    states: dict[tuple[int, str], str] = {}
    for event_id, form_oid, status in FormData.objects.filter(study=study).values_list(
        "event_id", "form_oid", "status"
    ):
        if states.get((event_id, form_oid)) != FormStatus.INCOMPLETE:
            states[(event_id, form_oid)] = status
    counts: Counter[int] = Counter()
    found: list[MissingForm] = []
    events = (
        EventData.objects.filter(study=study)
        .exclude(status=EventStatus.NOT_DONE)
        .values_list(
            "pk", "event_def_id", "site_id", "subject_id", "subject__number", "site__number", "event_oid", "repeat_key"
        )
        .order_by("site__number", "subject__number", "event_def__order", "repeat_key")
    )
    for pk, event_def_id, site_id, subject_id, number, site_number, event_oid, repeat in events.iterator(
        chunk_size=2000
    ):
        for form_oid in mandatory.get(event_def_id, []):
            state = states.get((pk, form_oid))
            if state == FormStatus.COMPLETE:
                continue
            counts[site_id] += 1
            if len(found) < DETAIL_LIMIT:
                found.append(
                    MissingForm(
                        subject_id,
                        number,
                        site_number,
                        event_oid,
                        repeat,
                        form_oid,
                        "missing" if state is None else "incomplete",
                    )
                )
    return dict(counts), found


def coded_dictionary(label: str) -> bool:
    """Whether an external code list names a coding dictionary (MedDRA, WHODrug / WHO-DD)."""
    squashed = "".join(ch for ch in (label or "").casefold() if ch.isalnum())
    return squashed.startswith(("meddra", "whodrug", "whodd"))


def uncoded_count(study: Study) -> tuple[int, str]:
    """(terms not coded, source): the coding app's open queue when it is installed, else every entered
    value of an item whose code list is an external MedDRA or WHODrug list (none of them is coded then)."""
    try:
        coding = importlib.import_module("opencro.coding.selectors")
    except ModuleNotFoundError as exc:
        if exc.name not in ("opencro.coding", "opencro.coding.selectors"):
            raise
        coding = None
    if coding is not None and hasattr(coding, "uncoded_count"):
        return coding.uncoded_count(study), "coding"
    lists = [
        pk
        for pk, label in CodeList.objects.filter(version__study=study).values_list("pk", "external_dictionary")
        if coded_dictionary(label)
    ]
    values = ItemData.objects.filter(form__study=study, item_def__code_list_id__in=lists, value__isnull=False)
    return values.exclude(value="").count(), "values"


def lock_checklist(study: Study) -> LockChecklist:
    """Every line of the checklist for the whole study (the data manager's view before locking)."""
    sites = list(Site.objects.filter(study=study).order_by("number"))
    lines = [
        _line("open_queries", _count_by_site(Query.objects.filter(study=study, state__in=OPEN_STATES)), sites),
        _line(
            "sdv_pending", _count_by_site(FormData.objects.filter(study=study, sdv_status=SdvStatus.REQUIRED)), sites
        ),
    ]
    signed = signed_casebook_ids(study.pk)
    with_data = Casebook.objects.filter(study=study, subject__forms__isnull=False).distinct()
    unsigned_counts: Counter[int] = Counter()
    unsigned = []
    for pk, site_id, subject_id, number, site_number in with_data.values_list(
        "pk", "site_id", "subject_id", "subject__number", "site__number"
    ).order_by("site__number", "subject__number"):
        if pk not in signed:
            unsigned_counts[site_id] += 1
            if len(unsigned) < DETAIL_LIMIT:
                unsigned.append((subject_id, number, site_number))
    lines.append(_line("unsigned_casebooks", dict(unsigned_counts), sites))
    missing_counts, missing = missing_forms(study)
    lines.append(_line("missing_forms", missing_counts, sites))
    lines.append(_line("unreviewed_forms", _count_by_site(FormData.objects.filter(study=study, reviewed=False)), sites))
    uncoded, source = uncoded_count(study)
    lines.append(ChecklistLine("uncoded_terms", uncoded))
    lock = DataLock.objects.filter(study=study, level=LockLevel.STUDY, released_at__isnull=True).first()
    return LockChecklist(study, sites, lines, source, lock, unsigned, missing)
