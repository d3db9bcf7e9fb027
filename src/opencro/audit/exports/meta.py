"""What a copy of the trail says about itself: study, scope, filters, reader, printer, time zone."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.audit.models import AuditAction
from opencro.audit.selectors import audit_site_numbers


def zone_name(tz: dt.tzinfo) -> str:
    """The IANA name of a zone ("Asia/Tokyo"), or its str() for fixed offsets."""
    return getattr(tz, "key", None) or str(tz)


@dataclass(frozen=True)
class ExportMeta:
    """Everything a printed or exported copy states about itself, resolved when it is requested.

    Labels are translated here, once, so a streamed export does not depend on the language still
    being active while it is written.
    """

    protocol_number: str
    study_title: str
    scope: str
    filters: tuple[tuple[str, str], ...]
    visibility: str
    printed_by: str
    printed_at: dt.datetime
    tz: dt.tzinfo
    site_numbers: dict[int, str] = field(default_factory=dict)
    action_labels: dict[str, str] = field(default_factory=dict)

    @property
    def tz_name(self) -> str:
        return zone_name(self.tz)

    def filters_text(self) -> str:
        if not self.filters:
            return _("none")
        return "; ".join(f"{label}: {value}" for label, value in self.filters)

    def printed_text(self) -> str:
        """ "Dana Tester (dana) on 2026-03-05 10:00:00 JST (Asia/Tokyo), 2026-03-05 01:00:00 UTC"."""
        local = self.printed_at.astimezone(self.tz)
        utc = self.printed_at.astimezone(dt.UTC)
        return _("%(who)s on %(local)s (%(zone)s), %(utc)s UTC") % {
            "who": self.printed_by,
            "local": local.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "zone": self.tz_name,
            "utc": utc.strftime("%Y-%m-%d %H:%M:%S"),
        }

    def filename(self, extension: str) -> str:
        """audit-trail-T-001-20260305T010000Z.csv: safe on every file system."""
        number = re.sub(r"[^A-Za-z0-9._-]+", "_", self.protocol_number) or "study"
        stamp = self.printed_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        return f"audit-trail-{number}-{stamp}.{extension}"


def export_meta(
    access: StudyAccess,
    *,
    reader,
    filters: list[tuple[str, str]],
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    tz: dt.tzinfo | None = None,
) -> ExportMeta:
    """Describe a copy of `access`'s view of the trail being made now by `reader`."""
    study = access.membership.study
    if object_type:
        scope = _("object %(type)s #%(id)s") % {"type": object_type, "id": object_id}
        if object_repr:
            scope = f"{scope} ({object_repr})"
    else:
        scope = _("whole study")
    sites = audit_site_numbers(access)
    site_text = ", ".join(sorted(sites.values())) if access.site_ids is not None else _("all sites")
    visibility = _("as seen by role %(role)s; sites: %(sites)s") % {
        "role": access.membership.role.name,
        "sites": site_text or "-",
    }
    if not access.sees_treatment:
        visibility += "; " + _("treatment assignment records withheld (blinded role)")
    printed_by = reader.get_username()
    full_name = reader.get_full_name()
    if full_name:
        printed_by = f"{full_name} ({printed_by})"
    return ExportMeta(
        protocol_number=study.protocol_number,
        study_title=study.title,
        scope=scope,
        filters=tuple(filters),
        visibility=visibility,
        printed_by=printed_by,
        printed_at=timezone.now(),
        tz=tz or timezone.get_current_timezone(),
        site_numbers=sites,
        action_labels={value: str(label) for value, label in AuditAction.choices},
    )
