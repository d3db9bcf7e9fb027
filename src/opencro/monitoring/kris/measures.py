"""The catalogue of per-participant measures a KRI divides, and their values for every participant at a data cut.

A KRI is numerator / denominator summed over a site's or a country's participants (gsm's Transform_Rate); both
name a measure of this catalogue. The values are read in a fixed number of aggregate queries per study (a few per
time zone of its sites), never per participant, and count only what existed at the cut: a timestamp counts when its
calendar date at the participant's site is on or before the cut date, a date when it is on or before it.

Where each measure comes from:

- screened, enrolled, screen failed: the participant record (screening and enrolment dates; a screen failure dated
  by the investigator's eligibility confirmation, else the screening day);
- days on study: from the first consent (else enrolment, else screening) to the earliest of the cut, the end of
  participation (disposition, withdrawal of all consent, screen failure), inclusive;
- study discontinuation: an early-termination disposition or a withdrawal of all consent by the cut; treatment
  discontinuation: that, or any withdrawal of consent (from treatment, follow-up or all) by the cut;
- adverse events and serious ones: rows of the eCRF's adverse-event log with a term (items whose SDTM target is
  AE.AETERM / AE.AESER, found from the build's annotations as the SDTM mapping finds them), on pages first
  entered by the cut;
- lab samples: entered pages holding a lab result (LB.LBORRES); grade 3 or more: those with a toxicity grade
  (LB.LBTOXGR) of 3 or higher (a build without LBTOXGR has none);
- protocol deviations of the participant identified by the cut, rejected ones left out (their current status and
  classification: a later review applies to earlier cuts too); deviations of a site as a whole are not a
  participant's;
- queries opened by the cut (cancelled ones left out), those still open or answered at the cut and opened more than
  30 days before it;
- data points: item values (not empty) on pages first entered by the cut, read from each page's count
  (`FormData.value_count`, kept by the writers of values); changed: values whose audit trail holds a change of
  value (an `update` of a value that was not empty) by the cut;
- data pages first entered by the cut; late: first entered more than 10 days after the visit date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Case, Count, Min, Q, QuerySet, Sum, When
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from opencro.analysis.sources import study_metadata
from opencro.audit.models import AuditAction, AuditRecord
from opencro.edc.models import FormData, ItemData, ItemDef, Query, QueryState
from opencro.edc.services.entry import ITEM_TYPE
from opencro.followup.models import Disposition, DispositionOutcome
from opencro.monitoring.models import Deviation, DeviationStatus
from opencro.studies.dates import site_date
from opencro.studies.dates_sql import DayReachedAnywhere, SiteDayReached
from opencro.studies.models import Site, Study
from opencro.subjects.models import ConsentRecord, ConsentWithdrawal, Subject, SubjectStatus
from opencro.subjects.models.withdrawal import WithdrawalScope

COUNT, DAYS, PARTICIPANTS = "count", "days", "participants"
QUERY_AGE_DAYS = 30  # a query open longer than this at the cut is outstanding (gsm's kri0009)
LATE_ENTRY_DAYS = 10  # a page first entered more than this after the visit is late (gsm's kri0010)
HIGH_GRADE = 3  # lab toxicity grade from which a result counts (gsm's kri0005: grade 3+)
YES = ("Y", "YES", "1", "TRUE")
CHUNK = 500  # changed values looked up per query


@dataclass(frozen=True)
class Measure:
    """One per-participant measure: `kind` says whether it counts records, days or the participant (0 or 1)."""

    code: str
    label: str
    unit: str
    kind: str


MEASURES: tuple[Measure, ...] = (
    Measure("screened", _("Screened participants"), _("participants"), PARTICIPANTS),
    Measure("screen_failed", _("Screen failures"), _("participants"), PARTICIPANTS),
    Measure("enrolled", _("Enrolled participants"), _("participants"), PARTICIPANTS),
    Measure("study_discontinued", _("Participants discontinued from the study"), _("participants"), PARTICIPANTS),
    Measure("treatment_discontinued", _("Participants discontinued from treatment"), _("participants"), PARTICIPANTS),
    Measure("days_on_study", _("Days on study"), _("days"), DAYS),
    Measure("aes", _("Adverse events"), _("events"), COUNT),
    Measure("saes", _("Serious adverse events"), _("events"), COUNT),
    Measure("deviations", _("Protocol deviations"), _("deviations"), COUNT),
    Measure("deviations_important", _("Important protocol deviations"), _("deviations"), COUNT),
    Measure("deviations_not_important", _("Protocol deviations not classified important"), _("deviations"), COUNT),
    Measure("lab_samples", _("Lab samples"), _("samples"), COUNT),
    Measure("lab_high_grade", _("Lab samples with a grade 3 or higher result"), _("samples"), COUNT),
    Measure("queries", _("Queries"), _("queries"), COUNT),
    Measure("queries_old", _("Queries open more than 30 days"), _("queries"), COUNT),
    Measure("data_points", _("Data points"), _("data points"), COUNT),
    Measure("data_points_changed", _("Data points changed after entry"), _("data points"), COUNT),
    Measure("data_pages", _("Data pages"), _("pages"), COUNT),
    Measure("data_pages_late", _("Data pages entered more than 10 days after the visit"), _("pages"), COUNT),
)
MEASURE_BY_CODE = {m.code: m for m in MEASURES}
CODES = tuple(MEASURE_BY_CODE)


@dataclass
class Participant:
    """A participant's measures at the cut, with the site and country they are counted under."""

    subject_id: int
    number: str
    site_id: int
    site_number: str
    country: str
    values: dict[str, float]


@dataclass(frozen=True)
class DataCut:
    """The cut as each time zone of the study's sites sees it: a moment counts when it is before the zone's bound."""

    on: dt.date
    zones: dict[str, tuple[frozenset[int], dt.datetime]]  # time zone -> (site ids, midnight after the cut there)

    def before(self, field: str, site_field: str = "site_id", *, ranged: bool = True) -> Q:
        """Rows whose `field` moment falls on or before the cut date at their site.

        The zones' bounds lie within about a day of each other: a moment before the earliest is before every site's,
        so only the few rows between the earliest and the latest bound are tested zone by zone (per row one
        comparison, not one per time zone; 4.1 s -> 1.8 s over 1.1 M pages). `ranged` puts the latest bound first, as
        a range the database reads from an index on the moment: right when the rows are found by the moment (pages),
        wrong when another index finds fewer rows (item values by item: the planner would walk every page instead,
        1.2 s -> 2.2 s). Every row read belongs to a site of the study, so each site is in one of the zones.
        """
        if not self.zones:
            return Q(pk__in=[])
        bounds = [bound for _site_ids, bound in self.zones.values()]
        per_zone = Q(pk__in=[])
        for site_ids, bound in self.zones.values():
            per_zone |= Q(**{f"{site_field}__in": site_ids, f"{field}__lt": bound})
        shortcut = Q(**{f"{field}__lt": min(bounds)}) | per_zone
        return Q(**{f"{field}__lt": max(bounds)}) & shortcut if ranged else shortcut


def data_cut(sites: Iterable[Site], cut_on: dt.date) -> DataCut:
    by_zone: dict[str, set[int]] = defaultdict(set)
    for site in sites:
        by_zone[site.time_zone].add(site.pk)
    after = dt.datetime.combine(cut_on + dt.timedelta(days=1), dt.time())
    return DataCut(
        cut_on, {zone: (frozenset(ids), after.replace(tzinfo=ZoneInfo(zone))) for zone, ids in by_zone.items()}
    )


_ANNOTATION = re.compile(r"^\s*([A-Z]{2})\.([A-Z0-9]+)\b")


def role_items(study: Study) -> dict[str, list[int]]:
    """Item definitions (every build version's) of the eCRF roles the measures read: AE.AETERM, AE.AESER,
    LB.LBORRES, LB.LBTOXGR, found by SDTM variable and domain as the default SDTM mapping finds them (the item's
    SDS variable with its group's domain, or an annotation naming DOMAIN.VARIABLE)."""
    wanted = {("AE", "AETERM"), ("AE", "AESER"), ("LB", "LBORRES"), ("LB", "LBTOXGR")}
    item_meta, group_meta, _codelists = study_metadata(study)
    if item_meta.empty:
        return {}
    domains = dict(zip(group_meta["GROUP_OID"], group_meta["DOMAIN"], strict=True)) if len(group_meta) else {}
    oids: dict[str, list[str]] = defaultdict(list)
    for oid, sds, annotation, group in zip(
        item_meta["ITEM_OID"], item_meta["SDS_VAR_NAME"], item_meta["ANNOTATION"], item_meta["GROUP_OID"], strict=True
    ):
        named = _ANNOTATION.match(annotation or "")
        variable = (sds or "").upper()
        domain = domains.get(group) or ""
        if named and (named.group(1), named.group(2)) in wanted:
            domain, variable = named.group(1), named.group(2)
        if (domain, variable) in wanted:
            oids[variable].append(oid)
    found: dict[str, list[int]] = defaultdict(list)
    for variable, names in oids.items():
        found[variable] = list(ItemDef.objects.filter(version__study=study, oid__in=names).values_list("pk", flat=True))
    return dict(found)


def participant_measures(study: Study, cut_on: dt.date) -> list[Participant]:
    """Every participant screened by the cut, with each measure of `MEASURES` (all sites: a snapshot compares
    every site with the study; readers see their own sites' results only)."""
    sites = {s.pk: s for s in Site.objects.filter(study=study).select_related("country")}
    cut = data_cut(sites.values(), cut_on)
    rows = list(
        Subject.objects.filter(study=study, screened_on__lte=cut_on)
        .order_by("number")
        .values_list("pk", "number", "site_id", "status", "screened_on", "enrolled_on", "eligibility__confirmed_at")
    )
    people: dict[int, Participant] = {}
    labels = {pk: (site.number, site.country.code) for pk, site in sites.items()}  # read once per site, not per row
    for pk, number, site_id, status, screened_on, enrolled_on, confirmed_at in rows:
        values = dict.fromkeys(CODES, 0.0)
        values["screened"] = 1.0
        values["enrolled"] = float(enrolled_on is not None and enrolled_on <= cut_on)
        if status == SubjectStatus.SCREEN_FAILED:
            failed_on = site_date(sites[site_id], confirmed_at) if confirmed_at else screened_on
            values["screen_failed"] = float(failed_on <= cut_on)
        people[pk] = Participant(pk, number, site_id, *labels[site_id], values)
    if not people:
        return []
    _participation(study, cut, rows, sites, people)
    _deviations(study, cut_on, people)
    _queries(study, cut, people)
    _edc(study, cut, people)
    return list(people.values())


def _add(people: dict[int, Participant], code: str, counts: Iterable[tuple[int, int | float]]) -> None:
    for subject_id, n in counts:
        if subject_id in people:
            people[subject_id].values[code] += n


def _participation(study: Study, cut: DataCut, rows: list, sites: dict[int, Site], people: dict[int, Participant]):
    """Days on study and discontinuations, from consent, enrolment, dispositions and withdrawals."""
    consent: dict[int, dt.date] = {}
    for record in ConsentRecord.objects.filter(study=study).select_related("site").order_by("obtained_at"):
        day = record.signed_on
        if day and (record.subject_id not in consent or day < consent[record.subject_id]):
            consent[record.subject_id] = day
    ended: dict[int, dt.date] = {}
    stopped_study: set[int] = set()
    stopped_treatment: set[int] = set()
    for subject_id, day, outcome in Disposition.objects.filter(study=study, disposition_on__lte=cut.on).values_list(
        "subject_id", "disposition_on", "outcome"
    ):
        ended[subject_id] = day
        if outcome == DispositionOutcome.EARLY_TERMINATION:
            stopped_study.add(subject_id)
            stopped_treatment.add(subject_id)
    for subject_id, day, scope in ConsentWithdrawal.objects.filter(study=study, withdrawn_on__lte=cut.on).values_list(
        "subject_id", "withdrawn_on", "scope"
    ):
        stopped_treatment.add(subject_id)
        if scope == WithdrawalScope.ALL:
            stopped_study.add(subject_id)
            ended[subject_id] = min(day, ended.get(subject_id, day))
    for pk, _number, _site, _status, screened_on, enrolled_on, confirmed_at in rows:
        person = people[pk]
        person.values["study_discontinued"] = float(pk in stopped_study)
        person.values["treatment_discontinued"] = float(pk in stopped_treatment)
        start = consent.get(pk) or enrolled_on or screened_on
        end = min(cut.on, ended.get(pk, cut.on))
        if person.values["screen_failed"]:
            end = min(end, site_date(sites[person.site_id], confirmed_at) if confirmed_at else screened_on)
        person.values["days_on_study"] = float(max((end - start).days + 1, 0)) if start <= cut.on else 0.0


def _deviations(study: Study, cut_on: dt.date, people: dict[int, Participant]) -> None:
    counted = (
        Deviation.objects.filter(study=study, subject__isnull=False, identified_on__lte=cut_on)
        .exclude(status=DeviationStatus.REJECTED)
        .values("subject_id")
        .annotate(n=Count("id"), important=Count("id", filter=Q(important=True)))
        .order_by()
    )
    for row in counted:
        person = people.get(row["subject_id"])
        if person is not None:
            person.values["deviations"] += row["n"]
            person.values["deviations_important"] += row["important"]
            person.values["deviations_not_important"] += row["n"] - row["important"]


def _queries(study: Study, cut: DataCut, people: dict[int, Participant]) -> None:
    """Queries opened by the cut (cancelled ones left out) and those open at the cut for more than 30 days: one query
    per time zone of the sites, so each row is tested against its zone's bounds only (not every zone's site list)."""
    age = dt.timedelta(days=QUERY_AGE_DAYS + 1)  # opened more than 30 days before the cut: by the cut date - 31 days
    for site_ids, bound in cut.zones.values():
        closed_by_cut = Q(closed_at__lt=bound)
        cancelled = Q(state=QueryState.CANCELLED) & (Q(closed_at__isnull=True) | closed_by_cut)
        closed_at_cut = closed_by_cut | Q(state__in=(QueryState.CLOSED, QueryState.CANCELLED), closed_at=None)
        old = Q(opened_at__lt=bound - age) & ~closed_at_cut
        counted = (
            Query.objects.filter(study=study, site_id__in=site_ids, opened_at__lt=bound)
            .exclude(cancelled)
            .values("subject_id")
            .annotate(queries=Count("id"), queries_old=Count("id", filter=old))
            .order_by()
        )
        _add_rows(people, counted, "subject_id", ("queries", "queries_old"))


def _entered(study: Study, cut: DataCut) -> QuerySet[ItemData]:
    """Item values on pages first entered by the cut."""
    return ItemData.objects.filter(form__study=study, value__isnull=False).filter(
        cut.before("form__first_entered_at", "form__site_id", ranged=False)
    )


def _edc(study: Study, cut: DataCut, people: dict[int, Participant]) -> None:
    """Pages, late pages (per time zone: the entry date at the site), data points (each page's count of values, kept
    at entry) and lab samples (pages among those holding a lab result) in one scan of the pages; then changed data
    points, AEs, SAEs and high-grade lab samples from the few values they concern."""
    roles = role_items(study)
    filled = ~Q(value="") & Q(value__isnull=False)
    entered = FormData.objects.filter(study=study).filter(cut.before("first_entered_at"))
    first = entered.aggregate(first=Min("first_entered_at"))["first"]
    if first is not None:
        days = LATE_ENTRY_DAYS + 1
        per_zone = Case(  # each page read on its own site's calendar
            *(
                When(
                    site_id__in=site_ids,
                    then=SiteDayReached(
                        "first_entered_at", "event__visit_date", days=days, zone=zone, start=first, end=bound
                    ),
                )
                for zone, (site_ids, bound) in cut.zones.items()
            ),
            default=False,
            output_field=BooleanField(),
        )
        # nearly every page is decided whatever the zone; the zone's test only for those entered near the limit
        late = Coalesce(DayReachedAnywhere("first_entered_at", "event__visit_date", days=days), per_zone)
        counts = {
            "data_pages": Count("id"),
            "data_pages_late": Count("id", filter=Q(late=True)),
            "data_points": Sum("value_count"),
        }
        if roles.get("LBORRES"):  # the pages holding a result, found once through the item index (not per page)
            results = ItemData.objects.filter(filled, item_def_id__in=roles["LBORRES"]).values("form_id")
            counts["lab_samples"] = Count("id", filter=Q(pk__in=results))
        rows = entered.annotate(late=late).values("subject_id").annotate(**counts).order_by()
        _add_rows(people, rows, "subject_id", counts)
    values = _entered(study, cut)
    counts = {}
    if roles.get("AETERM"):
        counts["aes"] = Count("id", filter=Q(item_def_id__in=roles["AETERM"]) & ~Q(value=""))
    if roles.get("AESER"):
        serious = Q()
        for word in YES:
            serious |= Q(value__iexact=word)
        counts["saes"] = Count("id", filter=Q(item_def_id__in=roles["AESER"]) & serious)
    if counts:  # the adverse-event log's values only, through the item index
        items = roles.get("AETERM", []) + roles.get("AESER", [])
        rows = values.filter(item_def_id__in=items).values("form__subject_id").annotate(**counts).order_by()
        _add_rows(people, rows, "form__subject_id", counts)
    changes = (
        AuditRecord.objects.filter(
            study_id=study.pk, object_type=ITEM_TYPE, action=AuditAction.UPDATE, field="value", old_value__isnull=False
        )
        .filter(cut.before("timestamp"))
        .annotate(item_id=Cast("object_id", BigIntegerField()))
        .values_list("item_id", flat=True)
        .order_by()  # without the default ordering by id, DISTINCT gives each value once, not once per change
        .distinct()
    )
    changed = list(changes)  # the values changed: looked up by key, a chunk at a time
    for start in range(0, len(changed), CHUNK):
        rows = values.filter(pk__in=changed[start : start + CHUNK]).values("form__subject_id").annotate(n=Count("id"))
        _add(people, "data_points_changed", ((row["form__subject_id"], row["n"]) for row in rows.order_by()))
    if roles.get("LBTOXGR"):
        _high_grade(values.filter(item_def_id__in=roles["LBTOXGR"]), people)


def _add_rows(people: dict[int, Participant], rows: QuerySet, key: str, codes: Iterable[str]) -> None:
    """Add each aggregate row's counts (named by measure code) to its participant. The rows come straight from the
    cursor: Django's per-value converters cost a second over the page counts of 100,000 participants."""
    codes = list(codes)
    sql, params = rows.values_list(key, *codes).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for subject_id, *counts in cursor.fetchall():
            person = people.get(subject_id)
            if person is not None:
                values = person.values
                for code, n in zip(codes, counts, strict=True):
                    if n:  # most counts are zero (late pages, lab samples, old queries): skip the write
                        values[code] += n


def _high_grade(grades: QuerySet[ItemData], people: dict[int, Participant]) -> None:
    """Lab pages with a toxicity grade of 3 or more (grades are few: read them, parse them here)."""
    pages: dict[int, set[int]] = defaultdict(set)
    for subject_id, form_id, value in grades.values_list("form__subject_id", "form_id", "value"):
        try:
            grade = int(float(value))
        except (TypeError, ValueError):
            continue
        if grade >= HIGH_GRADE:
            pages[subject_id].add(form_id)
    _add(people, "lab_high_grade", ((s, len(forms)) for s, forms in pages.items()))
