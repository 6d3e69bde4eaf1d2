"""The field registry (tidu.rules.fieldinfo, the one reader of fields.yaml) as the web tier shows it.

The engine's `FieldSpec` plus the Chinese help text pages show (which needs the platform's
vocabulary of standard names, so it lives on this side of the Django boundary).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache

from tidu.core.vocabulary import used_by_text
from tidu.rules.fieldinfo import FieldSpec as EngineFieldSpec
from tidu.rules.fieldinfo import field_infos

TYPE_WORDS = {
    "money": "单位：万元",
    "count": "非负整数",
    "rank": "名次，1 表示第一；没有则留空",
    "fraction": "比例，0～1 之间的小数（3% 填 0.03）",
    "bool": "是 / 否 / 不确定",
}


@dataclass(frozen=True, slots=True)
class FieldSpec(EngineFieldSpec):
    """A registry field with the help text the forms and the import template show."""

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
    """Every registry field, in registry order (the same objects' data as the engine's)."""
    names = [f.name for f in dataclasses.fields(EngineFieldSpec)]
    return {n: FieldSpec(**{k: getattr(s, k) for k in names}) for n, s in field_infos().items()}


def spec(name: str) -> FieldSpec:
    return field_specs()[name]


def label(name: str) -> str:
    return field_specs()[name].label
