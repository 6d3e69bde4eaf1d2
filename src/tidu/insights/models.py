"""What the dashboard reads: one standing per firm and evaluation year, and counts by cell.

The standings are the batch engine's verdicts on the register, written by the refresh job
(`services.standings_refresh`); the cells sum them by region node, year, dimension and rung so
a page reads a few hundred rows, never the register (docs/decisions/0097).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel


class Rung(models.IntegerChoices):
    """The ladder as the pyramid shows it, bottom first (tidu.rules.model.LADDER plus the base)."""

    SME = 0, _("中小企业")
    TECH_INNOVATIVE = 1, _("科技型/创新型中小企业")
    SPECIALIZED = 2, _("专精特新中小企业")
    LITTLE_GIANT = 3, _("专精特新“小巨人”企业")


class Standing(models.Model):
    """One firm in one evaluation year: the titles it held, the engine's verdicts, risks and the next step."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="standings"
    )
    year = models.PositiveSmallIntegerField(_("评价年度"))
    region_code = models.CharField(_("注册地"), max_length=6)
    industry = models.CharField(_("行业门类"), max_length=1, blank=True)
    field = models.CharField(_("产业领域"), max_length=24, blank=True)
    held_tech = models.BooleanField(_("持有科技型"), default=False)
    held_innovative = models.BooleanField(_("持有创新型"), default=False)
    held_specialized = models.BooleanField(_("持有专精特新"), default=False)
    held_little_giant = models.BooleanField(_("持有小巨人"), default=False)
    rung_held = models.PositiveSmallIntegerField(_("所在梯度"), choices=Rung.choices, default=Rung.SME)
    rung_reachable = models.PositiveSmallIntegerField(_("可达梯度"), choices=Rung.choices, default=Rung.SME)
    can_rise = models.BooleanField(_("已符合更高梯度"), default=False)  # rung_reachable > rung_held, indexed for lists
    v_size_class = models.CharField(_("中小企业判定"), max_length=7, blank=True)
    v_tech_sme = models.CharField(_("科技型判定"), max_length=7, blank=True)
    v_innovative_sme = models.CharField(_("创新型判定"), max_length=7, blank=True)
    v_specialized_sme = models.CharField(_("专精特新判定"), max_length=7, blank=True)
    v_little_giant = models.CharField(_("小巨人判定"), max_length=7, blank=True)
    at_risk = models.BooleanField(_("复核风险"), default=False)
    moved = models.SmallIntegerField(_("较上年变化"), null=True, blank=True)  # +1 up, −1 down, 0 same
    expires_on = models.DateField(_("称号到期日"), null=True, blank=True)
    expiring = models.BooleanField(_("一年内到期"), default=False)
    one_step = models.BooleanField(_("一步之遥"), default=False)
    step = models.JSONField(_("差距"), default=list, blank=True)
    rd = models.BigIntegerField(_("研发费用（元）"), null=True, blank=True)
    revenue = models.BigIntegerField(_("营业收入（元）"), null=True, blank=True)
    invention_patents = models.PositiveIntegerField(_("发明专利"), null=True, blank=True)
    supplies_large = models.BooleanField(_("服务产业链龙头企业"), default=False)
    refreshed_at = models.DateTimeField(_("刷新时间"), auto_now=True)

    class Meta:
        verbose_name = _("梯度状态")
        verbose_name_plural = _("梯度状态")
        constraints = (models.UniqueConstraint(fields=["enterprise", "year"], name="standing_once_per_year"),)
        indexes = (
            models.Index(fields=["year", "region_code"]),
            models.Index(fields=["year", "at_risk", "region_code"]),
            models.Index(fields=["year", "one_step", "region_code"]),
            models.Index(fields=["year", "expiring", "expires_on"]),
            # below the country: a county's expiring titles in date order straight from the index, a
            # province's or city's from a range of it (decision 0114)
            models.Index(fields=["year", "expiring", "region_code", "expires_on"]),
            models.Index(fields=["year", "can_rise", "region_code"]),
        )

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.year}"


class Dim(models.TextChoices):
    REGION = "region", _("地区")
    INDUSTRY = "industry", _("行业门类")
    FIELD = "field", _("产业领域")


class Cell(models.Model):
    """Counts of the standings under one region node (a prefix: '' the country, 2 a province, 4 a city,
    6 a county) in one year, by one dimension: its child regions, industry sections or fields, and rung.

    County nodes are summed from the standings, every higher node from its children's cells, so a refresh
    after an import rewrites only the touched counties and their ancestors, and a page reads one node.
    """

    year = models.PositiveSmallIntegerField(_("评价年度"))
    node = models.CharField(_("地区节点"), max_length=6, blank=True)
    dim = models.CharField(_("维度"), max_length=8, choices=Dim.choices)
    key = models.CharField(_("类别"), max_length=24, blank=True)
    rung = models.PositiveSmallIntegerField(_("梯度"), choices=Rung.choices)
    firms = models.PositiveIntegerField(_("企业数"), default=0)
    reachable = models.PositiveIntegerField(_("可升一级"), default=0)
    at_risk = models.PositiveIntegerField(_("复核风险"), default=0)
    one_step = models.PositiveIntegerField(_("一步之遥"), default=0)
    expiring = models.PositiveIntegerField(_("一年内到期"), default=0)
    moved_up = models.PositiveIntegerField(_("升级"), default=0)
    moved_down = models.PositiveIntegerField(_("降级"), default=0)
    rd = models.BigIntegerField(_("研发费用合计（元）"), default=0)
    revenue = models.BigIntegerField(_("营业收入合计（元）"), default=0)
    invention_patents = models.BigIntegerField(_("发明专利合计"), default=0)
    supplies_large = models.PositiveIntegerField(_("服务龙头企业数"), default=0)

    class Meta:
        verbose_name = _("看板汇总")
        verbose_name_plural = _("看板汇总")
        indexes = (models.Index(fields=["node", "dim", "year"]),)

    def __str__(self) -> str:
        return f"{self.year} · {self.node} · {self.dim} · {self.key} · {self.rung}"


class Refresh(TimeStampedModel):
    """When the standings were last refreshed, and over what (shown on the dashboard)."""

    scope = models.CharField(_("范围"), max_length=6, blank=True)  # a region prefix; '' = all
    firms = models.PositiveIntegerField(_("企业数"), default=0)
    firm_years = models.PositiveIntegerField(_("企业年度数"), default=0)
    seconds = models.FloatField(_("用时（秒）"), default=0)
    phases = models.JSONField(_("各阶段用时"), default=dict, blank=True)  # {"standings": s, "steps": s, "cells": s, …}

    class Meta:
        verbose_name = _("看板刷新")
        verbose_name_plural = _("看板刷新")
        ordering = ("-created_at",)
