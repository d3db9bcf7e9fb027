from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "opencro.sites"
    label = "site_registry"
    verbose_name = _("Site registry and feasibility")
