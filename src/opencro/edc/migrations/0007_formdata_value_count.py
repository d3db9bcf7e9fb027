"""Each page's count of item values that are not empty, for the pages already stored."""

from django.db import migrations, models

COUNT_VALUES = """
UPDATE edc_formdata SET value_count = (
    SELECT COUNT(*) FROM edc_itemdata WHERE edc_itemdata.form_id = edc_formdata.id AND edc_itemdata.value IS NOT NULL
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("edc", "0006_formdata_entered_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="formdata",
            name="value_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunSQL(COUNT_VALUES, migrations.RunSQL.noop),
    ]
