"""行政区划 (GB/T 2260): province, prefecture-level city, county-level unit; jurisdiction = code prefix."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")


class Region(models.Model):
    """One division. The code is the key: a firm's region_code is its foreign key value.

    Retired codes stay (active=False) so that old data and old files get a clear "已撤销" message.
    """

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=8, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(_("类型"), max_length=16, blank=True, help_text=_("如 地级市、自治州、市辖区、县级市"))
    is_plan_city = models.BooleanField(_("计划单列市"), default=False)
    active = models.BooleanField(_("现行"), default=True, db_index=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.full_name}" if self.level != RegionLevel.PROVINCE else f"{self.code} {self.name}"

    @property
    def jurisdiction_prefix(self) -> str:
        """Codes under this region start with this prefix (province 2 digits, city 4, county 6)."""
        return jurisdiction_prefix(self.code, self.level)

    @property
    def full_name(self) -> str:
        names = [self.name]
        node = self.parent
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def prefecture_code(self) -> str:
        return self.code[:4] + "00"


def code_prefix(text: str) -> str:
    """The prefix that selects every code under a region code typed in a filter: a six-digit code by its
    shape (province xx0000 → 2 digits, city xxxx00 → 4, county all 6); anything shorter is a prefix already.
    Not `rstrip("0")`: 台州市 331000 would become 331 and take in 丽水市 331100."""
    text = text.strip()
    if len(text) == 6 and text.isdigit():
        if text.endswith("0000"):
            return text[:2]
        if text.endswith("00"):
            return text[:4]
    return text


def jurisdiction_prefix(code: str, level: str) -> str:
    if level == RegionLevel.PROVINCE:
        return code[:2]
    if level == RegionLevel.CITY:
        return code[:4]
    return code
