"""发榜/揭榜 ranking at register scale: the owner's "匹配的中小企业" page and an SME's needs page.

    .venv/bin/python benchmarks/needs_scale.py [--sizes 1000,10000,100000]

A throwaway database (Django's test database: in-memory SQLite under the test settings, or
`test_<name>` of TIDU_DATABASE_URL on PostgreSQL) gets a large firm with one published need, an SME with
its own year, and generated firms (name, GB/T 4754 code, region, a latest year with a main product drawn
from a vocabulary of ~60 products) up to each size in turn. For each size, through Django's test client:

- rebuild: profiles of every firm, index and ranking, as every owner request did before decision 0110;
- owner cold: first GET /needs/<pk>/firms/ after the per-process index is dropped (full build);
- owner warm: median of 5 further GETs (nothing changed: stamp checked, index reused);
- owner after a change: one firm's year saved, then the next GET (that firm re-profiled in place);
- SME cold / warm: GET /needs/ (the catalogue with the needs ranked for the firm).

Also the process's peak RSS. The index is per process, so each gunicorn worker pays the cold build once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidu.config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PRODUCTS = ["谐波减速器", "RV减速器", "伺服电机", "协作机器人", "工业机器人控制器", "机器视觉检测设备", "激光切割机", "数控机床主轴", "锂电池隔膜", "正极材料", "光伏逆变器", "储能变流器", "氢燃料电池电堆", "碳纤维复合材料", "特种陶瓷", "高温合金", "医用导管", "体外诊断试剂", "骨科植入物", "医用影像探测器", "工业软件", "MES系统", "PLC控制器", "传感器芯片", "射频模块", "光通信器件", "功率半导体", "IGBT模块", "汽车线束", "制动系统", "电驱动总成", "车载雷达", "农业无人机", "智能灌溉设备", "饲料添加剂", "船用发动机", "海工装备", "轨道交通信号系统", "轴承", "液压件", "阀门", "泵", "水性涂料", "胶粘剂", "电子化学品", "工业气体", "纺织面料", "食品包装", "不锈钢管", "铝型材", "精密模具", "注塑件", "紧固件", "工业网关", "安防摄像头", "智能电表", "充电桩", "变压器", "电线电缆", "无人机飞控"]
INDUSTRIES = ["C3491", "C3484", "C3453", "C2661", "C3976", "C3825", "C3841", "C2770", "C3360", "I6513",
              "C3311", "C3572", "C3731", "C3711", "C3921", "C2641"]


def _seed(owner_region: str) -> tuple[Any, Any, int]:
    import datetime as dt

    from django.utils import timezone

    from tidu.core.testing import make_enterprise, make_user, make_year
    from tidu.needs import services
    from tidu.needs.services import NeedInput

    large = make_user("bench_large", "large")
    sme_firm = make_enterprise(owner_region, industry_code="C3453", name="深圳精密传动有限公司")
    make_year(sme_firm, 2025, main_product_name="谐波减速器")
    sme = make_user("bench_sme", "enterprise", enterprise=sme_firm)
    need = services.need_publish(actor=large, need=services.need_save(actor=large, data=NeedInput(
        title="协作机器人精密减速器国产化", field="robotics", description="装配线协作机器人关节减速器依赖进口。",
        indicators="传动误差不大于 1 弧分", deadline=timezone.localdate() + dt.timedelta(days=30),
        region_code=owner_region, budget_min=2_000_000, budget_max=5_000_000)))
    return large, sme, need.pk


def _grow(regions: list[str], have: int, want: int, rng: random.Random) -> None:
    from tidu.core.testing import make_credit_code
    from tidu.enterprises.models import Enterprise, EnterpriseYear

    batch = 5000
    for start in range(have, want, batch):
        firms = [Enterprise(credit_code=make_credit_code(regions[i % len(regions)], f"9{i:07d}"),
                            name=f"{rng.choice(PRODUCTS)}{i}科技有限公司", region_id=regions[i % len(regions)],
                            industry_code=rng.choice(INDUSTRIES)) for i in range(start, min(want, start + batch))]
        Enterprise.objects.bulk_create(firms, batch_size=1000)
        made = Enterprise.objects.filter(credit_code__in=[f.credit_code for f in firms]).values_list("pk", flat=True)
        EnterpriseYear.objects.bulk_create(
            [EnterpriseYear(enterprise_id=pk, fiscal_year=2025, revenue=50_000_000, rd=rng.choice([1, 3, 6]) * 500_000,
                            invention_patent_count=rng.randint(0, 12),
                            main_product_name="、".join(rng.sample(PRODUCTS, 2))) for pk in made], batch_size=1000)


def _time(client: Client, url: str) -> float:
    t0 = time.perf_counter()
    response = client.get(url)
    took = time.perf_counter() - t0
    assert response.status_code == 200, (url, response.status_code)
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.utils import timezone

        from tidu.enterprises.models import Enterprise, EnterpriseYear
        from tidu.needs import firm_index
        from tidu.needs.models import Need
        from tidu.needs.ranking import firm_index as firm_index_of
        from tidu.needs.ranking import need_profile, rank_firms
        from tidu.needs.recommend import firm_profiles
        from tidu.regions.models import Region

        regions = list(Region.objects.filter(code__regex=r"^\d{6}$").exclude(code__endswith="00")
                       .values_list("code", flat=True)[:300])
        large, sme, need_pk = _seed("440305")
        owner, firm = Client(), Client()
        owner.force_login(large)
        firm.force_login(sme)
        rng = random.Random(110)
        have = 1
        print(f"{connection.vendor}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.2f}")
        print(f"{'firms':>7} {'rebuild':>8} {'owner cold':>11} {'warm':>7} {'after change':>13} {'SME cold':>9} {'warm':>7} {'RSS MB':>7}")
        for size in sizes:
            _grow(regions, have, size, rng)
            have = size
            # the register was imported earlier (else every row is within the late-commit margin)
            earlier = timezone.now() - dt.timedelta(days=1)
            Enterprise.objects.update(updated_at=earlier)
            EnterpriseYear.objects.update(updated_at=earlier)
            # and one row changed an hour ago: the newest before the measured change, beyond the margin
            EnterpriseYear.objects.filter(pk=EnterpriseYear.objects.order_by("pk").values("pk")[:1]).update(
                updated_at=timezone.now() - dt.timedelta(hours=1))
            t0 = time.perf_counter()  # what every request did before decision 0110
            rank_firms(firm_index_of(firm_profiles(Enterprise.objects.all()).values()),
                       need_profile(Need.objects.get(pk=need_pk)), limit=20)
            before = time.perf_counter() - t0
            firm_index.forget()
            cold = _time(owner, f"/needs/{need_pk}/firms/")
            warm = statistics.median(_time(owner, f"/needs/{need_pk}/firms/") for _ in range(5))
            year = EnterpriseYear.objects.order_by("?").first()
            assert year is not None
            year.main_product_name = "谐波减速器"
            year.save()
            changed = _time(owner, f"/needs/{need_pk}/firms/")
            assert firm_index.state().refreshed, "the change was not applied in place"
            sme_cold = _time(firm, "/needs/")
            sme_warm = statistics.median(_time(firm, "/needs/") for _ in range(5))
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{size:>7} {before:>7.2f}s {cold:>10.2f}s {warm:>6.3f}s {changed:>12.3f}s {sme_cold:>8.3f}s {sme_warm:>6.3f}s "
                  f"{rss:>7.0f}", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
