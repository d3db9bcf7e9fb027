"""Safety reads, always scoped: a site-restricted role sees its sites' cases only; cases without a site are for
study-wide roles. Views and the API go through these."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.safety.clocks import DueReport, report_status
from opencro.safety.dates import partial_dates_may_match
from opencro.safety.facts import case_clock
from opencro.safety.models import CaseEvent, CaseProduct, CaseStatus, CaseSubmission, CaseVersion, SafetyCase
from opencro.safety.services.reporting import due_key

WORKLIST_SORTS = {"due": ("next_due_on", "pk"), "received": ("-received_on", "-pk"), "number": ("case__number",)}


def _scope(access: StudyAccess, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}study_id": access.membership.study_id})
    if access.site_ids is not None:
        q &= Q(**{f"{prefix}site_id__in": access.site_ids})
    return q


def case_list(
    access: StudyAccess,
    *,
    state: str = "",
    overdue: bool = False,
    site_id: int | None = None,
    source: str = "",
    search: str = "",
    sort: str = "due",
    today: dt.date | None = None,
) -> QuerySet[CaseVersion]:
    """The cases (their current versions) the user may see, filtered, sorted by the next report due by default."""
    versions = CaseVersion.objects.filter(_scope(access), latest=True).select_related(
        "case", "case__site", "case__subject", "assignee"
    )
    if state:
        versions = versions.filter(state=state)
    if overdue:
        versions = versions.filter(next_due_on__lt=today or timezone.localdate())
    if site_id is not None:
        versions = versions.filter(site_id=site_id)
    if source:
        versions = versions.filter(case__source=source)
    if search:
        versions = versions.filter(Q(case__number__icontains=search) | Q(case__subject__number__icontains=search))
    order = WORKLIST_SORTS.get(sort, WORKLIST_SORTS["due"])
    if order[0] == "next_due_on":  # cases with nothing due go last
        return versions.order_by(F("next_due_on").asc(nulls_last=True), *order[1:])
    return versions.order_by(*order)


def case_get(access: StudyAccess, case_id: int) -> SafetyCase:
    case = SafetyCase.objects.filter(_scope(access), pk=case_id).select_related("study", "site", "subject").first()
    if case is None:
        raise Http404(_("No such case."))
    return case


def version_get(case: SafetyCase, number: int | None = None) -> CaseVersion:
    versions = case.versions.select_related("case", "case__study", "case__site", "case__subject")
    version = versions.filter(latest=True).first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Http404(_("No such version."))
    return version


@dataclass(frozen=True)
class DueRow:
    due: DueReport
    submission: CaseSubmission | None
    status: str  # due, overdue, on time, late


def case_due_rows(case: SafetyCase, *, today: dt.date | None = None) -> tuple[list[DueRow], list]:
    """Every report due for the case (all versions) with its submission and status; and the missing assessments."""
    result = case_clock(case)
    sent = {
        (s.version.number, s.rule_set, s.rule, s.recipient, s.kind): s
        for s in CaseSubmission.objects.filter(version__case=case).select_related("version", "submitted_by")
    }
    today = today or timezone.localdate()
    rows = []
    for due in result.reports:
        submission = sent.get((due.version, *due_key(due)))
        rows.append(DueRow(due, submission, report_status(due, submission.submitted_on if submission else None, today)))
    return rows, list(result.missing)


@dataclass(frozen=True)
class PossibleDuplicate:
    case: SafetyCase
    reasons: list[str]


def case_duplicates(access: StudyAccess, version: CaseVersion) -> list[PossibleDuplicate]:
    """Other open cases of the study that may report the same thing: same patient, a common suspect product and a
    common event (same PT, or same verbatim when uncoded) with onsets that can be the same day."""
    case = version.case
    events = list(CaseEvent.objects.filter(version=version))
    products = {p.name.casefold() for p in CaseProduct.objects.filter(version=version, role__in=("1", "3"))}
    others = (
        CaseVersion.objects.filter(_scope(access), latest=True)
        .exclude(case=case)
        .exclude(case__status=CaseStatus.DUPLICATE)
    )
    if case.subject_id:
        others = others.filter(case__subject_id=case.subject_id)
    else:
        patient = getattr(version, "patient", None)
        if patient is None or not (patient.initials or patient.birth_date):
            return []
        others = others.filter(patient__initials=patient.initials, patient__birth_date=patient.birth_date)
    found = []
    for other in others.select_related("case"):
        other_products = {p.name.casefold() for p in CaseProduct.objects.filter(version=other, role__in=("1", "3"))}
        if not products & other_products:
            continue
        for event in events:
            match = next(
                (
                    e
                    for e in CaseEvent.objects.filter(version=other)
                    if _same_event(e, event) and partial_dates_may_match(e.onset, event.onset)
                ),
                None,
            )
            if match is not None:
                found.append(
                    PossibleDuplicate(
                        other.case,
                        [
                            _("same patient"),
                            _("suspect product %(p)s") % {"p": ", ".join(sorted(products & other_products))},
                            _("event %(term)s with onset %(onset)s")
                            % {"term": match.pt_name or match.verbatim, "onset": match.onset},
                        ],
                    )
                )
                break
    return found


def _same_event(a: CaseEvent, b: CaseEvent) -> bool:
    if a.pt_code and b.pt_code:
        return a.pt_code == b.pt_code
    return a.verbatim.strip().casefold() == b.verbatim.strip().casefold()


# ---- the case pages' reads (helper: safety case pages; views/cases.py) -------------------------------------------


def case_state_counts(access: StudyAccess) -> dict[str, int]:
    """How many of the user's cases (their current versions) are in each workflow state: one GROUP BY."""
    from django.db.models import Count

    rows = CaseVersion.objects.filter(_scope(access), latest=True).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def versions_seriousness(versions: list[CaseVersion]) -> dict[int, list[str]]:
    """{version id: the seriousness criteria of any of its events} for one page of the worklist (one query)."""
    from opencro.safety.models import SERIOUSNESS

    names = [name for name, _label in SERIOUSNESS]
    found: dict[int, set[str]] = {v.pk: set() for v in versions}
    for row in CaseEvent.objects.filter(version__in=[v.pk for v in versions]).order_by().values("version_id", *names):
        found[row["version_id"]].update(name for name in names if row[name])
    return {pk: [str(label) for name, label in SERIOUSNESS if name in flags] for pk, flags in found.items()}


def case_versions(case: SafetyCase) -> list[CaseVersion]:
    """Every version of a case, initial first."""
    return list(case.versions.select_related("case", "assignee").order_by("number"))


def case_submission_get(case: SafetyCase, submission_id: int) -> CaseSubmission:
    """A submission of one of the case's versions, else 404."""
    submission = (
        CaseSubmission.objects.filter(version__case=case, pk=submission_id).select_related("version__case").first()
    )
    if submission is None:
        raise Http404(_("No such submission."))
    return submission


# --- setup pages (helper) ---
# Reads of the set-up and case-editing pages: the study's products, RSI versions and reporting rule sets (shown
# readably), and a MedDRA term of the study's dictionary. Study-wide data: a member with safety.view may read it.

from django.utils.translation import gettext_lazy  # noqa: E402

from opencro.coding.models import DictionaryTerm  # noqa: E402
from opencro.coding.selectors import study_coding  # noqa: E402
from opencro.safety.models import (  # noqa: E402
    ReferenceSafetyInformation,
    ReportingRuleSet,
    SafetyProduct,
    StudyRuleSet,
)
from opencro.safety.rulesets import Conditions, RuleSetError, parse_rule_set  # noqa: E402


def safety_product_list(access: StudyAccess) -> QuerySet[SafetyProduct]:
    return SafetyProduct.objects.filter(study_id=access.membership.study_id).order_by("name")


def safety_product_get(access: StudyAccess, product_id: int) -> SafetyProduct:
    product = safety_product_list(access).filter(pk=product_id).first()
    if product is None:
        raise Http404(_("No such product."))
    return product


def rsi_list(access: StudyAccess) -> list[ReferenceSafetyInformation]:
    """Every RSI version of the study's products with its expected terms, by product then newest first."""
    return list(
        ReferenceSafetyInformation.objects.filter(study_id=access.membership.study_id)
        .select_related("product")
        .prefetch_related("terms")
        .order_by("product__name", "-effective_from")
    )


def meddra_term_get(access: StudyAccess, term_id: int) -> DictionaryTerm | None:
    """A term of the study's MedDRA version (None when the study has none or the term is not in it)."""
    coding = study_coding(access.membership.study_id)
    if coding is None or coding.meddra_id is None:
        return None
    terms = DictionaryTerm.objects.filter(dictionary_id=coding.meddra_id, pk=term_id)
    return terms.select_related("dictionary").first()


FACT_WORDS = {
    "serious": gettext_lazy("serious"),
    "unexpected": gettext_lazy("unexpected"),
    "related": gettext_lazy("related"),
    "fatal": gettext_lazy("fatal"),
    "life_threatening": gettext_lazy("life-threatening"),
    "fatal_or_life_threatening": gettext_lazy("fatal or life-threatening"),
    "susar": gettext_lazy("SUSAR (serious, unexpected, related)"),
    "became_fatal_or_life_threatening": gettext_lazy("became fatal or life-threatening"),
    "initial": gettext_lazy("initial report"),
    "follow_up": gettext_lazy("follow-up"),
    "significant": gettext_lazy("significant new information"),
}
KIND_WORDS = {
    "initial": gettext_lazy("initial report"),
    "follow-up": gettext_lazy("follow-up report"),
    "completion": gettext_lazy("completion of an earlier report"),
}
CLOCK_WORDS = {
    "day0": gettext_lazy("day 0 (minimum criteria known)"),
    "receipt": gettext_lazy("receipt of the information"),
    "fatal_or_lt_known": gettext_lazy("fatal or life-threatening known"),
    "followed_due": gettext_lazy("due date of the report it completes"),
}


def conditions_text(conditions: Conditions) -> str:
    """A rule's conditions in words: "SUSAR (serious, unexpected, related) and not fatal or life-threatening"."""
    parts = [
        str(FACT_WORDS.get(name, name)) if value else _("not %(fact)s") % {"fact": FACT_WORDS.get(name, name)}
        for name, value in conditions.facts
    ]
    if conditions.source_in is not None:
        parts.append(_("source: %(list)s") % {"list": ", ".join(conditions.source_in)})
    if conditions.country_in is not None:
        parts.append(_("country: %(list)s") % {"list": ", ".join(conditions.country_in)})
    if conditions.all_of is not None:
        parts.append(_("all of (%(list)s)") % {"list": "; ".join(conditions_text(c) for c in conditions.all_of)})
    if conditions.any_of is not None:
        parts.append(_("any of (%(list)s)") % {"list": "; ".join(conditions_text(c) for c in conditions.any_of)})
    return _(" and ").join(parts) if parts else _("always")


@dataclass(frozen=True)
class RuleLine:
    """One rule of a rule set, readable: to whom, what, when, how many days from which date, and why."""

    id: str
    recipient: str
    kind: str
    when: str
    days: int
    start: str
    reference: str


@dataclass(frozen=True)
class RuleSetRow:
    record: ReportingRuleSet
    followed: bool
    countries: tuple[str, ...]
    rules: list[RuleLine]
    problems: list[str]  # a stored document the parser no longer accepts (shown, never hidden)


def study_rule_sets(access: StudyAccess) -> list[RuleSetRow]:
    """The built-in rule sets and the study's own, each with whether the study follows it and its rules."""
    study_id = access.membership.study_id
    followed = set(StudyRuleSet.objects.filter(study_id=study_id).values_list("rule_set_id", flat=True))
    rows = []
    for record in ReportingRuleSet.objects.filter(Q(study=None) | Q(study_id=study_id)).order_by("study_id", "code"):
        try:
            parsed = parse_rule_set(record.document)
        except RuleSetError as exc:
            rows.append(RuleSetRow(record, record.pk in followed, (), [], [str(p) for p in exc.problems]))
            continue
        names = {r.code: r.name for r in parsed.recipients}
        lines = [
            RuleLine(
                rule.id,
                names.get(rule.recipient, rule.recipient),
                str(KIND_WORDS.get(rule.kind, rule.kind)),
                conditions_text(rule.conditions),
                rule.clock.days,
                str(CLOCK_WORDS.get(rule.clock.start, rule.clock.start)),
                rule.reference,
            )
            for rule in parsed.rules
        ]
        rows.append(RuleSetRow(record, record.pk in followed, parsed.countries, lines, []))
    return rows


# ---- the JSON API's reads (helper: safety API; api/cases.py) ----------------------------------------------------


def case_submissions(case: SafetyCase) -> QuerySet[CaseSubmission]:
    """Every report sent for any version of the case, in the order they were sent."""
    return (
        CaseSubmission.objects.filter(version__case=case)
        .select_related("version", "submitted_by")
        .order_by("submitted_on", "pk")
    )


def submission_get(access: StudyAccess, submission_id: int) -> CaseSubmission:
    """A submission of a case the user may see, else 404."""
    submission = (
        CaseSubmission.objects.filter(_scope(access, "version__case__"), pk=submission_id)
        .select_related("version", "version__case", "submitted_by")
        .first()
    )
    if submission is None:
        raise Http404(_("No such submission."))
    return submission


# --- reconciliation (lead) ---


def reconciliation_items(access: StudyAccess, *, status: str = "open") -> QuerySet:
    """The study's reconciliation differences (open ones by default), subject by subject."""
    from opencro.safety.models import ReconciliationItem

    items = ReconciliationItem.objects.filter(study_id=access.membership.study_id).select_related(
        "subject", "site", "case", "closed_by"
    )
    return items.filter(status=status) if status else items


def reconciliation_get(access: StudyAccess, item_id: int):
    from opencro.safety.models import ReconciliationItem

    item = ReconciliationItem.objects.filter(study_id=access.membership.study_id, pk=item_id).first()
    if item is None:
        raise Http404(_("No such difference."))
    return item
