from django.db import migrations


class Migration(migrations.Migration):
    """The cells by county only are replaced by cells by region node (0003): derived data, rebuilt by a refresh."""

    dependencies = [("insights", "0001_initial")]

    operations = [migrations.DeleteModel(name="Cell")]
