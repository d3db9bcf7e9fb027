"""No template shows English that a translate tag does not wrap; the lint itself is checked too."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.i18n.template_lint import lint_template

TEMPLATES = sorted(Path(settings.PACKAGE_DIR).glob("*/templates/**/*.html"))


def test_templates_are_found():
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "list.html", "trail.html", "protocol.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(settings.PACKAGE_DIR)))
def test_template_has_no_untranslated_text(path):
    findings = [str(f) for f in lint_template(path.read_text(encoding="utf-8"))]
    assert findings == [], f"wrap these in {{% translate %}} or {{% blocktranslate %}}: {findings}"


@pytest.mark.parametrize(
    "source",
    [
        "<p>{% translate 'Save' %}</p>",
        '<p title="{% translate "Your time zone" %}">{{ user.printed_name }} · {{ zone }}</p>',
        "{% blocktranslate with zone=tz %}Times are shown in {{ zone }}{% endblocktranslate %}",
        "{% blocktrans count n=items|length %}One item{% plural %}{{ n }} items{% endblocktrans %}",
        "<th>#</th><td>{{ r.pk }}</td><td>{% if m %}X{% endif %}</td>",
        "{% block title %}OpenCRO{% endblock %} &middot; EU CT {{ study.eu_ct_number }}",
        "{% comment %}Developer note, never shown{% endcomment %}<!-- also hidden -->",
        '<input type="hidden" name="next" value="{{ next }}"><option value="es">{{ name }}</option>',
        "<script>const hidden = true;</script><style>.lead { color: red }</style>",
        '<a href="{% url "studies:list" %}" class="brand main-nav">{% translate "Studies" %}</a>',
    ],
)
def test_lint_accepts_translated_and_data_only_text(source):
    assert lint_template(source) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<h1>Audit trail</h1>", "Audit trail"),
        ("<p>{% translate 'Sites' %} and more</p>", "and more"),
        ("<td>{{ n }} subjects</td>", "subjects"),
        ('<input name="reason" placeholder="Reason for unlocking">', "placeholder=Reason for unlocking"),
        ('<span title="Your time zone">{{ tz }}</span>', "title=Your time zone"),
        ('<nav aria-label="Main">{{ links }}</nav>', "aria-label=Main"),
        ('<button data-confirm="Really delete?">x</button>', "data-confirm=Really delete"),
        ('<input type="submit" value="Save">', "value=Save"),
        ("{% blocktranslate %}Hi{% endblocktranslate %} Goodbye", "Goodbye"),
        ("{% if user %}\n  Sign out\n{% endif %}", "Sign out"),
    ],
)
def test_lint_flags_untranslated_text(source, expected):
    findings = lint_template(source)
    assert [f.text for f in findings] == [expected]


def test_lint_names_the_line():
    findings = lint_template("{% load i18n %}\n<p>{% translate 'Fine' %}</p>\n<p>Not fine</p>\n")
    assert [(f.line, f.text) for f in findings] == [(3, "Not fine")]
