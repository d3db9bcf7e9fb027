"""From a case's stored versions to the clock engine's facts (`safety.clocks`), and the due reports back.

Unblinding (`safety.unblinding_read`): when the blind of a case was broken for expedited reporting and its subject
received placebo or no intervention, the blinded study products were not given, so no event is a suspected reaction
to them: `related` is computed without the blinded products (False when no other suspect remains). The rules stay as
they are (a SUSAR rule needs `related`), and nothing about the arm reaches the facts (ICH E2A III.C.3; CT-3:
events associated with placebo usually do not satisfy the criteria for a SUSAR).
"""

from opencro.safety.clocks import ClockResult, EventFacts, VersionFacts, reports_due
from opencro.safety.models import CaseVersion, ReportingRuleSet, SafetyCase, StudyRuleSet
from opencro.safety.parts import VersionParts, version_parts
from opencro.safety.rulesets import RuleSet, dump_rule_set, load_default_rule_sets, parse_rule_set
from opencro.safety.unblinding_read import study_drug_received
from opencro.studies.models import Country


def version_facts(parts: VersionParts, countries: frozenset[str], *, blinded_received: bool = True) -> VersionFacts:
    """What the clocks need of a version; `blinded_received` False: the subject received placebo (see above)."""
    version = parts.version
    events = tuple(
        EventFacts(
            key=e.key,
            term=e.pt_name or e.verbatim,
            serious=e.serious,
            fatal=e.fatal,
            life_threatening=e.life_threatening,
            unexpected=e.unexpected,
            related=parts.related(e, without_blinded=not blinded_received),
        )
        for e in parts.events
    )
    occurred = next((e.country for e in parts.events if e.country), None)
    return VersionFacts(
        number=version.number,
        received_on=version.received_on,
        minimum_criteria_on=version.minimum_criteria_on,
        events=events,
        countries=countries,
        source="study" if version.case.source in ("study", "study_manual") else version.case.source,
        occurred_in=occurred,
        fatal_or_lt_known_on=version.fatal_or_lt_known_on,
        significant=version.significant,
    )


def study_countries(study_id: int) -> frozenset[str]:
    return frozenset(Country.objects.filter(study_id=study_id).values_list("code", flat=True))


def study_rule_sets(study_id: int) -> list[RuleSet]:
    """The rule sets that apply to a study, parsed (a stored document is checked again on every read)."""
    ids = StudyRuleSet.objects.filter(study_id=study_id).values("rule_set")
    return [parse_rule_set(r.document) for r in ReportingRuleSet.objects.filter(pk__in=ids).order_by("code")]


def case_clock(case: SafetyCase, *, versions: list[CaseVersion] | None = None) -> ClockResult:
    """The reports due for every version of a case, under the study's rule sets (and its unblinding, if any)."""
    versions = versions if versions is not None else list(case.versions.select_related("case").order_by("number"))
    countries = study_countries(case.study_id)
    received = study_drug_received(case)
    facts = [version_facts(version_parts(v), countries, blinded_received=received) for v in versions]
    return reports_due(facts, study_rule_sets(case.study_id))


def default_rule_set_documents() -> list[dict]:
    """The built-in rule sets as JSON documents (what `rule_sets_install` stores)."""
    return [dump_rule_set(rule_set) for rule_set in load_default_rule_sets()]
