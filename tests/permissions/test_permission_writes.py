"""The most important writes of the permission matrix sent with a VALID body (the matrix sends empty ones, so a
422 or a form error hid whether an allowed role could act): a firm's profile, submitting an application,
a review decision and creating a policy. Every role × own / other object: the exact status, the change made
(row and audit event) for the allowed roles, and nothing changed for every refused one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from matrix_world import ROLES, SIDES, MatrixWorld

from tidu.core.models import AuditEvent
from tidu.enterprises.models import Enterprise
from tidu.journey.models import Application, AppStatus, Tier
from tidu.policies.models import Policy

pytestmark = pytest.mark.django_db

LOGIN = "LOGIN"  # a page refuses an anonymous visitor by sending them to the login page


def _row(model: Any, **where: Any) -> Any:
    return model._default_manager.filter(**where).values().first()


def _send(client: Client, url: str, body: dict[str, Any], *, api: bool) -> Any:
    if api:
        return client.post(url, json.dumps(body), content_type="application/json")
    return client.post(url, body)


def _status(response: Any) -> int | str:
    if response.status_code == 302 and "/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


def run_write(matrix: MatrixWorld, clients: dict[str, Client], *, api: bool,
              url: Callable[[str], str], body: Callable[[str], dict[str, Any]],
              state: Callable[[str], Any], expected: dict[tuple[str, str], int | str],
              allowed: set[tuple[str, str]], sides: tuple[str, ...] = SIDES) -> None:
    """Send the write as every role on every side, each in a savepoint rolled back afterwards."""
    seen: dict[tuple[str, str], int | str] = {}
    problems = []
    for side in sides:
        for role in ROLES:
            with transaction.atomic():
                before = (AuditEvent.objects.count(), state(side))
                response = _send(clients[role], url(side), body(side), api=api)
                after = (AuditEvent.objects.count(), state(side))
                transaction.set_rollback(True)
            seen[role, side] = _status(response)
            if (role, side) in allowed:
                if after[0] <= before[0] or after[1] == before[1]:
                    problems.append(f"{role}/{side}: allowed, but nothing was changed or audited")
            elif before != after:
                problems.append(f"{role}/{side}: refused ({seen[role, side]}) but the database changed")
    differ = {k: (seen[k], expected.get(k)) for k in seen if seen[k] != expected.get(k)}
    assert not differ, f"(seen, expected) where they differ: {differ}"
    assert not problems, problems


def expect(default: Callable[[str], int | str], **exceptions: int | str) -> Callable[[str], dict[tuple[str, str], int | str]]:
    def table(side: str) -> dict[tuple[str, str], int | str]:
        return {(role, side): exceptions.get(f"{role}_{side}", default(role)) for role in ROLES}
    return table


def both(*tables: dict[tuple[str, str], int | str]) -> dict[tuple[str, str], int | str]:
    out: dict[tuple[str, str], int | str] = {}
    for t in tables:
        out |= t
    return out


# ---- a firm's profile (page; no object in the URL: the signed-in firm's own) ----

def test_only_the_firm_changes_its_own_profile(matrix: MatrixWorld, page_clients: dict[str, Client]) -> None:
    firm = matrix.objects["enterprise"]["own"]
    valid = {"contact_name": "王经理", "contact_phone": "13900139000", "contact_email": "wang@example.com"}
    run_write(
        matrix, page_clients, api=False, url=lambda side: "/firm/profile/", body=lambda side: valid,
        state=lambda side: _row(Enterprise, pk=firm.pk), sides=("own",),
        expected=expect(lambda role: 403, anonymous_own=LOGIN, firm_own=302)("own"),
        allowed={("firm", "own")},
    )


# ---- submitting an application (API): a locked draft of firm A with its stamped copy, and firm E's ----

def test_only_the_firm_submits_its_own_application(matrix: MatrixWorld, api_clients: dict[str, Client]) -> None:
    world = matrix.base
    draft = world.locked("A", Tier.INNOVATIVE_SME)
    world.stamp(draft)
    apps = {"own": draft, "other": matrix.objects["application"]["other"]}
    run_write(
        matrix, api_clients, api=True,
        url=lambda side: f"/api/v1/journey/applications/{apps[side].pk}/submit",
        body=lambda side: {"version": Application.objects.get(pk=apps[side].pk).version},
        state=lambda side: _row(Application, pk=apps[side].pk),
        expected=both(
            # a draft is the firm's alone: no official (nor the admin) sees it before it is submitted
            expect(lambda role: 404, anonymous_own=401, firm_own=200)("own"),
            expect(lambda role: 404, anonymous_other=401, admin_other=403)("other"),
        ),
        allowed={("firm", "own")},
    )


# ---- a review decision (API): firm A's application waits at the county; firm E's is in Zhejiang ----

def test_only_the_official_at_the_applications_step_decides(matrix: MatrixWorld, api_clients: dict[str, Client]) -> None:
    apps = matrix.objects["application"]
    assert apps["own"].status == AppStatus.COUNTY  # waiting at the county
    outsiders = {"large", "provider", "innovation"}
    run_write(
        matrix, api_clients, api=True,
        url=lambda side: f"/api/v1/journey/applications/{apps[side].pk}/review",
        body=lambda side: {"action": "approve", "comment": "材料齐全，同意",
                           "version": Application.objects.get(pk=apps[side].pk).version},
        state=lambda side: _row(Application, pk=apps[side].pk),
        expected=both(
            expect(lambda role: 404 if role in outsiders else 403, anonymous_own=401, county_own=200)("own"),
            expect(lambda role: 404, anonymous_other=401, admin_other=403)("other"),
        ),
        allowed={("county", "own")},
    )


# ---- creating a policy (page): a provincial policy of 广东 ----

def test_only_officials_covering_the_region_create_a_policy(matrix: MatrixWorld,
                                                            page_clients: dict[str, Client]) -> None:
    today = timezone.localdate()
    valid = {
        "code": "pm-write-check", "title": "广东省专精特新企业奖励（矩阵写入）", "issuer": "广东省工业和信息化厅",
        "document_number": "粤工信〔2026〕1号", "level": "province", "region": "440000",
        "in_force_from": today.isoformat(), "in_force_to": "", "category": "reward", "purpose": "award-matrix",
        "route": "application", "interpretation": "获得认定的企业可申请一次性奖励。",
        "original_text": "第三条 对新认定的专精特新中小企业给予奖励。", "materials": "", "source_url": "",
        "reading_notes": "",
    }
    run_write(
        matrix, page_clients, api=False, url=lambda side: "/policies/manage/new/", body=lambda side: valid,
        state=lambda side: _row(Policy, code="pm-write-check"), sides=("own",),
        # county and city officials may author policies, but not for the province: the form comes back with
        # the refusal on it (what they typed is kept), nothing is created
        expected=expect(lambda role: 403, anonymous_own=LOGIN, province_own=302, admin_own=302,
                        county_own=200, city_own=200)("own"),
        allowed={("province", "own"), ("admin", "own")},
    )
    with transaction.atomic():
        page = page_clients["county"].post("/policies/manage/new/", valid)
        assert "您没有执行此操作的权限" in page.content.decode()
        assert not Policy.objects.filter(code="pm-write-check").exists()
        transaction.set_rollback(True)
