"""The materials checklist of a policy application: the policy's own "所需材料" list, one item a line.

Every item is required before submission unless its line says it is conditional — it contains 如有 or
可选 (e.g. "知识产权证书（如有）"): that is the platform's reading of how policies mark optional materials.
"""

from __future__ import annotations

from typing import Any

from tidu.policy_filings.models import PolicyAttachment, PolicyFiling

OPTIONAL_MARKS = ("如有", "可选")


def items(filing: PolicyFiling) -> list[tuple[str, bool]]:
    """(material, required) in the policy's order."""
    return [(line, not any(m in line for m in OPTIONAL_MARKS)) for line in filing.batch.policy.material_list]


def status(filing: PolicyFiling, attachments: list[PolicyAttachment] | None = None) -> list[dict[str, Any]]:
    """One row per material: its files and whether it is satisfied."""
    atts = list(filing.attachments.all()) if attachments is None else attachments
    rows = []
    for material, required in items(filing):
        files = [a for a in atts if a.material == material]
        rows.append({"material": material, "required": required, "files": files, "ok": bool(files)})
    return rows


def missing_required(filing: PolicyFiling, attachments: list[PolicyAttachment] | None = None) -> list[str]:
    return [row["material"] for row in status(filing, attachments) if row["required"] and not row["ok"]]
