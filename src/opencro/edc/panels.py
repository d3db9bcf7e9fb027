"""What the oversight panels of the form and casebook pages show (no HTML here)."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.edc.locks import locks_covering
from opencro.edc.models import DataLock, FormData, SdvPlan, SdvRequirement
from opencro.edc.sdv import SdvItem, SdvNeed, SdvPlans, sdv_items


@dataclass
class FormOversight:
    form: FormData
    need: SdvNeed
    requirement: str  # what the plan asks of this form, in words
    items: list[SdvItem] = field(default_factory=list)
    locks: list[DataLock] = field(default_factory=list)
    can_sdv: bool = False
    can_review: bool = False
    can_lock: bool = False

    @property
    def to_verify(self) -> list[SdvItem]:
        return [i for i in self.items if i.required and not i.verified]

    @property
    def verified_items(self) -> list[SdvItem]:
        return [i for i in self.items if i.verified]

    @property
    def lock_targets(self) -> list[tuple[str, int, str]]:
        """(level, object id, words) of what the panel's freeze and lock buttons act on."""
        form = self.form
        return [
            ("form", form.pk, _("form")),
            ("event", form.event_id, _("visit")),
            ("subject", form.subject_id, _("subject")),
        ]


def _requirement_text(rule: SdvPlan | None, need: SdvNeed) -> str:
    if rule is None or rule.requirement == SdvRequirement.NONE:
        return _("SDV not required")
    if rule.requirement == SdvRequirement.FULL:
        return _("100% SDV")
    if need == SdvNeed.ALL:
        return _("Targeted SDV: subject in the sample (first %(n)d at the site), every item") % {
            "n": rule.first_n_subjects
        }
    return _("Targeted SDV: critical items only")


def form_oversight(access: StudyAccess, form: FormData, *, lang: str = "en") -> FormOversight:
    need, items = sdv_items(form, lang=lang)
    rule = SdvPlans(form.study_id).rule(form.site_id, form.form_oid)
    return FormOversight(
        form=form,
        need=need,
        requirement=_requirement_text(rule, need),
        items=items,
        locks=locks_covering(form),
        can_sdv=access.can(Perm.SDV),
        can_review=access.can(Perm.DATA_REVIEW),
        can_lock=access.can(Perm.DATA_LOCK),
    )
