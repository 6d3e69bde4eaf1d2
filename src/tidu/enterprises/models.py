"""The enterprise register: one `Enterprise` per credit code, one `EnterpriseYear` per fiscal year.

Field names follow domain/fields.md. A yearly row for fiscal year F holds the figures of F
(revenue, staff …, stored without the _y1 suffix) and the firm's declared state for the evaluation
year F+1 (IP counts, honours, compliance …). `selectors.evaluation_record` turns rows F = Y−1,
Y−2, Y−3 into the flat record with _y1/_y2/_y3. Money is integer yuan; fractions are Decimal;
booleans are tri-state (null = unknown). Derived ratios are never stored.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel
from tidu.core.text import validate_no_formula_prefix
from tidu.enterprises.registry import label

MONEY_MAX = 10**15  # yuan (1,000 万亿): beyond any firm; catches 元/万元 mix-ups


def _money(name: str, **kw: Any) -> models.BigIntegerField:
    return models.BigIntegerField(label(name), null=True, blank=True, **kw)


def _count(name: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label(name), null=True, blank=True)


def _rank(name: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label(name), null=True, blank=True, validators=[MinValueValidator(1)])


def _flag(name: str) -> models.BooleanField:
    return models.BooleanField(label(name), null=True, blank=True)


def _fraction(name: str) -> models.DecimalField:
    return models.DecimalField(
        label(name), max_digits=9, decimal_places=8, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )


def _score(name: str, high: int) -> models.DecimalField:
    return models.DecimalField(
        label(name), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(high)],
    )


def _enum(name: str, choices: list[tuple[str, str]]) -> models.CharField:
    return models.CharField(label(name), max_length=32, blank=True, default="", choices=choices)


class EnterpriseSource(models.TextChoices):
    SELF_REGISTERED = "self", _("企业自主注册")
    IMPORTED = "import", _("主管部门导入")
    ADMIN = "admin", _("平台录入")
    DEMO = "demo", _("演示数据")


class Enterprise(TimeStampedModel):
    credit_code = models.CharField(label("credit_code"), max_length=18, unique=True)
    # Names enter by registration, the admin, imports and approved change reports; none may be a formula.
    name = models.CharField(label("name"), max_length=200, db_index=True, validators=[validate_no_formula_prefix])
    region = models.ForeignKey(
        "regions.Region", verbose_name=label("region_code"), on_delete=models.PROTECT, related_name="enterprises"
    )
    industry_code = models.CharField(label("industry_code"), max_length=5, db_index=True)
    founded_on = models.DateField(label("founded_on"), null=True, blank=True)
    independent_legal_person = _flag("independent_legal_person")
    registered_in_mainland = _flag("registered_in_mainland")
    resident_enterprise = _flag("resident_enterprise")
    tax_audit_collection = _flag("tax_audit_collection")
    listed = _flag("listed")
    niche_start_on = models.DateField(label("niche_start_on"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=EnterpriseSource.choices, default=EnterpriseSource.ADMIN)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ("name", "id")
        indexes = (models.Index(fields=["region", "industry_code"]),)

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"

    @property
    def region_code(self) -> str:
        return str(self.region_id)


SEI_CHOICES = [(str(i), n) for i, n in enumerate(
    ["新一代信息技术产业", "高端装备制造产业", "新材料产业", "生物产业", "新能源汽车产业", "新能源产业",
     "节能环保产业", "数字创意产业", "相关服务业"], start=1)]
TEN_FIELDS_CHOICES = [(str(i), n) for i, n in enumerate(
    ["新一代信息技术产业", "高档数控机床和机器人", "航空航天装备", "海洋工程装备及高技术船舶", "先进轨道交通装备",
     "节能与新能源汽车", "电力装备", "农机装备", "新材料", "生物医药及高性能医疗器械"], start=1)]
CYBER_CHOICES = [("info_infrastructure", "信息基础设施"), ("key_core_tech", "关键核心技术"),
                 ("cyber_security", "网络安全"), ("digital_economy", "数字经济")]
INDUSTRY_TYPE_2026_CHOICES = [("traditional_upgrade", "改造提升传统产业"), ("emerging", "培育壮大新兴产业"),
                              ("future", "布局建设未来产业")]
DIGITAL_EDITION_CHOICES = [("2022", "2022 版"), ("2024", "2024 版")]
DIGITAL_CATEGORY_CHOICES = [("manufacturing", "制造业"), ("producer_services", "生产性服务业"), ("other", "其他行业")]
RD_INST_LEVEL_CHOICES = [("none", "无"), ("below_city", "市级以下"), ("city", "市级"), ("provincial", "省级"),
                         ("national", "国家级")]


class EnterpriseYear(TimeStampedModel):
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="years")
    fiscal_year = models.PositiveSmallIntegerField(
        _("会计年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )

    # Size and staff (end of the fiscal year)
    employees = _count("employees_y1")
    staff_total = _count("staff_total_y1")
    tech_staff = _count("tech_staff_y1")
    rd_staff = _count("rd_staff_y1")
    # Finance (yuan)
    revenue = _money("revenue_y1")
    main_rev = _money("main_rev_y1")
    net_profit = _money("net_profit_y1")
    total_assets = _money("total_assets_y1")
    total_liabilities = _money("total_liabilities_y1")
    rd = _money("rd_y1")
    cost_expense = _money("cost_expense_y1")
    equity_fin = _money("equity_fin_y1")
    # Intellectual property (valid rights, declared for the following evaluation year)
    ip_c1_count = _count("ip_c1_count")
    ip_c1_self_count = _count("ip_c1_self_count")
    ip_c1_hv_count = _count("ip_c1_hv_count")
    ip_c2_count = _count("ip_c2_count")
    ip_c1_applied_count = _count("ip_c1_applied_count")
    ip_c1_applied_own_count = _count("ip_c1_applied_own_count")
    ip_c1_ts_count = _count("ip_c1_ts_count")
    ip_c2_ts_count = _count("ip_c2_ts_count")
    invention_patent_count = _count("invention_patent_count")
    # Niche market and products
    main_product_name = models.CharField(label("main_product_name"), max_length=200, blank=True)
    main_product_rev = _money("main_product_rev_y1")
    market_share_domestic = _fraction("market_share_domestic")
    market_share_intl = _fraction("market_share_intl")
    market_rank_domestic = _rank("market_rank_domestic")
    market_position_ok = _flag("market_position_ok")
    market_reputation_ok = _flag("market_reputation_ok")
    own_brand = _flag("own_brand")
    product_sei_code = _enum("product_sei_code", SEI_CHOICES)
    product_chain_gap_results = _flag("product_chain_gap_results")
    product_six_foundations = _flag("product_six_foundations")
    product_laozihao = _flag("product_laozihao")
    product_serves_chain_leader = _flag("product_serves_chain_leader")
    product_ten_fields_code = _enum("product_ten_fields_code", TEN_FIELDS_CHOICES)
    product_cyber_field = _enum("product_cyber_field", CYBER_CHOICES)
    product_industry_type_2026 = _enum("product_industry_type_2026", INDUSTRY_TYPE_2026_CHOICES)
    chain_key_link = _flag("chain_key_link")
    # Quality and management
    quality_award_prov_plus = _flag("quality_award_prov_plus")
    qms_certified = _flag("qms_certified")
    std_participated = _flag("std_participated")
    mgmt_system_certified = _flag("mgmt_system_certified")
    product_cert_developed = _flag("product_cert_developed")
    core_biz_it_supported = _flag("core_biz_it_supported")
    lg_refined_qualitative_ok = _flag("lg_refined_qualitative_ok")
    # Digital level
    digital_level = models.PositiveSmallIntegerField(
        label("digital_level"), null=True, blank=True, validators=[MaxValueValidator(4)]
    )
    digital_score = _score("digital_score", 100)
    digital_edition = _enum("digital_edition", DIGITAL_EDITION_CHOICES)
    digital_category = _enum("digital_category", DIGITAL_CATEGORY_CHOICES)
    digital_assessed_on = models.DateField(label("digital_assessed_on"), null=True, blank=True)
    # R&D institutions
    rd_inst_level = _enum("rd_inst_level", RD_INST_LEVEL_CHOICES)
    rd_inst_minist_plus = _flag("rd_inst_minist_plus")
    rd_inst_any = _flag("rd_inst_any")
    # Awards, contests, honours
    award_natl_best_rank_3y = _rank("award_natl_best_rank_3y")
    award_natl_best_rank_5y = _rank("award_natl_best_rank_5y")
    award_prov_best_rank_3y = _rank("award_prov_best_rank_3y")
    award_prov_minist_best_rank_3y = _rank("award_prov_minist_best_rank_3y")
    maker_china_top500_3y = _flag("maker_china_top500_3y")
    maker_china_top50_3y = _flag("maker_china_top50_3y")
    std_led_5y = _flag("std_led_5y")
    hte_valid = _flag("hte_valid")
    natl_tech_innov_demo_valid = _flag("natl_tech_innov_demo_valid")
    ip_adv_or_demo_valid = _flag("ip_adv_or_demo_valid")
    single_champion = _flag("single_champion")
    # Titles already held
    cert_tech_sme_valid = _flag("cert_tech_sme_valid")
    cert_innovative_valid = _flag("cert_innovative_valid")
    cert_specialized_valid = _flag("cert_specialized_valid")
    cert_little_giant_valid = _flag("cert_little_giant_valid")
    related_little_giant = _flag("related_little_giant")
    # Compliance
    abnormal_list = _flag("abnormal_list")
    serious_dishonest_list = _flag("serious_dishonest_list")
    prohibited_product = _flag("prohibited_product")
    major_incident_3y = _flag("major_incident_3y")
    tax_violation_3y = _flag("tax_violation_3y")
    data_fraud_found = _flag("data_fraud_found")
    incident_prev_cur_year = _flag("incident_prev_cur_year")
    sci_misconduct_prev_cur_year = _flag("sci_misconduct_prev_cur_year")
    # Provincial and platform scores
    distinctive_score = _score("distinctive_score", 15)
    zjtx_dev_score = _score("zjtx_dev_score", 100)
    # Provenance of the figures above: {field: mark}; no mark = self-declared (tidu.enterprises.provenance).
    figure_marks = models.JSONField(_("数据来源标记"), default=dict, blank=True)

    class Meta:
        verbose_name = _("企业年度数据")
        verbose_name_plural = _("企业年度数据")
        ordering = ("enterprise_id", "-fiscal_year")
        constraints = (
            models.UniqueConstraint(fields=["enterprise", "fiscal_year"], name="enterprise_year_unique"),
        )

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.fiscal_year}年度"


# model field -> registry (fields.md) name; the _y1 names are the row's own fiscal year.
SUFFIXED = {
    "employees", "staff_total", "tech_staff", "rd_staff", "revenue", "main_rev", "net_profit", "total_assets",
    "total_liabilities", "rd", "cost_expense", "equity_fin", "main_product_rev",
}
YEAR_VALUE_FIELDS: list[str] = [
    f.name for f in EnterpriseYear._meta.local_fields
    if f.name not in {"id", "enterprise", "fiscal_year", "created_at", "updated_at", "figure_marks"}
]
REGISTRY_NAME: dict[str, str] = {f: (f"{f}_y1" if f in SUFFIXED else f) for f in YEAR_VALUE_FIELDS}
MONEY_FIELDS = [f for f in YEAR_VALUE_FIELDS if isinstance(EnterpriseYear._meta.get_field(f), models.BigIntegerField)]
