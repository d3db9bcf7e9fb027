from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StartupConfig(AppConfig):
    name = "opencro.startup"
    verbose_name = _("Site start-up")
