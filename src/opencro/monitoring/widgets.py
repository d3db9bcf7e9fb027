"""What the monitoring pages' forms share: widgets carrying a test id, and the yes/no choice."""

from django import forms

YES, NO = "yes", "no"


def testid(name: str, **attrs) -> dict[str, str]:
    """Widget attributes with `data-testid` (the browser tests and screenshots find fields by it)."""
    return {"data-testid": name, **attrs}


def textarea(name: str, rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs=testid(name, rows=str(rows)))


def date_input(name: str) -> forms.DateInput:
    return forms.DateInput(attrs=testid(name, type="date"), format="%Y-%m-%d")


def yes_no(value: str) -> bool | None:
    """ "yes" -> True, "no" -> False, anything else -> None."""
    return {YES: True, NO: False}.get(value)
