"""Install the authorities library (FDA, the EU CTR member states, MHRA, PMDA, Health Canada, CDSCO, ANVISA, NMPA),
their application types and review clocks; editable afterwards."""

from django.db import migrations


def install(apps, schema_editor):
    from opencro.regulatory.library import library_install, library_payload

    library_install(
        library_payload(),
        apps.get_model("regulatory", "Authority"),
        apps.get_model("regulatory", "ApplicationType"),
        apps.get_model("regulatory", "ClockRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("regulatory", "0001_authorities_ethics_submissions")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
