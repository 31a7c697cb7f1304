from django.db import migrations

from suppliers.reference_data import CATEGORIES, PORTS


def load(apps, schema_editor):
    Category = apps.get_model("suppliers", "Category")
    Port = apps.get_model("suppliers", "Port")
    for slug, name in CATEGORIES:
        Category.objects.update_or_create(slug=slug, defaults={"name": name})
    for code, name, country, lat, lon in PORTS:
        Port.objects.update_or_create(code=code, defaults={"name": name, "country": country,
                                                           "latitude": lat, "longitude": lon})


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
