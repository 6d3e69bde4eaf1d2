"""Demo data: 发榜/揭榜: needs, responses, selections, contracts in every state.

华南重工集团有限公司（演示）(demo-large) publishes; demo-firm responds to most of them, so each role sees every
state: a draft, open public and invite-only needs, a closed one under contract, a completed one, one whose
acceptance failed, one hidden by the county, one withdrawn. Changes go through the services (audited) where a
demo user can act; the other firms' responses are written directly and audited as the system.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.enterprises.models import Enterprise
from tidu.needs import services
from tidu.needs.models import Need, NeedResponse, ResponseStatus
from tidu.needs.services import NeedInput, ResponseInput

WAN = 10_000

# key, title, field, description, indicators, budget (万元), visibility, region
NEEDS: list[tuple[str, str, str, str, str, tuple[int, int] | None, str, str]] = [
    ("draft", "风电主齿轮箱在线状态监测系统", "power",
     "集团风电装备事业部需要对在役 3MW 级主齿轮箱进行振动、油液在线监测，提前发现轴承与齿面早期故障。",
     "故障预警提前量不少于 30 天；误报率低于 5%；支持 Modbus/OPC UA 接入现有 SCADA。", (80, 150), "public", "440305"),
    ("open", "六轴协作机器人精密减速器国产化", "robotics",
     "装配线协作机器人关节减速器目前依赖进口，交期长、成本高，寻求国产谐波或 RV 减速器配套。",
     "传动误差不大于 1 弧分；背隙不大于 10 弧秒；额定寿命 6000 小时以上；年供货能力 2000 台。", (200, 500), "public",
     "440305"),
    ("invite", "重载AGV激光导航控制器定向研发", "robotics",
     "总装车间需 20 吨级重载 AGV 的导航控制器，要求与集团 MES 调度系统对接。仅邀请在该领域有成熟产品的企业。",
     "定位精度 ±5 毫米；支持多车协同调度；防护等级 IP54；通过 CE 或同等安全认证。", (120, 300), "invite_only",
     "440305"),
    ("closed", "大型铸件表面缺陷机器视觉检测", "ict",
     "大型铸件（最大 3 米）表面气孔、裂纹目前靠人工目检，效率低且漏检多，寻求机器视觉自动检测方案。",
     "缺陷检出率 98% 以上；单件检测时间不超过 90 秒；最小可检缺陷 0.5 毫米。", (150, 260), "public", "440305"),
    ("completed", "液压系统高可靠密封件替代", "materials",
     "工程机械液压缸密封件在高温高压工况下寿命不足，寻求国产高性能密封材料与结构替代。",
     "耐温 -40～120℃；工作压力 35MPa 下泄漏量为零；台架寿命 50 万次往复。", (60, 120), "public", "440305"),
    ("failed", "焊接烟尘智能净化与监测装置", "energy",
     "焊装车间烟尘浓度超标，需要带在线监测的智能净化装置，数据接入集团能源环保平台。",
     "车间粉尘浓度低于 4mg/m³；净化效率 99%；能耗比现有设备降低 20%。", (40, 90), "public", "440305"),
    ("hidden", "厂区食堂外包服务", "other",
     "集团深圳基地食堂外包。", "满足 2000 人就餐。", None, "public", "440305"),
    ("cancelled", "矿用卡车轮边电驱动系统", "vehicles",
     "因产品规划调整，本需求已撤回。", "额定功率 300kW；峰值扭矩 12000N·m。", (500, 1000), "public", "440300"),
]


def _firms(demo_firm: Enterprise, n: int) -> list[Enterprise]:
    return list(Enterprise.objects.exclude(pk=demo_firm.pk).filter(region__code__startswith="44").order_by(
        "credit_code")[:n])


def _other_response(need: Need, firm: Enterprise, text: str) -> NeedResponse:
    resp = NeedResponse.objects.create(
        need=need, enterprise=firm, solution=text, team="项目负责人 1 名，研发工程师 6 名，测试 2 名。",
        rd_evidence="省级工程技术研究中心；相关发明专利 3 件。", status=ResponseStatus.SUBMITTED,
        submitted_at=timezone.now() - dt.timedelta(days=20), shared_fiscal_year=2025,
        shared_figures={"employees": 120, "invention_patent_count": 6})
    audit_record(actor=None, action="needs.response_submit", target=resp,
                 data={"status": ["", ResponseStatus.SUBMITTED], "shared": ["employees", "invention_patent_count"]})
    return resp


def seed_needs(demo_firm: Any) -> None:
    """Idempotent."""
    from tidu.accounts.models import Organisation, OrgKind

    large = Organisation.objects.filter(kind=OrgKind.LARGE_ENTERPRISE).order_by("pk").first()
    users = get_user_model().objects
    owner, firm_user, county = (users.filter(username=u).first() for u in ("demo-large", "demo-firm", "demo-county"))
    if large is None or owner is None or firm_user is None or county is None:
        return
    if Need.objects.filter(owner=large).exists():
        return
    today = timezone.localdate()
    others = _firms(demo_firm, 4)
    needs: dict[str, Need] = {}
    for key, title, fld, desc, ind, budget, vis, region in NEEDS:
        needs[key] = services.need_save(actor=owner, data=NeedInput(
            title=title, field=fld, description=desc, indicators=ind, deadline=today + dt.timedelta(days=45),
            region_code=region, budget_min=budget[0] * WAN if budget else None,
            budget_max=budget[1] * WAN if budget else None, timeline="签约后 12 个月内交付", visibility=vis,
            ip_arrangement="shared" if key in ("closed", "completed") else "negotiated"))
        if key != "draft":
            services.need_publish(actor=owner, need=needs[key])
    share = ("employees", "rd_staff", "invention_patent_count", "main_product_name")
    mine = ResponseInput(
        solution="采用自研精密加工与在线检测工艺，分三阶段交付：样机、小批量验证、批量供货。",
        team="总工程师牵头，机械、电控、工艺工程师共 12 人。", rd_evidence="市级企业技术中心；发明专利 5 件。",
        prior_cases="为两家整机厂配套同类产品三年以上。", share=share)
    # open public need: demo-firm submitted; two others, one shortlisted
    services.response_submit(actor=firm_user, need=needs["open"], data=mine)
    if others:
        services.response_shortlist(actor=owner, response=_other_response(
            needs["open"], others[0], "谐波减速器方案，柔轮采用新型合金，寿命提升 30%。"))
    if len(others) > 1:
        _other_response(needs["open"], others[1], "RV 减速器方案，摆线轮磨齿精度 ISO 4 级。")
    # invite-only: demo-firm and one other invited; demo-firm's response shortlisted
    for firm in [demo_firm, *others[2:3]]:
        services.invite(actor=owner, need=needs["invite"], enterprise=firm, note="贵企业在该领域有成熟产品，诚邀揭榜。")
    services.response_shortlist(actor=owner, response=services.response_submit(
        actor=firm_user, need=needs["invite"], data=mine))
    if len(others) > 1:  # the county invites a firm too
        services.invite(actor=county, need=needs["invite"], enterprise=others[1], note="区工信局推荐")
    # closed: demo-firm selected, contract signed, one milestone done; another not selected; one withdrawn
    sel = services.response_submit(actor=firm_user, need=needs["closed"], data=mine)
    if others:
        services.response_reject(actor=owner, response=_other_response(
            needs["closed"], others[0], "二维相机加人工复核方案。"), note="检出率指标未达要求")
    if len(others) > 3:
        w = _other_response(needs["closed"], others[3], "三维激光扫描方案。")
        w.status = ResponseStatus.WITHDRAWN
        w.save()
        audit_record(actor=None, action="needs.response_withdraw", target=w,
                     data={"status": [ResponseStatus.SUBMITTED, ResponseStatus.WITHDRAWN]})
    services.response_select(actor=owner, response=sel, note="方案成熟，报价合理")
    services.need_close(actor=owner, need=needs["closed"])
    services.contract_record(actor=owner, response=sel, signed_on=today - dt.timedelta(days=20),
                             amount=220 * WAN, note="分三期付款")
    ms = services.milestone_add(actor=owner, response=sel, title="样机交付", due_on=today - dt.timedelta(days=5))
    services.milestone_done(actor=owner, milestone=ms, done_on=today - dt.timedelta(days=6))
    services.milestone_add(actor=owner, response=sel, title="产线联调", due_on=today + dt.timedelta(days=60))
    # completed: demo-firm selected, contract, accepted → the need completes
    done = services.response_submit(actor=firm_user, need=needs["completed"], data=mine)
    services.response_select(actor=owner, response=done)
    services.need_close(actor=owner, need=needs["completed"])
    services.contract_record(actor=owner, response=done, signed_on=today - dt.timedelta(days=120),
                             amount=95 * WAN)
    services.acceptance_record(actor=owner, response=done, passed=True, on=today - dt.timedelta(days=10),
                               note="台架寿命 62 万次，全部指标达标")
    # failed acceptance (another firm)
    if len(others) > 1:
        bad = _other_response(needs["failed"], others[1], "滤筒式净化器加物联网监测。")
        services.response_select(actor=owner, response=bad)
        services.need_close(actor=owner, need=needs["failed"])
        services.contract_record(actor=owner, response=bad, signed_on=today - dt.timedelta(days=90),
                                 amount=70 * WAN)
        services.acceptance_record(actor=owner, response=bad, passed=False, on=today - dt.timedelta(days=3),
                                   note="净化效率实测 96%，未达 99%")
    # a county official: approves one, hides one; the owner withdraws one
    services.need_approve(actor=county, need=needs["open"])
    services.need_hide(actor=county, need=needs["hidden"], reason="后勤服务外包不属于技术与配套需求，请通过采购渠道发布。")
    services.need_cancel(actor=owner, need=needs["cancelled"], reason="产品规划调整")
    # spread publication over the past months (the funnel's periods)
    for i, key in enumerate(("completed", "failed", "closed", "cancelled", "hidden", "open", "invite")):
        Need.objects.filter(pk=needs[key].pk).update(
            published_at=timezone.now() - dt.timedelta(days=[200, 150, 90, 60, 40, 12, 5][i]))
