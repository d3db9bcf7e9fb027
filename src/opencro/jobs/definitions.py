"""What a job is: a function plus the permission needed to run it, named in `settings.OPENCRO_JOBS`.

`OPENCRO_JOBS` maps a job name to "module:attribute" of a `JobDefinition`. Definitions are
loaded on use (never at import) and checked at start-up by `opencro.jobs.checks`.
"""

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class JobError(Exception):
    """Raise from a job function to fail the job with this message (no traceback is stored)."""


@dataclass(frozen=True)
class JobDefinition:
    """A runnable job: `run(ctx, **params) -> dict` and who may start it.

    `permission` is the study permission a non-superuser needs on the job's study; a job
    without a study can only be started by a superuser or the system (the CLI).
    """

    run: Callable[..., dict | None]
    label: str
    permission: str
    # what else the job's parameters need of the starter, checked when the job is submitted (raise
    # PermissionDenied or ValidationError): `check(actor, study, params)`
    check: Callable[..., None] | None = None

    def check_params(self, params: Mapping[str, Any]) -> None:
        """Raise ValidationError unless `params` fit the run function's keyword arguments."""
        try:
            inspect.signature(self.run).bind(None, **params)
        except TypeError as exc:
            raise ValidationError({"params": str(exc)}) from None


def load_definition(path: str) -> JobDefinition:
    """Import "module:attribute" and return it; raise ImportError or TypeError when it is not one."""
    if not isinstance(path, str):
        raise TypeError(f"{path!r} is not a 'module:attribute' string")
    module_name, sep, attribute = path.partition(":")
    if not sep or not module_name or not attribute:
        raise ImportError(f"{path!r} is not of the form 'module:attribute'")
    value = getattr(importlib.import_module(module_name), attribute, None)
    if value is None:
        raise ImportError(f"{module_name} has no attribute {attribute!r}")
    if not isinstance(value, JobDefinition):
        raise TypeError(f"{path} is a {type(value).__name__}, not a JobDefinition")
    return value


def job_names() -> list[str]:
    return sorted(settings.OPENCRO_JOBS)


def job_definition(name: str) -> JobDefinition:
    """Return the definition of job `name`; raise ValidationError for a name not in settings."""
    path = settings.OPENCRO_JOBS.get(name)
    if path is None:
        raise ValidationError({"name": _("There is no job named %(name)s.") % {"name": name}})
    return load_definition(path)
