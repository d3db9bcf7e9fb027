"""System checks: every job named in `OPENCRO_JOBS` loads, and the broker URL is one Celery can use."""

import re
from urllib.parse import urlparse

from django.conf import settings
from django.core import checks

from opencro.accounts.permissions import Perm
from opencro.jobs.definitions import load_definition

NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
BROKER_SCHEMES = frozenset({"redis", "rediss", "amqp", "amqps", "pyamqp"})


def check_jobs(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    jobs = getattr(settings, "OPENCRO_JOBS", None)
    if not isinstance(jobs, dict):
        return [checks.Error("OPENCRO_JOBS must be a dict of job name to 'module:attribute'.", id="jobs.E001")]
    for name, path in jobs.items():
        if not isinstance(name, str) or not NAME.match(name):
            errors.append(
                checks.Error(f"Job name {name!r} must be dotted lower-case words, e.g. 'audit.verify'.", id="jobs.E002")
            )
        try:
            definition = load_definition(path)
        except (ImportError, TypeError) as exc:
            errors.append(checks.Error(f"OPENCRO_JOBS[{name!r}] cannot be loaded: {exc}", id="jobs.E003"))
            continue
        if definition.permission not in Perm.values:
            errors.append(
                checks.Error(f"Job {name!r} needs unknown permission {definition.permission!r}.", id="jobs.E004")
            )
    broker = settings.OPENCRO_BROKER_URL
    if broker and urlparse(broker).scheme not in BROKER_SCHEMES:
        errors.append(
            checks.Error(
                f"OPENCRO_BROKER_URL must start with one of {', '.join(sorted(BROKER_SCHEMES))}://",
                id="jobs.E005",
            )
        )
    return errors
