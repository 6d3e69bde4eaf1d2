"""Recognitions keep the name and region they were granted under (docs/decisions/0074-identity-changes-through-
reviewed-reports.md). Existing titles take the firm's current name and region: until now nothing recorded the
name at grant, and the register had no reviewed renames yet."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_from_enterprise(apps: Any, schema_editor: Any) -> None:
    Recognition = apps.get_model("journey", "Recognition")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    firm = Enterprise.objects.filter(pk=OuterRef("enterprise_id"))
    Recognition.objects.filter(granted_name="").update(granted_name=Subquery(firm.values("name")[:1]))
    Recognition.objects.filter(granted_region__isnull=True).update(granted_region_id=Subquery(firm.values("region_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0003_enterprise_name_no_formula'),
        ('journey', '0005_publicity_title_unique'),
        ('regions', '0002_load_regions'),
    ]

    operations = [
        migrations.AddField(
            model_name='recognition',
            name='granted_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='认定时企业名称'),
        ),
        migrations.AddField(
            model_name='recognition',
            name='granted_region',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='认定时注册地'),
        ),
        migrations.RunPython(fill_from_enterprise, migrations.RunPython.noop),
    ]
