"""System check: OPENCRO_REMINDER_BACKENDS names a loadable backend for each channel, and nothing else."""

from django.conf import settings
from django.core import checks

from opencro.followup.backends import CHANNELS, backend_class


def check_reminder_backends(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    backends = getattr(settings, "OPENCRO_REMINDER_BACKENDS", None)
    if not isinstance(backends, dict):
        return [
            checks.Error("OPENCRO_REMINDER_BACKENDS must be a dict of channel to 'module.Class'.", id="followup.E001")
        ]
    errors: list[checks.CheckMessage] = []
    missing, unknown = set(CHANNELS) - set(backends), set(backends) - set(CHANNELS)
    if missing:
        errors.append(checks.Error(f"OPENCRO_REMINDER_BACKENDS lacks {sorted(missing)}.", id="followup.E002"))
    if unknown:
        errors.append(
            checks.Error(f"OPENCRO_REMINDER_BACKENDS has unknown channels {sorted(unknown)}.", id="followup.E003")
        )
    for channel, path in backends.items():
        try:
            backend_class(path)
        except (ImportError, TypeError) as exc:
            errors.append(
                checks.Error(f"OPENCRO_REMINDER_BACKENDS[{channel!r}] cannot be loaded: {exc}", id="followup.E004")
            )
    sms = backends.get("sms", "")
    if sms.endswith(".HttpSmsBackend") and not getattr(settings, "OPENCRO_SMS_GATEWAY_URL", "").startswith("https://"):
        errors.append(
            checks.Error("The HTTP SMS backend needs OPENCRO_SMS_GATEWAY_URL (https://).", id="followup.E005")
        )
    return errors
