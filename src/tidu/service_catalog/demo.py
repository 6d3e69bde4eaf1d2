"""Demo service list for `seed_demo` (all text written for this demo; organisations marked 示例).

Seven approved providers (the demo provider account's 梯度企业服务中心 among them) with 34 listed offers across
every category, one provider waiting for the demo county, offers in every other state (draft, submitted,
refused, withdrawn), and requests from the demo firm and its neighbours in every state: waiting, overdue,
accepted on time and late, done (rated and not yet rated) and declined. Written through the services as the
system, with dates in the past so the deadlines show. Idempotent: does nothing when any provider exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from tidu.accounts.models import Organisation, OrgKind
from tidu.enterprises.models import Enterprise
from tidu.service_catalog import services
from tidu.service_catalog.models import Provider, ServiceOffer
from tidu.service_catalog.services import OfferInput, ProviderInput, RequestInput

DEMO_PROVIDER_USER = "demo-provider"

# key: (organisation name or None for the demo account's own, region, intro, phone)
PROVIDERS: dict[str, tuple[str | None, str, str, str]] = {
    "demo": (
        None,
        "440305",
        "面向南山区及深圳市中小企业的综合服务机构：梯度培育辅导、政策解读、申报材料把关。"
        "团队由熟悉认定标准的顾问和财务人员组成。",
        "0755-26010001",
    ),
    "ip": (
        "深圳鹏程知识产权服务有限公司（示例）",
        "440304",
        "专利挖掘、布局与申请代理，知识产权贯标辅导，为科技型中小企业提供知识产权全流程服务。",
        "0755-83010002",
    ),
    "finance": (
        "南山科技金融服务中心（示例）",
        "440305",
        "对接银行、担保和股权投资机构，提供知识产权质押、科技信贷和上市培育服务。",
        "0755-26010003",
    ),
    "digital": (
        "广东粤数数字化转型促进中心（示例）",
        "440106",
        "为制造业中小企业提供数字化水平诊断、转型方案设计和上云用数服务，覆盖全省。",
        "020-38010004",
    ),
    "legal": (
        "深圳前海明律律师事务所（示例）",
        "440305",
        "企业合规、合同、劳动用工和知识产权诉讼法律服务。",
        "0755-26010005",
    ),
    "talent": (
        "深圳英才人力资源服务有限公司（示例）",
        "440303",
        "高层次人才引进、职称评审辅导和技能人才培训。",
        "0755-82010006",
    ),
    "testing": (
        "华测通检验检测（深圳）有限公司（示例）",
        "440306",
        "具备 CMA、CNAS 资质的第三方检验检测机构，提供产品检测、认证咨询和标准制修订服务。",
        "0755-29010007",
    ),
}
PENDING_PROVIDER = (
    "深圳启航管理咨询有限公司（示例）",
    "440305",
    "精益生产、质量管理体系和战略规划咨询。",
    "0755-26010008",
)

# provider, category, title, description, how to request, response days, regions, price in yuan (None: free)
OFFERS: list[tuple[str, str, str, str, str, int, list[str], int | None]] = [
    (
        "demo",
        "cultivation",
        "专精特新申报辅导",
        "对照省级专精特新认定标准逐项体检，指出得分短板，辅导整理申报材料。",
        "提交企业近两年主要财务数据和知识产权清单，顾问3个工作日内电话联系。",
        3,
        ["440300"],
        None,
    ),
    (
        "demo",
        "cultivation",
        "创新型中小企业评价自测指导",
        "讲解创新型中小企业评价指标，协助企业完成自测并解读结果。",
        "在线提交需求，安排线上辅导一次。",
        2,
        ["440305"],
        None,
    ),
    (
        "demo",
        "cultivation",
        "小巨人培育诊断",
        "面向已获专精特新认定企业，对照国家级小巨人条件做差距诊断并给出提升路径。",
        "提交认定证书和近三年研发投入情况，顾问上门调研半天。",
        5,
        ["440300"],
        30_000,
    ),
    (
        "demo",
        "policy",
        "惠企政策一对一解读",
        "梳理企业可享受的国家、省、市、区扶持政策，讲清条件、材料和时间节点。",
        "填写企业基本情况和关注的政策方向，安排一小时线上解读。",
        2,
        ["440300"],
        None,
    ),
    (
        "demo",
        "policy",
        "研发费用加计扣除政策辅导",
        "讲解研发费用归集口径和加计扣除申报要点，协助自查研发辅助账。",
        "提供上一年度研发项目清单，顾问预约上门。",
        3,
        ["440305"],
        None,
    ),
    (
        "demo",
        "management",
        "申报材料合规把关",
        "在提交申报前检查材料完整性、数据一致性和佐证材料是否齐全。",
        "上传申报书草稿，5个工作日内反馈修改意见。",
        5,
        ["440305"],
        5_000,
    ),
    (
        "ip",
        "ip",
        "发明专利申请代理",
        "技术交底、检索分析、撰写并提交发明专利申请，跟进审查意见答复。",
        "提交技术交底书，代理师2个工作日内联系。",
        2,
        ["440300"],
        8_000,
    ),
    (
        "ip",
        "ip",
        "知识产权贯标辅导",
        "按《企业知识产权合规管理体系 要求》辅导建立制度并迎接认证审核。",
        "提交企业组织架构和现有知识产权制度，约定首次诊断时间。",
        5,
        ["440300"],
        40_000,
    ),
    (
        "ip",
        "ip",
        "专利导航与布局分析",
        "围绕核心产品开展专利检索和技术路线分析，给出专利布局建议。",
        "说明产品和技术方向，确认分析范围后报价。",
        5,
        ["440000"],
        60_000,
    ),
    (
        "ip",
        "policy",
        "知识产权资助政策申报",
        "协助企业申报专利资助、知识产权示范企业等项目。",
        "在线提交需求。",
        3,
        ["440304"],
        None,
    ),
    (
        "ip",
        "ip",
        "商标注册与海外布局",
        "商标查询、注册申请和马德里国际注册代理。",
        "提交商标图样和类别需求。",
        2,
        ["440300"],
        3_000,
    ),
    (
        "finance",
        "financing",
        "知识产权质押融资对接",
        "评估可质押专利，对接合作银行和评估机构，协助办理质押登记。",
        "提交专利清单和近一年财务报表。",
        3,
        ["440300"],
        None,
    ),
    (
        "finance",
        "financing",
        "科技信贷快速对接",
        "根据企业规模和资质匹配科技信贷产品，安排银行客户经理上门。",
        "填写融资金额和用途，3个工作日内安排对接。",
        3,
        ["440305"],
        None,
    ),
    (
        "finance",
        "financing",
        "股权融资路演辅导",
        "打磨商业计划书，组织投资机构路演和一对一交流。",
        "提交商业计划书初稿。",
        5,
        ["440300"],
        20_000,
    ),
    (
        "finance",
        "financing",
        "北交所上市培育",
        "对照北京证券交易所上市条件梳理规范性问题，制定培育计划。",
        "提交近三年审计报告，预约首次访谈。",
        5,
        ["440000"],
        100_000,
    ),
    (
        "finance",
        "policy",
        "贷款贴息与担保费补贴申报",
        "讲解贴息和担保费补贴政策，协助准备申报材料。",
        "在线提交需求。",
        2,
        ["440305"],
        None,
    ),
    (
        "digital",
        "digital",
        "中小企业数字化水平诊断",
        "按数字化水平评测指标现场诊断，出具诊断报告和改进清单。",
        "预约现场诊断时间，准备生产和管理系统清单。",
        5,
        ["440000"],
        None,
    ),
    (
        "digital",
        "digital",
        "数字化转型方案设计",
        "结合行业转型实践样本设计分阶段转型方案和投入估算。",
        "完成诊断后提出需求。",
        10,
        ["440000"],
        50_000,
    ),
    (
        "digital",
        "digital",
        "工业设备上云服务",
        "设备联网、数据采集和云端监控平台部署。",
        "提交设备清单。",
        5,
        ["440300"],
        80_000,
    ),
    (
        "digital",
        "digital",
        "智能制造试点示范申报辅导",
        "协助梳理智能制造场景，辅导申报各级试点示范项目。",
        "在线提交需求。",
        3,
        ["440000"],
        None,
    ),
    (
        "digital",
        "policy",
        "数字化转型补贴政策解读",
        "讲解数字化转型相关补贴条件、比例和申报流程。",
        "在线提交需求。",
        2,
        ["440000"],
        None,
    ),
    (
        "legal",
        "legal",
        "企业合规体检",
        "围绕合同、用工、税务和数据合规做一次全面体检并出具报告。",
        "提交近一年主要合同样本和用工制度。",
        5,
        ["440300"],
        15_000,
    ),
    (
        "legal",
        "legal",
        "合同审查",
        "审查采购、销售、技术合作等合同，提示风险并提出修改意见。",
        "上传合同文本。",
        2,
        ["440305"],
        2_000,
    ),
    (
        "legal",
        "legal",
        "劳动用工法律咨询",
        "解答劳动合同、竞业限制、股权激励等用工问题。",
        "电话或线上预约。",
        1,
        ["440305"],
        None,
    ),
    (
        "legal",
        "ip",
        "知识产权侵权应对",
        "侵权风险分析、警告函和诉讼应对。",
        "提交争议情况说明。",
        2,
        ["440300"],
        30_000,
    ),
    (
        "talent",
        "talent",
        "高层次人才引进对接",
        "对接高校和人才市场，协助企业引进研发和管理人才。",
        "提交岗位需求。",
        3,
        ["440300"],
        None,
    ),
    (
        "talent",
        "talent",
        "职称评审申报辅导",
        "辅导企业技术人员准备工程系列职称评审材料。",
        "提交人员清单。",
        3,
        ["440300"],
        None,
    ),
    (
        "talent",
        "talent",
        "技能人才培训",
        "按企业需要定制技能培训课程，可申请培训补贴。",
        "提交培训需求和人数。",
        5,
        ["440303", "440304", "440305"],
        10_000,
    ),
    (
        "talent",
        "policy",
        "人才补贴政策解读",
        "讲解人才安居、引进补贴等政策条件。",
        "在线提交需求。",
        2,
        ["440300"],
        None,
    ),
    (
        "testing",
        "testing",
        "产品性能检测",
        "依据国家和行业标准开展产品性能、安全和可靠性检测。",
        "提交样品信息和检测标准。",
        3,
        ["440000"],
        5_000,
    ),
    (
        "testing",
        "testing",
        "CCC 认证咨询",
        "梳理强制性产品认证要求，协助准备型式试验和工厂检查。",
        "提交产品清单。",
        3,
        ["440300"],
        8_000,
    ),
    (
        "testing",
        "testing",
        "标准制修订辅导",
        "协助企业参与国家、行业和团体标准的起草和申报。",
        "说明拟参与的标准方向。",
        5,
        ["440000"],
        None,
    ),
    (
        "testing",
        "testing",
        "计量校准服务",
        "对生产和检测设备开展计量校准，出具校准证书。",
        "提交设备清单。",
        2,
        ["440306"],
        1_500,
    ),
    (
        "testing",
        "management",
        "质量管理体系认证辅导",
        "辅导建立 ISO 9001 质量管理体系并迎接认证审核。",
        "预约首次诊断。",
        5,
        ["440300"],
        20_000,
    ),
]

NEEDS = [
    "今年准备申报专精特新，想先做一次体检，看看差在哪里。",
    "有三项发明专利，想了解能否质押贷款，额度大概多少。",
    "生产线设备想联网，先评估一下现状。",
    "想了解今年可以申请哪些补贴。",
    "新签了一份技术合作合同，想请律师看一下风险。",
    "需要招聘两名嵌入式研发工程师。",
]


def _officials() -> dict[str, Any]:
    users = get_user_model().objects.filter(username__in=["demo-county", "demo-city", "demo-province"])
    return {u.username: u for u in users}


def seed_services(*, demo_firm: Enterprise, today: dt.date | None = None) -> int:
    """Create the demo service list; returns the number of offers created (0 when already seeded)."""
    if Provider.objects.exists():
        return 0
    day = today or timezone.localdate()
    providers: dict[str, Provider] = {}
    demo_org = Organisation.objects.filter(
        kind=OrgKind.SERVICE_PROVIDER, memberships__user__username=DEMO_PROVIDER_USER
    ).first()
    for key, (name, region, intro, phone) in PROVIDERS.items():
        org = (
            demo_org
            if name is None
            else Organisation.objects.get_or_create(kind=OrgKind.SERVICE_PROVIDER, name=name)[0]
        )
        if org is None:
            continue
        p = services.provider_profile_save(
            actor=None,
            organisation=org,
            data=ProviderInput(region_code=region, intro=intro, contact_phone=phone),
        )
        providers[key] = services.provider_decide(actor=None, provider=p, approve=True)
    name, region, intro, phone = PENDING_PROVIDER
    pending_org = Organisation.objects.get_or_create(kind=OrgKind.SERVICE_PROVIDER, name=name)[0]
    pending = services.provider_profile_save(
        actor=None,
        organisation=pending_org,
        data=ProviderInput(region_code=region, intro=intro, contact_phone=phone),
    )

    offers: dict[str, ServiceOffer] = {}
    for key, category, title, desc, how, days, regions, price in OFFERS:
        if key not in providers:
            continue
        offer = services.offer_save(
            actor=None,
            provider=providers[key],
            data=OfferInput(
                title=title,
                category=category,
                description=desc,
                how_to_request=how,
                response_days=days,
                region_codes=regions,
                free=price is None,
                price_yuan=price,
                price_note="" if price is None else "参考价，按实际工作量确定",
            ),
        )
        services.offer_submit(actor=None, offer=offer)
        offers[title] = services.offer_decide(actor=None, offer=offer, approve=True)
    created = len(offers)
    if "demo" in providers:  # the demo account's offers in the other states
        extra: dict[str, Any] = dict(
            description="示例服务事项，用于演示服务事项的各个状态。",
            how_to_request="在线提交需求。",
            response_days=3,
            region_codes=["440305"],
        )
        services.offer_save(
            actor=None,
            provider=providers["demo"],
            data=OfferInput(title="专精特新企业年度复核提醒（草稿）", category="cultivation", **extra),
        )
        waiting = services.offer_save(
            actor=None,
            provider=providers["demo"],
            data=OfferInput(title="梯度培育政策宣讲进园区", category="policy", **extra),
        )
        services.offer_submit(actor=None, offer=waiting)
        refused = services.offer_save(
            actor=None,
            provider=providers["demo"],
            data=OfferInput(
                title="高新技术企业认定代办", category="cultivation", free=False, price_yuan=20_000, **extra
            ),
        )
        services.offer_submit(actor=None, offer=refused)
        services.offer_decide(
            actor=None,
            offer=refused,
            approve=False,
            note="“代办”表述不妥，请改为辅导服务并写明收费依据后重新提交。",
        )
        gone = services.offer_save(
            actor=None,
            provider=providers["demo"],
            data=OfferInput(title="2025年度申报集中辅导（已结束）", category="cultivation", **extra),
        )
        services.offer_submit(actor=None, offer=gone)
        services.offer_decide(actor=None, offer=gone, approve=True)
        services.offer_withdraw(actor=None, offer=gone)
    services.offer_save(
        actor=None,
        provider=pending,
        data=OfferInput(
            title="精益生产咨询",
            category="management",
            description="现场诊断生产流程，提出精益改善方案。",
            how_to_request="预约现场诊断。",
            response_days=5,
            region_codes=["440305"],
        ),
    )
    _requests(demo_firm, offers, day)
    return created


def _requests(demo_firm: Enterprise, offers: dict[str, ServiceOffer], day: dt.date) -> None:
    neighbours = list(
        Enterprise.objects.filter(region__code__startswith="4403")
        .exclude(pk=demo_firm.pk)
        .order_by("credit_code")[:6]
    )

    def at(days_ago: int, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=days_ago), dt.time(hour)))

    def ask(firm: Enterprise, title: str, days_ago: int, need: int) -> Any:
        return services.request_submit(
            actor=None,
            enterprise=firm,
            offer=offers[title],
            today=day - dt.timedelta(days=days_ago),
            data=RequestInput(
                need=NEEDS[need % len(NEEDS)],
                contact_name=firm.contact_name or "张经理",
                contact_phone=firm.contact_phone or "13800000000",
            ),
        )

    # The demo firm: one request in every state.
    ask(demo_firm, "专精特新申报辅导", 0, 0)  # waiting
    ask(demo_firm, "科技信贷快速对接", 20, 1)  # overdue: never answered
    r = ask(demo_firm, "中小企业数字化水平诊断", 6, 2)
    services.request_accept(actor=None, request=r, message="已安排诊断顾问，下周二上午到厂。", now=at(5))
    r = ask(demo_firm, "惠企政策一对一解读", 30, 3)
    services.request_accept(actor=None, request=r, message="已受理，约在线会议。", now=at(29))
    services.request_done(
        actor=None, request=r, summary="已完成解读，整理了可申报的5项政策清单。", now=at(25)
    )
    services.request_rate(actor=None, request=r, score=5, comment="讲得清楚，清单很实用。")
    r = ask(demo_firm, "合同审查", 10, 4)
    services.request_accept(actor=None, request=r, now=at(9))
    services.request_done(
        actor=None, request=r, summary="已出具审查意见，标注了7处风险条款。", now=at(7)
    )  # not rated yet
    r = ask(demo_firm, "高层次人才引进对接", 15, 5)
    services.request_decline(
        actor=None,
        request=r,
        reason="贵企业所需岗位不在本期合作高校专业范围内，建议通过人才市场招聘。",
        now=at(14),
    )

    # Neighbours: more history for the providers' ratings and the officials' satisfaction table.
    plan = [
        ("专精特新申报辅导", 40, 5, 4),
        ("专精特新申报辅导", 35, 3, 5),
        ("知识产权质押融资对接", 25, 2, 4),
        ("发明专利申请代理", 18, 9, 3),
        ("企业合规体检", 45, 4, 2),
        ("产品性能检测", 12, 3, 5),
        ("技能人才培训", 22, 4, 4),
        ("惠企政策一对一解读", 9, 1, None),
        ("知识产权贯标辅导", 16, None, None),
    ]
    for i, (title, days_ago, respond_after, score) in enumerate(plan):
        if not neighbours:
            break
        firm = neighbours[i % len(neighbours)]
        if (
            not offers[title]
            .regions.filter(code__in=[firm.region_id, firm.region_id[:4] + "00", "440000"])
            .exists()
        ):
            continue
        r = ask(firm, title, days_ago, i)
        if respond_after is None:
            continue  # left unanswered (overdue)
        services.request_accept(actor=None, request=r, now=at(days_ago - respond_after))
        if score is not None:
            services.request_done(actor=None, request=r, now=at(max(days_ago - respond_after - 3, 0)))
            services.request_rate(
                actor=None,
                request=r,
                score=score,
                comment={5: "非常满意", 4: "响应及时", 3: "一般", 2: "拖得有点久"}.get(score, ""),
            )
