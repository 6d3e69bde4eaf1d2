"""Sub-industry transformation paths and the AI application scenario library.

Content we wrote ourselves is flagged `is_sample` and shown as 示例 in the UI until officials import
the official lists. Industries are GB/T 4754 code prefixes separated by commas ("*" = every industry).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel

AREAS = [("研发设计", _("研发设计")), ("生产运维", _("生产运维")), ("经营管理", _("经营管理")),
         ("产品服务创新", _("产品服务创新"))]
FIELDS = [("ai_software", _("大模型与智能软件")), ("smart_equipment", _("智能装备")), ("embodied", _("具身智能")),
          ("smart_terminal", _("智能终端"))]


def split_codes(text: str) -> list[str]:
    return [p.strip().upper() if p.strip() != "*" else "*" for p in (text or "").replace("，", ",").split(",") if p.strip()]


class Scenario(TimeStampedModel):
    code = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(_("场景名称"), max_length=100)
    area = models.CharField(_("业务环节"), max_length=16, choices=AREAS)
    field = models.CharField(_("领域"), max_length=32, choices=FIELDS)
    industries = models.CharField(_("适用行业"), max_length=300, default="*",
                                  help_text=_("国民经济行业代码前缀，逗号分隔；* 表示通用"))
    min_level = models.PositiveSmallIntegerField(_("建议最低数字化等级"), default=1,
                                                 validators=[MinValueValidator(1), MaxValueValidator(4)])
    pain_points = models.TextField(_("典型痛点"))
    solution = models.TextField(_("解决方案"))
    benefits = models.TextField(_("预期成效"), blank=True)
    cost = models.CharField(_("参考投入"), max_length=100, blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    is_sample = models.BooleanField(_("示例内容"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("AI应用场景")
        verbose_name_plural = _("AI应用场景")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def industry_list(self) -> list[str]:
        return split_codes(self.industries) or ["*"]


class IndustryPath(TimeStampedModel):
    code = models.CharField(_("编号"), max_length=20, unique=True)
    name = models.CharField(_("细分行业"), max_length=100)
    division = models.CharField(_("行业大类"), max_length=3)
    industries = models.CharField(_("适用行业代码"), max_length=300)
    summary = models.TextField(_("行业特点"), blank=True)
    pain_points = models.TextField(_("典型痛点"), blank=True)
    stages = models.JSONField(_("分级阶段"), default=list, blank=True,
                              help_text=_("按数字化等级的阶段：level, title, focus, solutions, products, cost, benefit"))
    cases = models.TextField(_("案例"), blank=True)
    scenario_codes = models.CharField(_("推荐场景编号"), max_length=300, blank=True)
    is_sample = models.BooleanField(_("示例内容"), default=False)

    class Meta:
        verbose_name = _("细分行业转型路径")
        verbose_name_plural = _("细分行业转型路径")
        ordering = ("division", "code")

    def __str__(self) -> str:
        return f"{self.name}（{self.division}）"

    @property
    def industry_list(self) -> list[str]:
        return split_codes(self.industries)

    @property
    def scenario_list(self) -> list[str]:
        return split_codes(self.scenario_codes)
