"""Computable eligibility criteria evaluated on what was entered for a subject (reads only, never eval).

A criterion's expression (the safe language of `core.logic`) sees: `age` (completed years at screening,
from the year of birth: the year's difference, as only the year is held), `sex` ("F", "M", "U"),
`year_of_birth`, and the subject's EDC items by name or OID (a bare name reads the item's first value in
any event; `[event][item]` reads that event). A missing value means "cannot be computed", never a guess.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from opencro.core.logic import ExpressionError, evaluate, references, variable_label
from opencro.studies.models import EligibilityCriterion
from opencro.subjects.models import Assessment, Subject

BUILT_IN = ("age", "sex", "year_of_birth")


@dataclass(frozen=True)
class Computed:
    """A criterion's computed result: "met", "not_met", or "" with `note` saying why it cannot be computed."""

    result: str
    note: str


class SubjectFacts:
    """The `lookup(event, name)` environment of one subject: built-in facts, then EDC items."""

    def __init__(self, subject: Subject):
        self.subject = subject
        self._names = None
        self._stored: dict[tuple[str, str], str | None] | None = None
        casebook = getattr(subject, "casebook", None) if subject.pk else None
        self.version_id = casebook.version_id if casebook else None

    def _edc(self):
        from opencro.edc.environment import subject_stored_values, version_names

        if self._names is None:
            self._names = version_names(self.version_id)
            self._stored = subject_stored_values(self.subject.pk)
        return self._names, self._stored

    def lookup(self, event: str | None, name: str) -> Any:
        if event is None and name in BUILT_IN:
            return self._built_in(name)
        if self.version_id is None:
            raise KeyError(name)
        from opencro.edc.values import typed

        names, stored = self._edc()
        oid = names.item_oid.get(name)
        if oid is None:
            raise KeyError(name)
        dtype, control = names.item_type[oid]
        if event is None:
            texts = [v for (_e, item), v in stored.items() if item == oid and v is not None]
            text = texts[0] if texts else None
        else:
            event_oid = names.event_oid.get(event)
            if event_oid is None:
                raise KeyError(event)
            text = stored.get((event_oid, oid))
        if control == "checkbox":
            return text.split(",") if text else None
        return typed(dtype, text)

    def _built_in(self, name: str) -> Any:
        s = self.subject
        if name == "sex":
            return None if s.sex == "U" else s.sex
        if s.year_of_birth is None:
            return None
        return s.year_of_birth if name == "year_of_birth" else s.screened_on.year - s.year_of_birth


def criterion_compute(criterion: EligibilityCriterion, facts: SubjectFacts) -> Computed:
    """Evaluate a criterion's expression: true means the criterion is met (an exclusion met excludes)."""
    if not criterion.expression:
        return Computed("", _("not computable: assessed by the investigator"))
    try:
        missing = []
        for var in sorted(references(criterion.expression), key=variable_label):
            try:
                value = facts.lookup(var.event, var.name)
            except KeyError:
                value = None
            if value is None or value == []:
                missing.append(variable_label(var))
        if missing:
            return Computed("", _("cannot be computed: missing %(names)s") % {"names": ", ".join(missing)})
        value = evaluate(criterion.expression, facts, today=facts.subject.screened_on)
    except ExpressionError as exc:
        return Computed("", _("cannot be computed: %(error)s") % {"error": exc})
    return Computed(Assessment.MET if value else Assessment.NOT_MET, "")
