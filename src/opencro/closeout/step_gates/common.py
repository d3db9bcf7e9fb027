"""What several gates share: the study's reads made once per checklist, and the database lock line."""

import datetime as dt
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.closeout.gate_lines import GateLine, Item
from opencro.closeout.models import Closeout, CloseoutStep
from opencro.edc.models import DataLock, LockLevel, LockState
from opencro.partnership.milestones import data_actuals
from opencro.studies.models import Site, SiteStatus, Study

STARTED = (SiteStatus.INITIATED, SiteStatus.ACTIVE, SiteStatus.ON_HOLD)


class StudyData:
    """The reads several gates share, each made once per checklist."""

    def __init__(
        self, study: Study, closeout: Closeout | None, records: dict[str, CloseoutStep], today: dt.date
    ) -> None:
        self.study, self.closeout, self.records, self.today = study, closeout, records, today

    @cached_property
    def lock(self) -> DataLock | None:
        """The EDC's database lock in force: the study-level lock, not released."""
        return (
            DataLock.objects.filter(
                study=self.study, level=LockLevel.STUDY, state=LockState.LOCKED, released_at__isnull=True
            )
            .select_related("set_by")
            .first()
        )

    @cached_property
    def sites(self) -> list[Site]:
        return list(Site.objects.filter(study=self.study).order_by("number"))

    @cached_property
    def started_sites(self) -> list[Site]:
        """Sites that started the trial (a green light, or initiated): they have an ISF and a close-out visit."""
        return [s for s in self.sites if s.activated_on is not None or s.status in STARTED]

    @cached_property
    def actuals(self) -> dict:
        return data_actuals(self.study)

    def signed(self, key: str) -> CloseoutStep | None:
        return self.records.get(key)


def site_item(site: Site, extra: str = "") -> Item:
    return Item(f"{site.number} · {site.institution}" + (f": {extra}" if extra else ""), site_id=site.pk)


def lock_line(d: StudyData, record: CloseoutStep | None) -> GateLine:
    """The database lock in force; once a step is signed on a lock, the same lock."""
    lock = d.lock
    label = _("The database is locked")
    if lock is None:
        return GateLine("locked", label, False, _("No study-level lock is in force."))
    detail = _("Locked on %(day)s by %(who)s.") % {
        "day": timezone.localdate(lock.set_at).isoformat(),
        "who": lock.set_by.printed_name if lock.set_by else _("the system"),
    }
    if record is not None and record.facts.get("lock_id") != lock.pk:
        return GateLine("locked", label, False, _("The lock signed was released; another is in force. ") + detail)
    return GateLine("locked", label, True, detail)
