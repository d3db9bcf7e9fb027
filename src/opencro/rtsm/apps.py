from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RtsmConfig(AppConfig):
    name = "opencro.rtsm"
    label = "rtsm"
    verbose_name = _("Randomisation and trial supply")
