from django.db import migrations

from suppliers.reference_data import load_reference_data


def load(apps, schema_editor):
    load_reference_data(apps.get_model("suppliers", "Category"), apps.get_model("suppliers", "Port"))


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
