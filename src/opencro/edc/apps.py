from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdcConfig(AppConfig):
    name = "opencro.edc"
    label = "edc"
    verbose_name = _("Electronic data capture")
