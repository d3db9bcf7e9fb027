from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opencro.core"
    label = "core"
