from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "opencro.safety"
    verbose_name = _("Safety and pharmacovigilance")

    def ready(self) -> None:
        from django.core import checks

        from opencro.safety.checks import check_e2b_schemas

        checks.register(check_e2b_schemas)
