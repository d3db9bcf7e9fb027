"""The expedited-reporting clock: which reports of a case are due to whom, and by when, under each rule set.

Pure: the caller passes what the sponsor knew at each case version and the rule sets in force, and gets back the
reports due and the assessments still missing. All periods are calendar days: ``due_on = clock_start + days``
(day 0 is the day the clock starts; a report submitted on ``due_on`` is on time).

Dates a clock runs from (``Clock.start`` of a rule):

``day0``
    For the report that makes a case known to a recipient. It is the date the minimum criteria (identifiable
    patient, identifiable reporter, suspect product, event) were first known, when the case is reportable at the
    version where they were first known (ICH E2A III.B; Regulation (EU) No 536/2014 Annex III 2.4; CT-3 section 7.2.3).
    When a later version first makes the case reportable (a case never reportable becomes a SUSAR), day 0 is the
    date that version's information was received: the date the case became reportable (21 CFR 312.32(d)(3)).
``receipt``
    The date this version's information was received: follow-ups run 15 days from the receipt of significant new
    information (21 CFR 312.32(d)(2) with FDA's 2012 guidance; CT-3 section 7.2.3).
``fatal_or_lt_known``
    The date the sponsor learned that an event was fatal or life-threatening (Art. 42(2)(c) of Regulation (EU)
    No 536/2014: 7 days from the sponsor becoming aware that a SUSAR first thought non-fatal is fatal or
    life-threatening); the version's receipt date if that date was not recorded.
``followed_due``
    The due date of the report a completion rule follows. ICH E2A III.A.1 and CT-3 section 7.2.3 ask for "as complete a
    report as possible within an additional eight days" after the 7-day report: the eight days are read as
    added to the 7-day period, so the completion is due on day 7 + 8 = 15. (A stricter reading counts them from
    the day the 7-day report was sent; that date is a submission record, outside this engine.)

One report per recipient and version: when several initial (or several follow-up) rules of a rule set match for
the same recipient at the same version, the earliest-due one is the report due. A recipient gets one initial
report per case; later versions produce follow-ups. A completion rule is due with the report of the rule it
follows, at the same version.

References
----------
21 CFR 312.32 (c)(1), (c)(2), (d)(2), (d)(3) (FDA, IND safety reporting, final rule 75 FR 59935, 29 Sep 2010).
FDA (2012) Guidance for Industry and Investigators: Safety Reporting Requirements for INDs and BA/BE Studies.
Regulation (EU) No 536/2014, Art. 42(2) and Annex III sections 2.4-2.5.
European Commission (2011) CT-3, Detailed guidance on the collection, verification and presentation of adverse
event/reaction reports arising from clinical trials on medicinal products for human use, OJ C 172, 11.6.2011.
ICH E2A (1994) Clinical Safety Data Management: Definitions and Standards for Expedited Reporting, section III.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from opencro.safety.rulesets import Conditions, Rule, RuleSet

_ASSESSMENTS = {"unexpected": "expectedness", "related": "causality"}


class ClockInputError(ValueError):
    """Case versions that cannot be timed (numbers repeated or out of order, dates before the case began)."""


@dataclass(frozen=True)
class EventFacts:
    """One reaction/event of a case as known at a version.

    ``related`` is True when the investigator OR the sponsor sees a reasonable possibility of a causal relationship
    (Annex III 2.1(4): the sponsor may not downgrade the investigator's causality).
    """

    key: str
    term: str
    serious: bool
    fatal: bool = False
    life_threatening: bool = False
    unexpected: bool | None = None
    related: bool | None = None


@dataclass(frozen=True)
class VersionFacts:
    """What the sponsor knew at one case version (1 = initial, 2.. follow-ups).

    ``countries`` are the countries of the study the case belongs to (where a rule set applies);
    ``occurred_in`` is the country where the event occurred (the ``country_in`` condition).
    """

    number: int
    received_on: date
    minimum_criteria_on: date | None
    events: tuple[EventFacts, ...]
    countries: frozenset[str] = field(default_factory=frozenset)
    source: str = "study"
    occurred_in: str | None = None
    fatal_or_lt_known_on: date | None = None
    significant: bool = False


@dataclass(frozen=True)
class DueReport:
    """A report due to a recipient: ``due_on = clock_start + days``; ``reason`` says which facts made it due.

    ``day0`` is the report's day 0: for an initial report the day the case became reportable, for a follow-up the
    receipt (or fatal-known) date its clock restarts from, for a completion the day 0 of the report it completes.
    """

    rule_set: str
    rule: str
    recipient: str
    kind: str
    version: int
    day0: date
    clock_start: date
    days: int
    due_on: date
    events: tuple[str, ...]
    reason: str
    reference: str


@dataclass(frozen=True)
class MissingAssessment:
    """Facts the clock needs but nobody has assessed yet, for an event of a version (a worklist item)."""

    version: int
    event: str
    term: str
    missing: tuple[str, ...]  # "expectedness", "causality", "minimum criteria"
    rule_sets: tuple[str, ...]

    @property
    def message(self) -> str:
        return f"version {self.version}, {self.term} ({self.event}): assess {', '.join(self.missing)}"


@dataclass(frozen=True)
class ClockResult:
    reports: tuple[DueReport, ...]
    missing: tuple[MissingAssessment, ...]


# --- three-valued evaluation of conditions (None: not assessed) ---------------------------------------------------


def _and(values: Sequence[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: Sequence[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


@dataclass(frozen=True)
class _Context:
    facts: dict[str, bool | None]
    source: str
    country: str | None


def _evaluate(conditions: Conditions, ctx: _Context) -> bool | None:
    parts: list[bool | None] = []
    for name, wanted in conditions.facts:
        value = ctx.facts[name]
        parts.append(None if value is None else value == wanted)
    if conditions.source_in is not None:
        parts.append(ctx.source in conditions.source_in)
    if conditions.country_in is not None:
        parts.append(ctx.country in conditions.country_in if ctx.country is not None else False)
    if conditions.all_of is not None:
        parts.append(_and([_evaluate(c, ctx) for c in conditions.all_of]))
    if conditions.any_of is not None:
        parts.append(_or([_evaluate(c, ctx) for c in conditions.any_of]))
    return _and(parts)


def _event_facts(event: EventFacts, version: VersionFacts, previous: VersionFacts | None) -> dict[str, bool | None]:
    fatal_or_lt = event.fatal or event.life_threatening
    was = None
    if previous is not None:
        was = next((e for e in previous.events if e.key == event.key), None)
    return {
        "serious": event.serious,
        "unexpected": event.unexpected,
        "related": event.related,
        "fatal": event.fatal,
        "life_threatening": event.life_threatening,
        "fatal_or_life_threatening": fatal_or_lt,
        "susar": _and([event.serious, event.unexpected, event.related]),
        "became_fatal_or_life_threatening": (
            previous is not None and fatal_or_lt and not (was is not None and (was.fatal or was.life_threatening))
        ),
        "initial": previous is None,
        "follow_up": previous is not None,
        "significant": version.significant,
    }


# --- the engine ---------------------------------------------------------------------------------------------------


def _ordered(versions: Sequence[VersionFacts]) -> list[VersionFacts]:
    ordered = sorted(versions, key=lambda v: v.number)
    numbers = [v.number for v in ordered]
    if len(set(numbers)) != len(numbers):
        raise ClockInputError(f"case version numbers repeat: {numbers}")
    for version in ordered:
        keys = [e.key for e in version.events]
        if len(set(keys)) != len(keys):
            raise ClockInputError(f"version {version.number}: event keys repeat: {keys}")
    for earlier, later in pairwise(ordered):
        if later.received_on < earlier.received_on:
            raise ClockInputError(
                f"version {later.number} was received on {later.received_on}, before version {earlier.number} "
                f"({earlier.received_on})"
            )
    return ordered


def _fmt(day: date) -> str:
    return f"{day:%a} {day.isoformat()}"


def _describe(facts: dict[str, bool | None], event: EventFacts) -> str:
    words = [name for name in ("serious", "unexpected", "related", "fatal", "life_threatening") if facts[name]]
    words += [f"not {name}" for name in ("serious", "unexpected", "related") if facts[name] is False]
    return f"{event.term} ({event.key}): {', '.join(words).replace('_', '-')}"


@dataclass
class _Timer:
    """The state of one rule set's clocks over the versions of one case."""

    rule_set: RuleSet
    reported: set[str] = field(default_factory=set)  # recipients that received an initial report
    reports: list[DueReport] = field(default_factory=list)
    unknown: dict[tuple[int, str], set[str]] = field(default_factory=dict)

    def applies(self, version: VersionFacts) -> bool:
        return not self.rule_set.countries or bool(set(self.rule_set.countries) & version.countries)

    def run(self, version: VersionFacts, previous: VersionFacts | None, day0: date | None) -> None:
        contexts = [
            (event, facts, _Context(facts, version.source, version.occurred_in))
            for event in version.events
            for facts in [_event_facts(event, version, previous)]
        ]
        for event, facts, ctx in contexts:  # whatever was reported before, an open assessment is a worklist item
            if any(_evaluate(rule.conditions, ctx) is None for rule in self.rule_set.rules):
                needed = {_ASSESSMENTS[name] for name in _ASSESSMENTS if facts[name] is None}
                self.unknown.setdefault((version.number, event.key), set()).update(needed)
        fired: dict[str, DueReport] = {}
        reported_before = set(self.reported)  # a recipient first reported at this version gets no follow-up yet
        for kind in ("initial", "follow-up"):
            best: dict[str, DueReport] = {}
            for rule in self.rule_set.rules:
                if rule.kind != kind or (rule.recipient in reported_before) != (kind == "follow-up"):
                    continue
                report = self._match(rule, version, contexts, day0, None)
                if report is not None and (rule.recipient not in best or report.due_on < best[rule.recipient].due_on):
                    best[rule.recipient] = report
            for recipient, report in best.items():
                fired[report.rule] = report
                self.reports.append(report)
                if kind == "initial":
                    self.reported.add(recipient)
        for rule in self.rule_set.rules:
            if rule.kind == "completion" and rule.follows in fired:
                report = self._match(rule, version, contexts, day0, fired[rule.follows])
                if report is not None:
                    self.reports.append(report)

    def _match(
        self,
        rule: Rule,
        version: VersionFacts,
        contexts: list[tuple[EventFacts, dict[str, bool | None], _Context]],
        day0: date | None,
        followed: DueReport | None,
    ) -> DueReport | None:
        matched = [(event, facts) for event, facts, ctx in contexts if _evaluate(rule.conditions, ctx) is True]
        if not matched:
            return None
        if rule.kind == "initial" and day0 is None:
            for event, _ in matched:
                self.unknown.setdefault((version.number, event.key), set()).add("minimum criteria")
            return None
        start, start_words = self._start(rule, version, day0, followed)
        if followed is not None:
            day0 = followed.day0
        elif rule.kind != "initial" or day0 is None:
            day0 = start  # a follow-up restarts the clock at its own day 0 (CT-3 section 7.2.3)
        due_on = start + timedelta(days=rule.clock.days)
        because = "; ".join(_describe(facts, event) for event, facts in matched)
        reason = (
            f"{self.rule_set.code} {rule.id} ({rule.kind}, version {version.number}) to {rule.recipient}: {because}; "
            f"{rule.clock.days} calendar days from {start_words} {_fmt(start)} -> due {_fmt(due_on)}"
        )
        return DueReport(
            rule_set=self.rule_set.code,
            rule=rule.id,
            recipient=rule.recipient,
            kind=rule.kind,
            version=version.number,
            day0=day0,
            clock_start=start,
            days=rule.clock.days,
            due_on=due_on,
            events=tuple(event.key for event, _ in matched),
            reason=reason,
            reference=rule.reference,
        )

    @staticmethod
    def _start(rule: Rule, version: VersionFacts, day0: date | None, followed: DueReport | None) -> tuple[date, str]:
        start = rule.clock.start
        if start == "day0" and day0 is not None:
            return day0, "day 0"
        if start == "receipt":
            return version.received_on, f"receipt of version {version.number}"
        if start == "fatal_or_lt_known":
            if version.fatal_or_lt_known_on is not None:
                return version.fatal_or_lt_known_on, "the day the sponsor learned it was fatal or life-threatening"
            return (
                version.received_on,
                f"receipt of version {version.number} (date fatal/life-threatening known: unset)",
            )
        if followed is None:  # parse_rule_set allows "day0" and "followed_due" only where these exist
            raise ClockInputError(f"rule {rule.id}: clock {start!r} has no date to start from")
        return followed.due_on, f"the due date of {followed.rule}"


def _day0(ordered: list[VersionFacts], index: int) -> date | None:
    """Day 0 of an initial report made at ``ordered[index]`` (see the module docstring); None: criteria not met."""
    version = ordered[index]
    if version.minimum_criteria_on is None:
        return None
    first_with_criteria = next(i for i, v in enumerate(ordered) if v.minimum_criteria_on is not None)
    if index == first_with_criteria:
        return version.minimum_criteria_on
    return max(version.minimum_criteria_on, version.received_on)


def reports_due(versions: Sequence[VersionFacts], rule_sets: Sequence[RuleSet]) -> ClockResult:
    """Compute every report due for a case under each rule set, version by version.

    A rule set applies to a version when its countries meet the study's countries (or it lists none). Conditions
    on events whose expectedness or causality is not assessed give no report; they are listed in ``missing``.
    """
    ordered = _ordered(versions)
    timers = [_Timer(rule_set) for rule_set in rule_sets]
    for index, version in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        day0 = _day0(ordered, index)
        for timer in timers:
            if timer.applies(version):
                timer.run(version, previous, day0)
    reports = tuple(sorted((r for t in timers for r in t.reports), key=lambda r: (r.due_on, r.rule_set, r.rule)))
    merged: dict[tuple[int, str], tuple[set[str], set[str]]] = {}
    for timer in timers:
        for key, needed in timer.unknown.items():
            what, codes = merged.setdefault(key, (set(), set()))
            what.update(needed)
            codes.add(timer.rule_set.code)
    terms = {(v.number, e.key): e.term for v in ordered for e in v.events}
    order = ("expectedness", "causality", "minimum criteria")
    missing = tuple(
        MissingAssessment(number, key, terms[(number, key)], tuple(m for m in order if m in what), tuple(sorted(codes)))
        for (number, key), (what, codes) in sorted(merged.items())
    )
    return ClockResult(reports, missing)


def report_status(due: DueReport, submitted_on: date | None, today: date) -> str:
    """Return "due", "overdue" (not sent, past due), "on time" or "late" (sent after ``due_on``)."""
    if submitted_on is None:
        return "overdue" if today > due.due_on else "due"
    return "on time" if submitted_on <= due.due_on else "late"
