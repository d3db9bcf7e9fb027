from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CloseoutConfig(AppConfig):
    name = "opencro.closeout"
    label = "closeout"
    verbose_name = _("Study close-out")
