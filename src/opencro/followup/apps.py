from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "opencro.followup"
    label = "followup"
    verbose_name = _("Participant follow-up")

    def ready(self) -> None:
        from django.core import checks

        from opencro.followup.checks import check_reminder_backends

        checks.register(check_reminder_backends)
