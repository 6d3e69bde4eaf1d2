"""`manage.py scale_demo --firms 100000 --throwaway`: top the demo register up to N generated firms.

For load tests and benchmarks only (benchmarks/load/run.py, decision 0108): it refuses a database that
holds any firm not made by the demo seed, and wants --throwaway said out loud. Firm i is drawn from its
own seeded generator (`--seed`, firm index), so the same command gives the same register, and running it
again adds nothing. Firms get 1–4 fiscal years of figures like the demo's (`tidu.enterprises.demo`),
spread over the demo cities' counties. PostgreSQL is filled with COPY; other databases with bulk_create.
Nothing else is made: no users, applications or standings (the 梯度看板 refresh is a job of its own).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.enterprises.demo import CITIES, CITY_WEIGHTS, FISCAL_YEARS, INDUSTRIES, SUFFIXES, WORDS, _years
from tidu.enterprises.models import Enterprise, EnterpriseSource, EnterpriseYear
from tidu.regions.models import Region, RegionLevel
from tidu.rules.credit_code import make_credit_code

BATCH = 5000


def counties_by_city() -> dict[str, list[str]]:
    """The active counties of each demo city (a city without counties stands for itself), as seed_demo."""
    out: dict[str, list[str]] = defaultdict(list)
    for region in Region.objects.filter(active=True).exclude(level=RegionLevel.PROVINCE).order_by("code"):
        for city in CITIES:
            prefix = city[:2] if city.endswith("0000") else city[:4]
            if region.code.startswith(prefix) and (
                region.level == RegionLevel.COUNTY or (region.code == city and not region.children.exists())
            ):
                out[city].append(region.code)
    return dict(out)


def generated_firm(seed: int, index: int, counties: dict[str, list[str]], taken: set[str]
                   ) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """Firm number `index` of the scaled register: its fields and its years, the same for the same seed
    (a credit code already `taken` is drawn again from the same generator)."""
    rng = random.Random(f"tidu-scale:{seed}:{index}")
    cities = [c for c in CITY_WEIGHTS for _ in range(CITY_WEIGHTS[c]) if counties.get(c)]
    city = rng.choice(cities)
    region = rng.choice(counties[city])
    industry = rng.choice(list(INDUSTRIES))
    # The index in the name keeps 100,000 names distinct (the word lists give ~60,000 combinations).
    name = f"{CITIES[city]}{rng.choice(WORDS)}{rng.choice(WORDS)}{INDUSTRIES[industry]}{index}号{rng.choice(SUFFIXES)}"
    founded = dt.date(rng.randint(1998, 2020), rng.randint(1, 12), rng.randint(1, 28))
    niche = dt.date(min(2021, founded.year + rng.randint(0, 3)), rng.randint(1, 12), rng.randint(1, 28))
    first_year = rng.choice(FISCAL_YEARS)
    code = make_credit_code(region, f"{rng.randrange(10**7, 10**8)}")
    while code in taken:
        code = make_credit_code(region, f"{rng.randrange(10**7, 10**8)}")
    fields = {"credit_code": code, "name": name,
              "region_id": region, "industry_code": industry, "founded_on": founded,
              "niche_start_on": max(niche, founded), "independent_legal_person": True,
              "registered_in_mainland": True, "resident_enterprise": True, "source": EnterpriseSource.DEMO}
    return fields, _years(rng, first_year)


def _copy(model: type[models.Model], objects: list[models.Model]) -> None:
    """COPY `objects` into the model's table (PostgreSQL), every concrete field but the serial id."""
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def _write(model: type[models.Model], objects: list[models.Model]) -> None:
    if connection.vendor == "postgresql":
        _copy(model, objects)
    else:
        model._default_manager.bulk_create(objects, batch_size=500)


def _batches(start: int, stop: int) -> Iterator[range]:
    for low in range(start, stop, BATCH):
        yield range(low, min(low + BATCH, stop))


class Command(BaseCommand):
    help = "（仅限压测用的临时数据库）把演示企业名录扩充到指定数量，生成的数据可重复"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--firms", type=int, default=100_000, help="扩充后的企业总数（默认 100000）")
        parser.add_argument("--seed", type=int, default=1, help="生成数据的种子（默认 1）")
        parser.add_argument("--throwaway", action="store_true",
                            help="确认当前数据库是压测用的临时数据库（必须给出）")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["throwaway"]:
            raise CommandError("scale_demo 只用于压测的临时数据库：确认后加 --throwaway 再运行。")
        real = Enterprise.objects.exclude(source=EnterpriseSource.DEMO).count()
        if real:
            raise CommandError(f"数据库中有 {real} 家非演示企业：scale_demo 只用于只有演示数据的临时数据库。")
        target, seed = options["firms"], options["seed"]
        have = Enterprise.objects.count()
        if have >= target:
            self.stdout.write(f"已有企业 {have} 家，不少于 {target} 家：未新增。")
            return
        counties = counties_by_city()
        if not counties:
            raise CommandError("没有演示城市的区县：先运行 load_regions / seed_demo。")
        started = time.monotonic()
        codes = set(Enterprise.objects.values_list("credit_code", flat=True))
        firms_made = years_made = 0
        for batch in _batches(have, target):
            with transaction.atomic():
                firms, years = [], {}
                now = timezone.now()
                for index in batch:
                    fields, firm_years = generated_firm(seed, index, counties, codes)
                    codes.add(fields["credit_code"])
                    firms.append(Enterprise(created_at=now, updated_at=now, **fields))
                    years[fields["credit_code"]] = firm_years
                _write(Enterprise, firms)  # type: ignore[arg-type]
                ids = dict(Enterprise.objects.filter(credit_code__in=list(years)).values_list("credit_code", "id"))
                rows = [EnterpriseYear(enterprise_id=ids[code], fiscal_year=fy, created_at=now, updated_at=now,
                                       **values)
                        for code, by_year in years.items() for fy, values in by_year.items()]
                _write(EnterpriseYear, rows)  # type: ignore[arg-type]
                firms_made += len(firms)
                years_made += len(rows)
            self.stdout.write(f"  {have + firms_made} 家企业 …")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Enterprise, EnterpriseYear):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        audit_record(actor=None, action="demo.scale", data={"enterprises": firms_made, "years": years_made,
                                                            "seed": seed})
        self.stdout.write(f"压测数据：新增企业 {firms_made} 家、年度数据 {years_made} 条，"
                          f"用时 {time.monotonic() - started:.0f} 秒（种子 {seed}）。")
