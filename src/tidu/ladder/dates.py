"""A firm's own calendar: recognition expiry and review, the yearly data update, the change-report rule.

Dates follow domain/tiers.md: the yearly update is due on a date each jurisdiction sets
(settings.ANNUAL_UPDATE_DUE: 30 April in Guangdong for its own rungs, 31 May nationally); a
recognition expires after three years and the holder applies for review (复核) when it expires;
criteria-relevant changes (name, merger, restructuring, moving province) are reported within
three months of the change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

REMIND_DAYS = 60  # an entry this close is flagged on the page


def annual_update_month_day(region_code: str) -> tuple[int, int]:
    """(month, day) of the yearly update deadline set for the firm's jurisdiction
    (settings.ANNUAL_UPDATE_DUE: region-code prefix -> "MM-DD", the longest matching prefix wins)."""
    table: dict[str, str] = settings.ANNUAL_UPDATE_DUE
    code = str(region_code or "")
    prefix = max((p for p in table if code.startswith(p)), key=len, default=None)
    if prefix is None:
        raise ImproperlyConfigured("ANNUAL_UPDATE_DUE 需要全国缺省值（键 \"\"）")
    try:
        when = dt.datetime.strptime(table[prefix], "%m-%d")
    except ValueError as exc:
        raise ImproperlyConfigured(f"ANNUAL_UPDATE_DUE[{prefix!r}] 应为 MM-DD：{table[prefix]!r}") from exc
    return when.month, when.day


def annual_update_due(region_code: str, today: dt.date) -> dt.date:
    """The next yearly data-update deadline for a firm registered in `region_code`."""
    month, day = annual_update_month_day(region_code)
    due = dt.date(today.year, month, day)
    return due if due >= today else dt.date(today.year + 1, month, day)


def calendar_of(region_code: str, recognitions: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Dated entries, soonest first: {date, title, detail, days, soon}."""
    due = annual_update_due(region_code, today)
    entries: list[dict[str, Any]] = [{"date": due, "title": "年度数据更新截止",
                "detail": "在平台更新上一年度数据；未按时更新将影响下次复核。"}]
    for r in recognitions:
        if r["expired"]:
            continue
        entries.append({"date": r["valid_until"], "title": f"{r['tier_label']}认定到期（{r['number']}）",
                        "detail": "到期当年按认定通知申请复核，通过后有效期延长三年。"})
    for e in entries:
        e["days"] = (e["date"] - today).days
        e["soon"] = e["days"] <= REMIND_DAYS
    return sorted(entries, key=lambda e: e["date"])


CHANGE_RULE = "企业更名、合并、重组、跨省迁移等与认定条件相关的重大变化，应在发生后3个月内在平台报告。"
