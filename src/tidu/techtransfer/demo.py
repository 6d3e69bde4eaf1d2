"""Demo data: 科技成果: achievements in every state, requests, transfers and incubations (pending, confirmed,
rejected), all written through the services so the audit trail and the counts are the real ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

# title, kind, field, maturity, description, keywords, industry codes, modes, price range in 万元, final status
ACHIEVEMENTS: list[tuple[str, str, str, str, str, str, str, list[str], tuple[int | None, int | None], str]] = [
    ("精密零部件激光焊接工艺", "process", "manufacturing", "industrial",
     "面向不锈钢、铝合金薄壁精密零部件的激光焊接工艺包，焊缝变形小于0.05毫米，已在三家企业产线应用。",
     "激光焊接 精密零部件 薄壁", "C34 C35", ["licence", "joint"], (30, 80), "listed"),
    ("机械零部件表面缺陷视觉检测系统", "software", "ai", "pilot",
     "基于深度学习的零部件表面划痕、崩边、气孔在线检测软件，检出率99.2%，可接入现有产线相机。",
     "机器视觉 质量检测 缺陷检测", "C34 C38 C39", ["licence", "assignment"], (20, 50), "listed"),
    ("数控机床热误差补偿装置", "patent", "manufacturing", "pilot",
     "一种数控机床主轴热误差实时补偿装置及方法（发明专利），加工精度提升约40%。",
     "数控机床 热误差 精度补偿", "C34", ["assignment", "licence"], (50, 120), "listed"),
    ("退役动力电池梯次利用检测平台", "prototype", "energy", "pilot_small",
     "退役动力电池快速分选与健康状态评估样机，单包检测10分钟。", "电池回收 梯次利用 健康状态",
     "C38 N77", ["joint"], (None, None), "listed"),
    ("高导热氮化铝陶瓷基板制备技术", "patent", "materials", "pilot",
     "流延成型氮化铝陶瓷基板制备方法，热导率大于170瓦每米开尔文，用于功率半导体封装。",
     "陶瓷基板 导热 功率器件 封装", "C30 C39", ["assignment", "licence"], (80, 200), "transferred"),
    ("工业设备预测性维护算法包", "software", "ai", "industrial",
     "振动与电流信号融合的轴承、齿轮箱故障预警算法，平均提前72小时预警。",
     "预测性维护 故障诊断 振动监测", "C34 C35 D44", ["licence"], (10, 30), "listed"),
    ("柔性电子皮肤压力传感器", "prototype", "electronics", "lab",
     "可拉伸柔性压力传感阵列，用于机器人触觉与可穿戴设备。", "柔性传感器 电子皮肤 触觉",
     "C39 C40", ["joint"], (None, None), "draft"),
    ("生物可降解骨钉材料", "patent", "biomed", "pilot_small",
     "镁合金可降解骨科内固定材料及其表面涂层工艺。", "可降解 骨科 镁合金", "C35 C27",
     ["assignment"], (100, 300), "withdrawn"),
]


def seed_techtransfer(demo_firm: Any) -> None:
    """Idempotent: nothing is added when the demo platform already has achievements."""
    from django.utils import timezone

    from tidu.accounts.models import Organisation, OrgKind
    from tidu.enterprises.models import Enterprise
    from tidu.techtransfer import services
    from tidu.techtransfer.models import Achievement

    platform = Organisation.objects.filter(kind=OrgKind.INNOVATION_PLATFORM).order_by("pk").first()
    if platform is None or Achievement.objects.filter(platform=platform).exists():
        return
    today = timezone.localdate()
    firms = list(Enterprise.objects.filter(region_id=demo_firm.region_id).exclude(pk=demo_firm.pk)
                 .order_by("credit_code")[:4])
    elsewhere = list(Enterprise.objects.exclude(region__code__startswith="4403").order_by("credit_code")[:2])
    if len(firms) < 4 or len(elsewhere) < 2:
        return
    made: dict[str, Any] = {}
    for title, kind, field, maturity, desc, keywords, codes, modes, (low, high), _final in ACHIEVEMENTS:
        a = services.achievement_save(actor=None, platform=platform, data=services.AchievementInput(
            title=title, kind=kind, field=field, maturity=maturity, description=desc, modes=modes, keywords=keywords,
            industry_codes=codes, price_min_yuan=low * 10_000 if low is not None else None,
            price_max_yuan=high * 10_000 if high is not None else None))
        made[title] = a
    for title, *_rest, final in ACHIEVEMENTS:
        if final != "draft":
            services.achievement_move(actor=None, achievement=made[title], action="list")
        if final == "withdrawn":
            services.achievement_move(actor=None, achievement=made[title], action="withdraw")

    def ask(title: str, firm: Any, mode: str, text: str) -> Any:
        return services.request_submit(actor=None, enterprise=firm, achievement=made[title], data=services.RequestInput(
            mode=mode, message=text, contact_name="张工", contact_phone="0755-26000002"))

    # the demo firm: one request waiting, one in talks
    ask("机械零部件表面缺陷视觉检测系统", demo_firm, "licence", "希望在两条零部件产线上试用，先许可一年。")
    talks = ask("数控机床热误差补偿装置", demo_firm, "licence", "加工中心精度不稳定，想引入补偿装置。")
    services.request_answer(actor=None, request=talks, action="accept", reply="已安排工程师下周上门评估。")
    declined = ask("精密零部件激光焊接工艺", firms[0], "joint", "希望联合开发铝合金焊接工艺。")
    services.request_answer(actor=None, request=declined, action="decline", reply="本年度合作开发名额已满，可先许可使用。")
    # transfers: an assignment from a request (confirmed), a licence (pending), a licence rejected by the county
    sold = ask("高导热氮化铝陶瓷基板制备技术", firms[1], "assignment", "拟受让该专利用于功率模块封装基板量产。")
    t1 = services.transfer_record(actor=None, platform=platform, data=services.TransferInput(
        achievement_id=sold.achievement_id, request_id=sold.pk, mode="assignment", contract_no="2026440305000123",
        contract_on=today - dt.timedelta(days=60), evidence="技术合同认定登记号 2026440305000123；专利权转移登记已公告。",
        amount_yuan=1_500_000))
    services.record_review(actor=None, record=t1, confirm=True)
    services.transfer_record(actor=None, platform=platform, data=services.TransferInput(
        achievement_id=made["工业设备预测性维护算法包"].pk, credit_code=firms[2].credit_code, mode="licence",
        contract_no="2026440305000188", contract_on=today - dt.timedelta(days=12),
        evidence="软件使用许可合同及首期付款凭证。", amount_yuan=200_000))
    t3 = services.transfer_record(actor=None, platform=platform, data=services.TransferInput(
        achievement_id=made["精密零部件激光焊接工艺"].pk, credit_code=elsewhere[0].credit_code, mode="licence",
        contract_no="2026-HT-0456", contract_on=today - dt.timedelta(days=30), evidence="合同扫描件（未盖章）。"))
    services.record_review(actor=None, record=t3, confirm=False, note="合同未盖章，请补充盖章合同后重新登记。")
    # incubations: one confirmed and still incubating, one graduated, one waiting for the county
    i1 = services.incubation_record(actor=None, platform=platform, data=services.IncubationInput(
        credit_code=firms[3].credit_code, since=today - dt.timedelta(days=400), note="提供中试场地与检测设备。"))
    services.record_review(actor=None, record=i1, confirm=True)
    i2 = services.incubation_record(actor=None, platform=platform, data=services.IncubationInput(
        credit_code=elsewhere[1].credit_code, since=today - dt.timedelta(days=900), note="创业辅导与融资对接。"))
    services.record_review(actor=None, record=i2, confirm=True)
    services.incubation_end(actor=None, incubation=i2, status="graduated", ended_on=today - dt.timedelta(days=100))
    services.incubation_record(actor=None, platform=platform, data=services.IncubationInput(
        credit_code=firms[2].credit_code, since=today - dt.timedelta(days=20), note="入驻平台联合实验室。"))
