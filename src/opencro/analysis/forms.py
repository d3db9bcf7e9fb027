"""Form parsing of the analysis pages: Django forms that only parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

SPEC_TEXT_MAX = 1_000_000  # characters of YAML; a study's whole mapping is a few hundred lines


class SpecEditForm(forms.Form):
    """A new version of the mapping specification: its YAML (or JSON) text and a note saying what changed."""

    text = forms.CharField(
        label=_("Specification (YAML)"),
        max_length=SPEC_TEXT_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"data-testid": "spec-text", "rows": "30", "cols": "100", "spellcheck": "false"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("What changed in this version, and why."),
        widget=forms.TextInput(attrs={"data-testid": "spec-note", "size": "80"}),
    )

    def clean_text(self) -> str:
        """The text with the line ends a browser sends (CR LF) made plain LF: an ADaM or output specification is
        stored as written, and a version saved from the page reads the same as one saved through the API."""
        return self.cleaned_data["text"].replace("\r\n", "\n")


class SpecRetireForm(forms.Form):
    """Retire an ADaM or output specification: an optional note saying why."""

    note = forms.CharField(
        label=_("Why"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"data-testid": "spec-retire-note", "size": "50"}),
    )


class PackageForm(forms.Form):
    """Build a package: blinded (a dry run on a dummy randomisation) or not. A reader who may not see the treatment
    arms gets the box ticked and disabled: whatever the browser sends, the package is blinded."""

    blinded = forms.BooleanField(
        label=_("Blinded dry run (on a dummy randomisation, not the real one)"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"data-testid": "package-blinded"}),
    )

    def __init__(self, data=None, *, can_unblind: bool) -> None:
        super().__init__(data)
        if not can_unblind:
            self.fields["blinded"].disabled = True
            self.fields["blinded"].help_text = _("Your role does not see treatment assignments: packages are blinded.")
