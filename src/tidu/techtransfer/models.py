"""Technology transfer (科技成果转化): innovation platforms' achievements, firms' requests, and the records.

- An `Achievement` is one technology an innovation platform (an `Organisation` of kind 创新平台) offers:
  draft → listed → transferred (assigned outright) or withdrawn; a withdrawn one may be listed again.
- A `TransferRequest` is a firm's interest in, or request for, a listed achievement; the platform answers it.
- A `Transfer` records a concluded transfer (to which firm, terms, date, contract evidence); an `Incubation`
  records a firm the platform incubates. Both wait for an official of the firm's jurisdiction to confirm.
  The platform's counts are counted from these two tables, never typed in.
State changes go only through `tidu.techtransfer.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel


class AchievementKind(models.TextChoices):
    PATENT = "patent", _("发明专利")
    UTILITY = "utility", _("实用新型专利")
    PROTOTYPE = "prototype", _("样机与原型")
    LICENCE = "licence", _("技术秘密与许可")
    SOFTWARE = "software", _("软件著作权")
    PROCESS = "process", _("工艺与方法")


class TechField(models.TextChoices):
    MANUFACTURING = "manufacturing", _("高端装备与智能制造")
    MATERIALS = "materials", _("新材料")
    ELECTRONICS = "electronics", _("电子信息")
    SOFTWARE_AI = "ai", _("软件与人工智能")
    ENERGY = "energy", _("新能源与节能环保")
    BIOMED = "biomed", _("生物医药与医疗器械")
    VEHICLES = "vehicles", _("新能源汽车与交通")
    OTHER = "other", _("其他")


class Maturity(models.TextChoices):
    LAB = "lab", _("实验室阶段")
    PILOT_SMALL = "pilot_small", _("小试")
    PILOT = "pilot", _("中试")
    INDUSTRIAL = "industrial", _("已产业化")


class TransferMode(models.TextChoices):
    ASSIGNMENT = "assignment", _("转让")
    LICENCE = "licence", _("许可")
    JOINT = "joint", _("合作开发")


class AchievementStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    LISTED = "listed", _("已发布")
    TRANSFERRED = "transferred", _("已转让")
    WITHDRAWN = "withdrawn", _("已撤下")


EDITABLE_STATUSES = (AchievementStatus.DRAFT, AchievementStatus.WITHDRAWN)


class Achievement(TimeStampedModel):
    platform = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("创新平台"),
        on_delete=models.PROTECT,
        related_name="achievements",
        limit_choices_to={"kind": "innovation"},
    )
    title = models.CharField(_("成果名称"), max_length=120)
    kind = models.CharField(_("成果类型"), max_length=16, choices=AchievementKind.choices, db_index=True)
    field = models.CharField(_("技术领域"), max_length=16, choices=TechField.choices, db_index=True)
    maturity = models.CharField(_("成熟度"), max_length=16, choices=Maturity.choices)
    description = models.TextField(_("成果简介"))
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    industry_codes = models.CharField(
        _("适用行业"),
        max_length=200,
        blank=True,
        help_text=_("国民经济行业代码（门类、大类或中类），以空格分隔，如 C34 C35"),
    )
    patent_no = models.CharField(_("专利号或登记号"), max_length=60, blank=True)
    allows_assignment = models.BooleanField(_("可转让"), default=False)
    allows_licence = models.BooleanField(_("可许可"), default=False)
    allows_joint = models.BooleanField(_("可合作开发"), default=False)
    price_min_yuan = models.BigIntegerField(_("参考价下限（元）"), null=True, blank=True)
    price_max_yuan = models.BigIntegerField(_("参考价上限（元）"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=AchievementStatus.choices,
        default=AchievementStatus.DRAFT,
        db_index=True,
    )
    listed_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        ordering = ("-listed_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(price_min_yuan__isnull=True)
                | models.Q(price_max_yuan__isnull=True)
                | models.Q(price_max_yuan__gte=models.F("price_min_yuan")),
                name="achievement_price_range_ordered",
            ),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def modes(self) -> list[str]:
        return [
            m
            for m, on in (
                (TransferMode.ASSIGNMENT, self.allows_assignment),
                (TransferMode.LICENCE, self.allows_licence),
                (TransferMode.JOINT, self.allows_joint),
            )
            if on
        ]

    @property
    def mode_labels(self) -> list[str]:
        return [str(TransferMode(m).label) for m in self.modes]


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待回复")
    ACCEPTED = "accepted", _("洽谈中")
    DECLINED = "declined", _("已婉拒")
    CONCLUDED = "concluded", _("已成交")


OPEN_REQUEST_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.ACCEPTED)


class TransferRequest(TimeStampedModel):
    achievement = models.ForeignKey(
        Achievement, verbose_name=_("科技成果"), on_delete=models.PROTECT, related_name="requests"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="tech_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField(_("意向方式"), max_length=16, choices=TransferMode.choices)
    message = models.TextField(_("需求说明"))
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    status = models.CharField(
        _("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED, db_index=True
    )
    reply = models.TextField(_("平台回复"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("转化申请")
        verbose_name_plural = _("转化申请")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.achievement.title} · {self.enterprise.name}"


class Review(models.TextChoices):
    PENDING = "pending", _("待核实")
    CONFIRMED = "confirmed", _("已核实")
    REJECTED = "rejected", _("核实未通过")


COUNTED_REVIEWS = (Review.PENDING, Review.CONFIRMED)


class ReviewedRecord(TimeStampedModel):
    """A record the platform writes and an official of the firm's jurisdiction confirms (or rejects)."""

    platform = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("创新平台"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    review = models.CharField(
        _("核实状态"), max_length=16, choices=Review.choices, default=Review.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    review_note = models.TextField(_("核实意见"), blank=True)

    class Meta:
        abstract = True


class Transfer(ReviewedRecord):
    achievement = models.ForeignKey(
        Achievement, verbose_name=_("科技成果"), on_delete=models.PROTECT, related_name="transfers"
    )
    request = models.OneToOneField(
        TransferRequest,
        verbose_name=_("来自申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfer",
    )
    mode = models.CharField(_("转化方式"), max_length=16, choices=TransferMode.choices)
    amount_yuan = models.BigIntegerField(_("合同金额（元）"), null=True, blank=True)
    contract_no = models.CharField(_("合同编号"), max_length=60)
    contract_on = models.DateField(_("签约日期"), db_index=True)
    evidence = models.TextField(_("合同佐证"), help_text=_("合同登记、技术合同认定登记号、付款凭证等"))

    class Meta:
        verbose_name = _("成果转化记录")
        verbose_name_plural = _("成果转化记录")
        ordering = ("-contract_on", "-id")

    def __str__(self) -> str:
        return f"{self.achievement.title} → {self.enterprise.name}"


class IncubationStatus(models.TextChoices):
    INCUBATING = "incubating", _("在孵")
    GRADUATED = "graduated", _("已毕业")
    LEFT = "left", _("已退出")


class Incubation(ReviewedRecord):
    since = models.DateField(_("入孵日期"), db_index=True)
    status = models.CharField(
        _("孵化状态"), max_length=16, choices=IncubationStatus.choices, default=IncubationStatus.INCUBATING
    )
    ended_on = models.DateField(_("毕业或退出日期"), null=True, blank=True)
    note = models.TextField(_("孵化内容"), blank=True)

    class Meta:
        verbose_name = _("孵化企业记录")
        verbose_name_plural = _("孵化企业记录")
        ordering = ("-since", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("platform", "enterprise", "since"), name="incubation_once_per_firm_and_date"
            ),
        )

    def __str__(self) -> str:
        return f"{self.enterprise.name} @ {self.platform.name}"
