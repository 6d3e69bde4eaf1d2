"""Matchmaking events (百场万企).

- A `MatchEvent` belongs to the jurisdiction of its region (officials of that jurisdiction run it): date,
  venue, tables and time slots. open (registering) → scheduled (grid proposed, adjustable) → finished.
- A `Registration` is one large firm or SME taking part: interests, fields, tier, wishes and must-meets.
- A `Meeting` is one cell of the grid (slot × table, large firm × SME); unique constraints make a firm
  twice in a slot, or a table used twice, impossible in the database too.
- An `EventOutcome` records what came of the event (summary, needs published from it).
State changes go only through `tidu.events.services`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel


class EventStatus(models.TextChoices):
    OPEN = "open", _("报名中")
    SCHEDULED = "scheduled", _("已排程")
    FINISHED = "finished", _("已结束")


class Side(models.TextChoices):
    LARGE = "large", _("大企业")
    SME = "sme", _("中小企业")


class Tier(models.TextChoices):
    NONE = "", _("未获梯度认定")
    TECH = "tech", _("科技型中小企业")
    INNOVATIVE = "innovative", _("创新型中小企业")
    SPECIALIZED = "specialized", _("专精特新中小企业")
    LITTLE_GIANT = "little_giant", _("专精特新“小巨人”企业")


class MatchEvent(TimeStampedModel):
    title = models.CharField(_("活动名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("主办地区"), on_delete=models.PROTECT, related_name="+",
        help_text=_("由该地区的主管部门组织"),
    )
    held_on = models.DateField(_("活动日期"))
    venue = models.CharField(_("地点"), max_length=200)
    starts_at = models.TimeField(_("首场开始时间"))
    slot_minutes = models.PositiveSmallIntegerField(_("每场时长（分钟）"), default=20)
    slots = models.PositiveSmallIntegerField(_("时段数"))
    tables = models.PositiveSmallIntegerField(_("洽谈桌数"))
    description = models.TextField(_("活动说明"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EventStatus.choices, default=EventStatus.OPEN,
                              db_index=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    solve_job = models.UUIDField(_("排程任务"), null=True, blank=True)
    solve_report = models.JSONField(_("排程结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("对接活动")
        verbose_name_plural = _("对接活动")
        ordering = ("-held_on", "-pk")

    def __str__(self) -> str:
        return self.title

    def slot_label(self, slot: int) -> str:
        """第n场 09:00–09:20 (slots are 0-based inside, 1-based on pages)."""
        start = dt.datetime.combine(self.held_on, self.starts_at) + dt.timedelta(minutes=self.slot_minutes * slot)
        end = start + dt.timedelta(minutes=self.slot_minutes)
        return f"第{slot + 1}场 {start:%H:%M}–{end:%H:%M}"


class Registration(TimeStampedModel):
    event = models.ForeignKey(MatchEvent, verbose_name=_("活动"), on_delete=models.CASCADE,
                              related_name="registrations")
    organisation = models.ForeignKey("accounts.Organisation", verbose_name=_("参会单位"), on_delete=models.PROTECT,
                                     related_name="event_registrations")
    side = models.CharField(_("参会身份"), max_length=8, choices=Side.choices)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True)
    tier = models.CharField(_("梯度"), max_length=16, choices=Tier.choices, blank=True, default="")
    interests = models.JSONField(_("关注方向"), default=list, blank=True)
    fields = models.JSONField(_("技术领域"), default=list, blank=True)
    wishes = models.ManyToManyField("self", verbose_name=_("意向对接"), symmetrical=False, blank=True,
                                    related_name="wished_by")
    must_meet = models.ManyToManyField("self", verbose_name=_("必见请求"), symmetrical=False, blank=True,
                                       related_name="must_met_by")
    contact_name = models.CharField(_("参会人"), max_length=50, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签到确认人"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ("event", "side", "pk")
        constraints = (
            models.UniqueConstraint(fields=("event", "organisation"), name="events_one_registration_per_org"),
        )

    def __str__(self) -> str:
        return f"{self.organisation.name}（{self.get_side_display()}）"


class MeetingSource(models.TextChoices):
    SOLVER = "solver", _("系统排程")
    MANUAL = "manual", _("人工调整")


class Meeting(TimeStampedModel):
    event = models.ForeignKey(MatchEvent, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="meetings")
    slot = models.PositiveSmallIntegerField(_("时段"))  # 0-based; shown 1-based
    table = models.PositiveSmallIntegerField(_("桌号"))
    large = models.ForeignKey(Registration, verbose_name=_("大企业"), on_delete=models.CASCADE, related_name="+")
    sme = models.ForeignKey(Registration, verbose_name=_("中小企业"), on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("匹配度"), default=0)
    source = models.CharField(_("来源"), max_length=8, choices=MeetingSource.choices, default=MeetingSource.SOLVER)
    held = models.BooleanField(_("已洽谈"), null=True, blank=True)
    follow_up = models.TextField(_("后续跟进"), blank=True)

    class Meta:
        verbose_name = _("洽谈安排")
        verbose_name_plural = _("洽谈安排")
        ordering = ("event", "slot", "table")
        constraints = (
            models.UniqueConstraint(fields=("event", "slot", "table"), name="events_one_meeting_per_table"),
            models.UniqueConstraint(fields=("event", "slot", "large"), name="events_large_once_per_slot"),
            models.UniqueConstraint(fields=("event", "slot", "sme"), name="events_sme_once_per_slot"),
        )

    def __str__(self) -> str:
        return f"第{self.slot + 1}时段 {self.table}号桌"


class EventOutcome(TimeStampedModel):
    event = models.OneToOneField(MatchEvent, verbose_name=_("活动"), on_delete=models.CASCADE,
                                 related_name="outcome")
    summary = models.TextField(_("活动成效"), blank=True)
    needs = models.ManyToManyField("needs.Need", verbose_name=_("活动中发布的需求"), blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("活动成效")
        verbose_name_plural = _("活动成效")

    def __str__(self) -> str:
        return f"{self.event}的成效"
