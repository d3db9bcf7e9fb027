from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "opencro.documents"
    label = "documents"
    verbose_name = _("Documents and the trial master file")

    def ready(self) -> None:
        from django.core import checks

        from opencro.documents.checks import document_store_check

        checks.register(document_store_check)
