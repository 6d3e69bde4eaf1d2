"""梯度看板 after an import: the import queues a refresh of the firms it changed (a job, audited, shown),
and the dashboard then counts them as a full refresh would."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from tidu.core.audit_text import describe
from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise, make_user, make_year
from tidu.enterprises.io_samples import rows_to_xlsx, sample_rows
from tidu.enterprises.models import Enterprise
from tidu.insights import selectors
from tidu.insights.models import Cell, Standing
from tidu.insights.services import REFRESH_LOCK, refresh_standings
from tidu.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import(user: Any, rows: list[dict[str, Any]], name: str = "导入.xlsx") -> Job:
    client = Client()
    client.force_login(user)
    response = client.post(reverse("io:import"),
                           {"file": SimpleUploadedFile(name, rows_to_xlsx(rows), content_type=XLSX)})
    assert response.status_code == 302
    return Job.objects.filter(kind="enterprise_import").latest("created_at")


def _cells() -> list[tuple[Any, ...]]:
    return sorted(Cell.objects.values_list("year", "node", "dim", "key", "rung", "firms", "reachable", "at_risk",
                                           "expiring", "moved_up", "moved_down", "rd", "revenue"))


def _firms_in(node: str, year: int) -> int:
    return sum(Cell.objects.filter(node=node, dim="region", year=year).values_list("firms", flat=True))


def test_an_import_queues_a_refresh_of_the_firms_it_changed_and_the_dashboard_counts_them() -> None:
    for i in range(3):
        make_year(make_enterprise("440305", name=f"在册企业{i}"), 2025, revenue=50_000_000)
    refresh_standings()
    official = make_user("ins_importer", "government", level="city", region="440300")
    assert _firms_in("4403", 2026) == 3

    job = _import(official, sample_rows(firms=4, years=[2024, 2025], region_codes=["440304"]))

    assert job.status == JobStatus.SUCCEEDED
    imported = sorted(Enterprise.objects.filter(region_id="440304").values_list("pk", flat=True))
    refresh = Job.objects.get(kind="insights_refresh")
    assert (refresh.owner, refresh.status) == (official, JobStatus.SUCCEEDED)
    assert refresh.params["enterprise_ids"] == imported and refresh.params["import_job"] == str(job.pk)
    # the dashboard counts the imported firms without anyone pressing refresh
    assert _firms_in("4403", 2026) == 7 and _firms_in("440304", 2026) == 4
    assert sum(selectors.pyramid(selectors.scope_for(official)).series[0]["data"]) == 7
    assert Standing.objects.filter(enterprise_id__in=imported).count() == 8  # 4 firms × 2 evaluation years
    # audited as the importer's, in words; the import's job page says a refresh was queued
    event = AuditEvent.objects.get(action="insights.refresh_after_import")
    assert event.actor == official and event.data == {"firms": 4, "import_job": str(job.pk)}
    assert "导入企业数据后，自动提交了梯度看板统计的刷新（4 家企业）" in describe(event).sentence
    client = Client()
    client.force_login(official)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f"已自动提交梯度看板刷新（4 家企业，任务编号 {refresh.pk}）" in page
    # the incremental refresh left the cells a full refresh would write
    after_import = _cells()
    refresh_standings()
    assert _cells() == after_import


def test_an_import_that_changes_nothing_queues_no_refresh() -> None:
    official = make_user("ins_importer2", "government", level="city", region="440300")
    rows = sample_rows(firms=2, years=[2025], region_codes=["440305"])
    _import(official, rows)
    assert Job.objects.filter(kind="insights_refresh").count() == 1

    again = _import(official, rows, name="同一文件.xlsx")

    assert again.status == JobStatus.SUCCEEDED
    assert Job.objects.filter(kind="insights_refresh").count() == 1
    assert AuditEvent.objects.filter(action="insights.refresh_after_import").count() == 1


def test_a_firm_moved_by_an_import_leaves_its_old_county_on_the_dashboard() -> None:
    official = make_user("ins_importer3", "government", level="city", region="440300")
    rows = sample_rows(firms=1, years=[2025], region_codes=["440305"])
    _import(official, rows)
    assert (_firms_in("440305", 2026), _firms_in("440304", 2026)) == (1, 0)

    _import(official, [{**r, "region": "440304"} for r in rows], name="迁址.xlsx")

    assert (_firms_in("440305", 2026), _firms_in("440304", 2026), _firms_in("4403", 2026)) == (0, 1, 1)
    assert Job.objects.filter(kind="insights_refresh", status=JobStatus.SUCCEEDED).count() == 2


def test_the_dashboard_says_when_a_refresh_is_queued_or_running() -> None:
    official = make_user("ins_viewer", "government", level="county", region="440305")
    client = Client()
    client.force_login(official)
    assert "正在更新" not in client.get("/insights/").content.decode()
    Job.objects.create(kind="insights_refresh", owner=official, status=JobStatus.QUEUED,
                       params={"enterprise_ids": [1]})
    Job.objects.create(kind="insights_refresh", owner=official, status=JobStatus.RUNNING, params={"prefix": ""})
    Job.objects.create(kind="insights_refresh", owner=official, status=JobStatus.SUCCEEDED, params={"prefix": ""})

    assert "正在更新：2 个刷新任务排队或运行中" in client.get("/insights/").content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock exists on PostgreSQL only")
def test_a_refresh_holds_the_lock_that_keeps_a_second_one_waiting() -> None:
    import psycopg

    make_year(make_enterprise("440305", name="锁测试企业"), 2025)
    params = connection.get_connection_params()
    taken: list[bool] = []

    def progress(_done: int, _total: int, _stage: str) -> None:
        with psycopg.connect(**{k: v for k, v in params.items() if k in {"host", "port", "user", "dbname"}},
                             autocommit=True) as other:
            row = other.execute("SELECT pg_try_advisory_lock(%s)", [REFRESH_LOCK]).fetchone()
            taken.append(bool(row and row[0]))

    refresh_standings(progress=progress)

    assert taken and not any(taken)  # another session (a second worker's refresh) would have waited
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s), pg_advisory_unlock(%s)", [REFRESH_LOCK, REFRESH_LOCK])
        assert cur.fetchone() == (True, True)  # released when the refresh ended


def test_every_firm_near_its_next_rung_is_asked_and_the_cells_count_the_steps() -> None:
    """The steps come after the cells (PostgreSQL) and the cells are written again: the page's 一步之遥 total
    is the number of firms with a step, and every firm with a step has one that the engine accepts."""
    from django.core.management import call_command

    call_command("seed_demo", firms=120, stdout=None)  # seed_insights refreshes the standings
    refresh = refresh_standings()
    latest = selectors.latest_years()
    stepped = Standing.objects.filter(year=latest, one_step=True)
    assert stepped.exists()
    for year in Standing.objects.values_list("year", flat=True).distinct():
        cells = sum(Cell.objects.filter(node="", dim="region", year=year).values_list("one_step", flat=True))
        assert cells == Standing.objects.filter(year=year, one_step=True).count(), year
    if connection.vendor == "postgresql":  # the batch path records what it asked
        assert refresh.phases["stepped"] == stepped.count() <= refresh.phases["step_candidates"]
