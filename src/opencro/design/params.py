"""The parameters of a design kind: type, default, help, unit, and how a submitted value is read.

One reader serves the page (every value arrives as text) and the API (JSON numbers, booleans, lists):
`Param.parse` turns either into the typed value the design library takes, or raises `ParamError` with a
message for the person who typed it. Bounds on counts (simulated trials, patients) keep a request's work
bounded; the statistical checks themselves stay in the library (DesignInputError).
"""

import math
import re
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Label = str | Promise
MISSING = object()
DASH = "\u2013"  # shown for a value left empty
MAX_LIST = 20
_SEPARATORS = re.compile(r"[,;\s]+")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}

FLOAT, INT, CHOICE, BOOL, FLOATS = "float", "int", "choice", "bool", "floats"


class ParamError(ValueError):
    """A submitted value cannot be read as its parameter's type; `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Param:
    """One input of a design kind. `name` is the design library's keyword argument.

    `optional` parameters may be left empty (None: the library's own default or "not used");
    `minimum`/`maximum` bound numbers where the library would accept more than a request should compute.
    """

    name: str
    label: Label
    type: str
    default: Any = None
    help: Label = ""
    unit: Label = ""
    choices: tuple[tuple[Any, Label], ...] = ()
    optional: bool = False
    minimum: float | None = None
    maximum: float | None = None
    max_items: int = MAX_LIST

    def parse(self, raw: Any = MISSING) -> Any:
        """The typed value of `raw` (a text from a form, or a JSON value); the default when absent."""
        if raw is MISSING:
            return self.default
        if self.type == BOOL:
            return self._bool(raw)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.optional:
                return None
            raise ParamError(_("This field is required."))
        if self.type == CHOICE:
            return self._choice(raw)
        if self.type == FLOATS:
            return self._floats(raw)
        value = self._int(raw) if self.type == INT else self._float(raw)
        return self._bounded(value)

    def _bool(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().casefold() if isinstance(raw, str | int) else None
        if text in _TRUE:
            return True
        if text in _FALSE or raw is None:
            return False
        raise ParamError(_("Enter yes or no."))

    def _choice(self, raw: Any) -> Any:
        for value, _label in self.choices:
            if (raw == value and type(raw) is type(value)) or (isinstance(raw, str) and raw.strip() == str(value)):
                return value
        names = ", ".join(str(value) for value, _label in self.choices)
        raise ParamError(_("Choose one of: %(choices)s.") % {"choices": names})

    @staticmethod
    def _float(raw: Any) -> float:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise ParamError(_("Enter a number."))
        try:
            value = float(raw.strip()) if isinstance(raw, str) else float(raw)
        except (ValueError, OverflowError):
            raise ParamError(_("Enter a number.")) from None
        if not math.isfinite(value):
            raise ParamError(_("Enter a number."))
        return value

    @staticmethod
    def _int(raw: Any) -> int:
        if isinstance(raw, bool):
            raise ParamError(_("Enter a whole number."))
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str) and re.fullmatch(r"\s*[-+]?\d{1,15}\s*", raw):
            return int(raw)
        raise ParamError(_("Enter a whole number."))

    def _bounded(self, value: float) -> float:
        if self.minimum is not None and value < self.minimum:
            raise ParamError(_("Enter at least %(minimum)s.") % {"minimum": _number(self.minimum)})
        if self.maximum is not None and value > self.maximum:
            raise ParamError(_("Enter at most %(maximum)s.") % {"maximum": _number(self.maximum)})
        return value

    def _floats(self, raw: Any) -> list[float]:
        if isinstance(raw, str):
            items: list[Any] = [part for part in _SEPARATORS.split(raw.strip()) if part]
        elif isinstance(raw, list | tuple):
            items = list(raw)
        else:
            raise ParamError(_("Enter numbers separated by commas."))
        if len(items) > self.max_items:
            raise ParamError(_("Enter at most %(count)d values.") % {"count": self.max_items})
        try:
            values = [self._float(item) for item in items]
        except ParamError:
            raise ParamError(_("Enter numbers separated by commas.")) from None
        if not values:
            if self.optional:
                return []
            raise ParamError(_("This field is required."))
        return values

    def display(self, value: Any) -> str:
        """The value as a reader sees it: choice labels, lists joined, yes/no, a dash for nothing."""
        if value is None or value == []:
            return DASH
        if self.type == BOOL:
            return str(gettext_lazy("yes") if value else gettext_lazy("no"))
        if self.type == CHOICE:
            return next((str(label) for v, label in self.choices if v == value), str(value))
        if self.type == FLOATS:
            return ", ".join(_number(v) for v in value)
        return _number(value)

    def as_text(self, value: Any) -> str:
        """The value as the form field shows it (the text a user would type)."""
        if value is None:
            return ""
        if self.type == FLOATS:
            return ", ".join(_number(v) for v in value)
        if self.type == BOOL:
            return "1" if value else ""
        return str(value) if self.type in (CHOICE, INT) else _number(value)


def _number(value: float) -> str:
    """Shortest faithful text of a number: 0.05, 12, 1e-06."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"{value:.12g}"
