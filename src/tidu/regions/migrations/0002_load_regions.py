"""Load every current and retired region from data/regions.csv (see data/README.md)."""

from django.db import migrations


def load(apps, schema_editor):
    from tidu.regions.loader import load_regions

    load_regions(apps.get_model("regions", "Region"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
