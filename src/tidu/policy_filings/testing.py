"""Factories for tests, the demo and a shell: a published policy that needs an application, with one
batch open around `today`, written through tidu.policies' own services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tidu.journey.demo import sample_pdf
from tidu.policies import services as policy_services
from tidu.policies.models import Policy, PolicyBatch
from tidu.policy_filings import materials, services
from tidu.policy_filings.models import PolicyFiling
from tidu.regions.models import Region

MATERIALS = "营业执照\n研发费用专项审计报告\n知识产权证书（如有）"


def make_policy(
    actor: Any,
    *,
    code: str,
    level: str = "city",
    region: str | None = "440300",
    route: str = "application",
    conditions: list[dict[str, Any]] | None = None,
    amount_expr: str = "500000",
    cap: int | None = 800_000,
    materials_text: str = MATERIALS,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    title: str = "",
    purpose: str = "",
) -> PolicyBatch:
    """A published policy of `level` for `region` with one batch (default: opened ten days ago, closing in
    thirty); `actor` must manage it."""
    today = timezone.localdate()
    policy = policy_services.policy_save(
        actor=actor,
        code=code,
        title=title or f"研发投入奖补（{code}）",
        issuer="测试主管部门",
        document_number="",
        level=level,
        region=Region.objects.get(code=region) if region else None,
        in_force_from=today - dt.timedelta(days=400),
        in_force_to=None,
        category="rd",
        purpose=purpose or f"purpose-{code}",
        route=route,
        interpretation="测试用政策解读。",
        original_text="测试用政策原文。",
        materials=materials_text,
        source_url="",
        reading_notes="",
        is_sample=True,
    )
    policy_services.edition_add(
        actor=actor,
        policy=policy,
        effective_on=today - dt.timedelta(days=400),
        conditions=conditions
        or [
            {
                "label": "上年度营业收入不低于1000万元",
                "expr": "revenue_y1 >= 10000000",
                "clause": "第二条第一项",
            }
        ],
        amount_expr=amount_expr,
        amount_cap_yuan=cap,
        amount_clause="第三条",
        basis="首次录入",
    )
    batch = policy_services.batch_add(
        actor=actor,
        policy=policy,
        name=f"{today.year}年第一批",
        opens_on=opens_on or today - dt.timedelta(days=10),
        closes_on=closes_on or today + dt.timedelta(days=30),
    )
    policy_services.policy_publish(actor=actor, policy=policy)
    return batch


def attach_required(actor: Any, filing: PolicyFiling) -> None:
    """One small PDF for each required material (as the firm would upload them)."""
    for i, (material, required) in enumerate(materials.items(filing)):
        if required:
            services.attachment_add(
                actor=actor,
                filing=filing,
                material=material,
                name=f"{material}.pdf",
                data=sample_pdf(f"material {i} of filing {filing.pk}"),
            )


def submitted(actor: Any, policy: Policy) -> PolicyFiling:
    """Started, materials attached, signed and sent to the county."""
    filing = services.policy_filing_start(actor=actor, policy=policy)
    attach_required(actor, filing)
    return services.policy_filing_submit(actor=actor, filing=filing, commitment=True)
