"""`manage.py seed_demo`: the demo register and one user per role (idempotent)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from tidu.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from tidu.accounts.models import GovLevel, Membership, Organisation, OrgKind
from tidu.core.audit import audit_record
from tidu.enterprises.demo import CITIES, DEMO_FIRM_CODE_REGION, demo_firms
from tidu.enterprises.models import Enterprise, EnterpriseSource, EnterpriseYear
from tidu.enterprises.validation import year_errors
from tidu.regions.models import Region, RegionLevel

GOV_NAMES = {
    "county": "深圳市南山区工业和信息化局",
    "city": "深圳市工业和信息化局",
    "province": "广东省工业和信息化厅",
    "national": "工业和信息化部中小企业局（演示）",
}
OTHER_ORG_NAMES = {
    OrgKind.LARGE_ENTERPRISE: "华南重工集团有限公司（演示）",
    OrgKind.SERVICE_PROVIDER: "梯度企业服务中心（演示）",
    OrgKind.INNOVATION_PLATFORM: "南山先进制造创新中心（演示）",
    OrgKind.PLATFORM_ADMIN: "梯度平台运营（演示）",
}


class Command(BaseCommand):
    help = "生成演示数据：数百家企业及其年度数据，以及各类角色的演示账号（可重复执行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--firms", type=int, default=300, help="企业数量（默认 300）")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        counties_by_city: dict[str, list[str]] = defaultdict(list)
        for region in Region.objects.filter(active=True).exclude(level=RegionLevel.PROVINCE):
            for city in CITIES:
                prefix = city[:2] if city.endswith("0000") else city[:4]
                if region.code.startswith(prefix) and (
                    region.level == RegionLevel.COUNTY or (region.code == city and not region.children.exists())
                ):
                    counties_by_city[city].append(region.code)
        firms = demo_firms({c: sorted(v) for c, v in counties_by_city.items()}, options["firms"])

        existing = dict(Enterprise.objects.filter(credit_code__in=[f.credit_code for f in firms])
                        .values_list("credit_code", "id"))
        new = [
            Enterprise(credit_code=f.credit_code, name=f.name, region_id=f.region_code, industry_code=f.industry_code,
                       founded_on=f.founded_on, niche_start_on=f.niche_start_on, independent_legal_person=True,
                       registered_in_mainland=True, resident_enterprise=True, source=EnterpriseSource.DEMO)
            for f in firms if f.credit_code not in existing
        ]
        Enterprise.objects.bulk_create(new, batch_size=500)
        ids = dict(Enterprise.objects.filter(credit_code__in=[f.credit_code for f in firms])
                   .values_list("credit_code", "id"))
        have = set(EnterpriseYear.objects.filter(enterprise_id__in=ids.values()).values_list("enterprise_id", "fiscal_year"))
        rows = []
        for f in firms:
            for fy, values in f.years.items():
                problems = year_errors(values)
                assert not problems, (f.name, fy, problems)
                if (ids[f.credit_code], fy) not in have:
                    rows.append(EnterpriseYear(enterprise_id=ids[f.credit_code], fiscal_year=fy, **values))
        EnterpriseYear.objects.bulk_create(rows, batch_size=500)

        demo_firm = Enterprise.objects.get(credit_code=firms[0].credit_code)
        assert demo_firm.region_id == DEMO_FIRM_CODE_REGION
        self._users(demo_firm)
        from tidu.digital.demo import seed_digital_demo  # issue 5: sample scenarios/paths, peer results

        seed_digital_demo(exclude=demo_firm)
        from tidu.journey.demo import seed_journey  # rounds and applications at every stage

        seed_journey(demo_firm=demo_firm)
        from tidu.changes.demo import seed_changes  # a rename waiting for the demo county

        seed_changes(demo_firm=demo_firm)
        from tidu.accounts.demo import seed_accounts_demo  # an invitable firm, a claim, a held registration

        seed_accounts_demo(demo_firm=demo_firm)
        from tidu.policies.demo import seed_policies  # 22 policies, pushes, awards and payouts in every state

        seed_policies(demo_firm=demo_firm)
        from tidu.policy_filings.demo import seed_policy_filings  # policy applications in every state

        seed_policy_filings(demo_firm=demo_firm)
        from tidu.service_catalog.demo import seed_services  # 服务清单: 34 offers, requests in every state

        seed_services(demo_firm=demo_firm)
        from tidu.news.demo import seed_news  # 政策快讯: every category, a draft, a scheduled one

        seed_news()
        from tidu.needs.demo import seed_needs  # 发榜/揭榜

        seed_needs(demo_firm=demo_firm)
        from tidu.events.demo import seed_events  # 对接活动

        seed_events(demo_firm=demo_firm)
        from tidu.techtransfer.demo import seed_techtransfer  # 科技成果转化

        seed_techtransfer(demo_firm=demo_firm)
        from tidu.insights.demo import seed_insights  # 梯度看板 standings (last: reads all the above)

        seed_insights(demo_firm=demo_firm)
        if new or rows:
            audit_record(actor=None, action="demo.seed", data={"enterprises": len(new), "years": len(rows)})
        self.stdout.write(f"演示数据：新增企业 {len(new)} 家、年度数据 {len(rows)} 条；"
                          f"演示账号 {len(DEMO_USERS)} 个，密码 {DEMO_PASSWORD}")

    def _users(self, demo_firm: Enterprise) -> None:
        User = get_user_model()
        for username, _desc, kind, level, region_code in DEMO_USERS:
            if kind == OrgKind.ENTERPRISE:
                org, _ = Organisation.objects.get_or_create(
                    kind=kind, enterprise=demo_firm, defaults={"name": demo_firm.name})
            elif kind == OrgKind.GOVERNMENT:
                org, _ = Organisation.objects.get_or_create(
                    kind=kind, name=GOV_NAMES[level],
                    defaults={"gov_level": GovLevel(level), "region_id": region_code or None})
            else:
                org, _ = Organisation.objects.get_or_create(kind=kind, name=OTHER_ORG_NAMES[OrgKind(kind)])
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@tidu.example"})
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = kind == OrgKind.PLATFORM_ADMIN
            user.save()
            Membership.objects.update_or_create(user=user, defaults={"organisation": org})
