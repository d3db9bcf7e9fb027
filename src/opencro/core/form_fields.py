"""Form pieces the apps' pages share: widget attributes carrying the `data-testid` the browser tests find fields by,
an ISO date field, and a form whose ids carry its name so that several forms share one page without clashing ids."""

from django import forms


def testid_attrs(testid: str, **attrs) -> dict[str, str]:
    """Widget attributes with `data-testid`."""
    return {"data-testid": testid, **attrs}


def date_field(label, testid: str, required: bool = True, help_text="") -> forms.DateField:
    """A date picked in the browser's date input, read and shown as YYYY-MM-DD."""
    widget = forms.DateInput(attrs=testid_attrs(testid, type="date"), format="%Y-%m-%d")
    return forms.DateField(label=label, required=required, widget=widget, help_text=help_text)


class PrefixedForm(forms.Form):
    """A form whose ids carry its name (`id_prefix`, or one given per instance: a step's form on a page of steps)."""

    id_prefix = "form"

    def __init__(self, *args, id_prefix: str | None = None, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{id_prefix or self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
