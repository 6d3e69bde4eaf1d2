"""Publicity titles are unique across the platform (docs/decisions/0080-publicity-dates-and-titles.md).

Titles already repeated get "（第N次）" after the first notice's title, oldest first, so the constraint can
be added; nothing else changes."""

from typing import Any

from django.db import migrations, models


def number_repeated_titles(apps: Any, schema_editor: Any) -> None:
    Publicity = apps.get_model("journey", "Publicity")
    seen: dict[str, int] = {}
    taken = set(Publicity.objects.values_list("title", flat=True))
    for pub in Publicity.objects.order_by("created_at", "id"):
        count = seen.get(pub.title, 0) + 1
        seen[pub.title] = count
        if count == 1:
            continue
        n = count
        candidate = f"{pub.title[:190]}（第{n}次）"
        while candidate in taken:
            n += 1
            candidate = f"{pub.title[:190]}（第{n}次）"
        taken.add(candidate)
        Publicity.objects.filter(pk=pub.pk).update(title=candidate)


class Migration(migrations.Migration):

    dependencies = [
        ("journey", "0004_application_lock_and_typed_attachments"),
    ]

    operations = [
        migrations.RunPython(number_repeated_titles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="publicity",
            constraint=models.UniqueConstraint(fields=("title",), name="journey_publicity_title_unique"),
        ),
    ]
