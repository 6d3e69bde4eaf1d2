"""The field registry (src/tidu/rules/data/fields.yaml) as Django needs it: labels, help, units.

Read directly from the YAML so the web tier does not depend on the engine's loader; both read the
same file, so a label changed there changes everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tidu.core.vocabulary import used_by_text

TYPE_WORDS = {
    "money": "单位：万元",
    "count": "非负整数",
    "rank": "名次，1 表示第一；没有则留空",
    "fraction": "比例，0～1 之间的小数（3% 填 0.03）",
    "bool": "是 / 否 / 不确定",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    section: str = ""
    unit: str = ""
    help: str = ""
    help_zh: str = ""
    used_by: str = ""
    min: Any = None
    max: Any = None
    values: tuple[str, ...] = field(default_factory=tuple)
    signed: bool = False
    reviewer: bool = False

    @property
    def help_text(self) -> str:
        """The Chinese help (help_zh) and the standards that read the field, by their Chinese names."""
        text = self.help_zh  # the English `help` is for the engine's readers, never shown
        parts = [text] if text else []
        used = used_by_text(self.used_by)
        if used:
            parts.append(f"用于：{used}")
        if self.reviewer:
            parts.append("（由评审人员判断，企业可先自行申报）")
        return "；".join(parts)


@cache
def field_specs() -> dict[str, FieldSpec]:
    text = resources.files("tidu.rules").joinpath("data/fields.yaml").read_text(encoding="utf-8")
    specs: dict[str, FieldSpec] = {}
    for item in yaml.safe_load(text):
        specs[item["name"]] = FieldSpec(
            name=item["name"],
            label=item.get("label", item["name"]),
            type=item.get("type", "str"),
            section=str(item.get("section", "") or ""),
            unit=str(item.get("unit", "") or ""),
            help=str(item.get("help", "") or ""),
            help_zh=str(item.get("help_zh", "") or ""),
            used_by=str(item.get("used_by", "") or ""),
            min=item.get("min"),
            max=item.get("max"),
            values=tuple(str(v) for v in item.get("values", []) or []),
            signed=bool(item.get("signed", False)),
            reviewer=bool(item.get("reviewer", False)),
        )
    return specs


def spec(name: str) -> FieldSpec:
    return field_specs()[name]


def label(name: str) -> str:
    return field_specs()[name].label
