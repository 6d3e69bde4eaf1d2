"""发榜/揭榜: a large enterprise's need, the SMEs invited to it, their responses and the contract that follows.

- A `Need` is published by a large enterprise (draft → published → closed → completed, or cancelled; an official
  of its region may hide it from the catalogue and restore it). Invite-only needs are seen only by the firms
  invited (`NeedInvitation`), the owner and the officials of the region.
- A `NeedResponse` is one SME's solution (揭榜方案): submitted → shortlisted → selected (1–3 per need) or
  not selected; withdrawn by the SME. The figures it chose to share are copied into `shared_figures` at
  submission, so the large firm sees exactly those and nothing else of the SME's register record.
- A selected response carries the contract (signed date, amount), its `Milestone`s and the acceptance.
State changes go only through `tidu.needs.services`; each is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel

MAX_SELECTED = 3


class NeedField(models.TextChoices):
    """技术领域: the ten fields of 制造强国 plus energy/environment and other (see TEN_FIELD_CODE)."""

    ICT = "ict", _("新一代信息技术")
    ROBOTICS = "robotics", _("高档数控机床和机器人")
    AEROSPACE = "aerospace", _("航空航天装备")
    MARINE = "marine", _("海洋工程装备及高技术船舶")
    RAIL = "rail", _("先进轨道交通装备")
    VEHICLES = "vehicles", _("节能与新能源汽车")
    POWER = "power", _("电力装备")
    AGRI = "agri", _("农机装备")
    MATERIALS = "materials", _("新材料")
    BIOMED = "biomed", _("生物医药及高性能医疗器械")
    ENERGY = "energy", _("新能源与节能环保")
    OTHER = "other", _("其他")


# NeedField → EnterpriseYear.product_ten_fields_code (制造强国十大重点产业领域代码).
TEN_FIELD_CODE: dict[str, str] = {
    NeedField.ICT: "1", NeedField.ROBOTICS: "2", NeedField.AEROSPACE: "3", NeedField.MARINE: "4",
    NeedField.RAIL: "5", NeedField.VEHICLES: "6", NeedField.POWER: "7", NeedField.AGRI: "8",
    NeedField.MATERIALS: "9", NeedField.BIOMED: "10",
}


class Visibility(models.TextChoices):
    PUBLIC = "public", _("公开发榜")
    INVITE_ONLY = "invite_only", _("定向邀请")


class IpArrangement(models.TextChoices):
    OWNER = "owner", _("成果归发榜方所有")
    SOLVER = "solver", _("成果归揭榜方所有，发榜方获许可使用")
    SHARED = "shared", _("双方共有")
    NEGOTIATED = "negotiated", _("双方协商确定")


class NeedStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("征集中")
    CLOSED = "closed", _("征集结束")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已撤回")
    HIDDEN = "hidden", _("已被主管部门下架")


# Statuses a firm other than the owner may see (hidden and draft never; cancelled never).
SHOWN_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.CLOSED, NeedStatus.COMPLETED)


class Need(TimeStampedModel):
    owner = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("发榜企业"), on_delete=models.PROTECT, related_name="needs",
        limit_choices_to={"kind": "large"},
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("需求名称"), max_length=120)
    field = models.CharField(_("技术领域"), max_length=16, choices=NeedField.choices, db_index=True)
    description = models.TextField(_("需求描述"))
    indicators = models.TextField(_("技术指标"), help_text=_("需达到的性能、参数与验收标准"))
    budget_min = models.BigIntegerField(_("预算下限（元）"), null=True, blank=True,
                                        help_text=_("以元存储，页面以万元录入和显示；留空为面议"))
    budget_max = models.BigIntegerField(_("预算上限（元）"), null=True, blank=True)
    deadline = models.DateField(_("揭榜截止日期"))
    timeline = models.CharField(_("实施周期"), max_length=100, blank=True, help_text=_("如：签约后 12 个月内交付"))
    ip_arrangement = models.CharField(_("知识产权约定"), max_length=16, choices=IpArrangement.choices,
                                      default=IpArrangement.NEGOTIATED)
    ip_note = models.CharField(_("知识产权补充说明"), max_length=300, blank=True)
    visibility = models.CharField(_("发布方式"), max_length=16, choices=Visibility.choices,
                                  default=Visibility.PUBLIC, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.DRAFT,
                              db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+",
        help_text=_("由所在地主管部门管理需求目录"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("征集结束时间"), null=True, blank=True)
    # Curation by the officials of the region.
    approved_at = models.DateTimeField(_("主管部门审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.TextField(_("下架理由"), blank=True)
    status_before_hidden = models.CharField(max_length=16, choices=NeedStatus.choices, blank=True, editable=False)

    class Meta:
        verbose_name = _("大企业需求")
        verbose_name_plural = _("大企业需求")
        ordering = ("-published_at", "-id")
        indexes = (models.Index(fields=["status", "visibility"]),)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True) | models.Q(budget_min__gte=0),
                name="need_budget_min_nonneg",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True) | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="need_budget_min_le_max",
            ),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def invite_only(self) -> bool:
        return self.visibility == Visibility.INVITE_ONLY


class NeedInvitation(models.Model):
    """An SME invited to a need (by the owner or an official); for an invite-only need this is the access list."""

    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="invitations")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("受邀企业"), on_delete=models.CASCADE, related_name="need_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("邀请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    inviter_org = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("邀请机构"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("邀请说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("揭榜邀请")
        verbose_name_plural = _("揭榜邀请")
        ordering = ("-created_at",)
        constraints = (models.UniqueConstraint(fields=["need", "enterprise"], name="need_invitation_unique"),)

    def __str__(self) -> str:
        return f"{self.need} → {self.enterprise.name}"


class ResponseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    SHORTLISTED = "shortlisted", _("入围")
    SELECTED = "selected", _("已选定")
    NOT_SELECTED = "not_selected", _("未入选")
    WITHDRAWN = "withdrawn", _("已撤回")


class AcceptanceResult(models.TextChoices):
    PENDING = "", _("未验收")
    PASSED = "passed", _("验收通过")
    FAILED = "failed", _("验收未通过")


# Register figures an SME may choose to show with its response (EnterpriseYear field names).
FIGURE_LABELS: dict[str, str] = {
    "employees": "从业人员数（人）", "rd_staff": "研发人员数（人）", "revenue": "营业收入（万元）",
    "rd": "研发费用（万元）", "invention_patent_count": "有效发明专利数（件）", "ip_c1_count": "Ⅰ类知识产权数（件）",
    "main_product_name": "主导产品",
}
SHAREABLE_FIGURES: tuple[str, ...] = tuple(FIGURE_LABELS)
MONEY_FIGURES = frozenset({"revenue", "rd"})


class NeedResponse(TimeStampedModel):
    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.PROTECT, related_name="responses")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("揭榜企业"), on_delete=models.PROTECT, related_name="need_responses"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    solution = models.TextField(_("技术方案"))
    team = models.TextField(_("团队情况"))
    rd_evidence = models.TextField(_("研发能力证明"), blank=True)
    prior_cases = models.TextField(_("相关案例"), blank=True)
    shared_fiscal_year = models.PositiveSmallIntegerField(_("共享数据年度"), null=True, blank=True)
    shared_figures = models.JSONField(
        _("企业选择共享的数据"), default=dict, blank=True,
        help_text=_("提交时复制的快照：{字段: 数值}；发榜方只看到这里的数据"),
    )
    status = models.CharField(_("状态"), max_length=16, choices=ResponseStatus.choices,
                              default=ResponseStatus.SUBMITTED, db_index=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("评选时间"), null=True, blank=True)
    decision_note = models.TextField(_("评选意见"), blank=True)
    contract_signed_on = models.DateField(_("合同签订日期"), null=True, blank=True)
    contract_amount = models.BigIntegerField(_("合同金额（元）"), null=True, blank=True)
    contract_note = models.TextField(_("合同说明"), blank=True)
    acceptance = models.CharField(_("验收结果"), max_length=8, choices=AcceptanceResult.choices, blank=True,
                                  default=AcceptanceResult.PENDING)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    acceptance_note = models.TextField(_("验收意见"), blank=True)

    class Meta:
        verbose_name = _("揭榜方案")
        verbose_name_plural = _("揭榜方案")
        ordering = ("-submitted_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=["need", "enterprise"], name="need_response_one_per_firm"),
            models.CheckConstraint(
                condition=models.Q(contract_amount__isnull=True) | models.Q(contract_amount__gte=0),
                name="need_response_contract_nonneg",
            ),
        )

    def __str__(self) -> str:
        return f"{self.enterprise.name} 揭榜「{self.need.title}」"


class Milestone(TimeStampedModel):
    response = models.ForeignKey(NeedResponse, verbose_name=_("揭榜方案"), on_delete=models.CASCADE,
                                 related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=120)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("合同里程碑")
        verbose_name_plural = _("合同里程碑")
        ordering = ("due_on", "id")

    def __str__(self) -> str:
        return self.title
