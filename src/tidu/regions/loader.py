"""Load data/regions.csv into the Region table (used by the data migration and `load_regions`)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.conf import settings

LEVEL_ORDER = {"province": 0, "city": 1, "county": 2}


def regions_csv_path() -> Path:
    return Path(settings.REPO_DIR) / "data" / "regions.csv"


def read_rows(path: Path | None = None) -> list[dict[str, str]]:
    with (path or regions_csv_path()).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows.sort(key=lambda r: (LEVEL_ORDER[r["level"]], r["code"]))
    return rows


def load_regions(region_model: Any, path: Path | None = None) -> dict[str, int]:
    """Upsert every row; codes missing from the file are marked retired, never deleted."""
    rows = read_rows(path)
    existing = {r.code: r for r in region_model.objects.all()}
    created = updated = 0
    to_create = []
    for row in rows:
        values = {
            "name": row["name"],
            "level": row["level"],
            "parent_id": row["parent_code"] or None,
            "kind": row["kind"],
            "is_plan_city": row["plan_city"] == "1",
            "active": row["active"] == "1",
        }
        obj = existing.get(row["code"])
        if obj is None:
            to_create.append(region_model(code=row["code"], **values))
            created += 1
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            updated += 1
    # Parents come first (rows are sorted by level), so one bulk insert per level keeps FKs valid.
    for level in ("province", "city", "county"):
        region_model.objects.bulk_create([r for r in to_create if r.level == level], batch_size=500)
    in_file = {r["code"] for r in rows}
    retired = region_model.objects.exclude(code__in=in_file).filter(active=True).update(active=False)
    return {"created": created, "updated": updated, "retired": retired}
