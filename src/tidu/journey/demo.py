"""Demo journey for `seed_demo`: open rounds with applications at every stage (specialised and little giant),
a running publicity with an objection, and a round of three years ago already recognised: the demo firm
and two others hold innovative-SME titles nearing expiry, the demo firm's re-review (复核) waits for the
firm, another is at the county, the third is for the province to open. Everything goes through the
services, acting as the demo officials.

Idempotent: does nothing when the demo rounds exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from tidu.enterprises.demo import DEMO_FIRM_CODE_REGION
from tidu.enterprises.models import Enterprise
from tidu.enterprises.services import enterprise_year_verify
from tidu.journey import services
from tidu.journey.models import Application, ApplicationRound, Recognition, Tier

DEMO_ROUND_PREFIX = "（演示）"
PROVINCE = "440000"


def _users() -> dict[str, Any]:
    User = get_user_model()
    return {u.username: u for u in User.objects.filter(
        username__in=["demo-county", "demo-city", "demo-province", "demo-national"])}


def _firms(demo_firm: Enterprise) -> list[Enterprise]:
    """Firms of the demo county (its official can act on them) with figures, the demo firm excluded."""
    return list(Enterprise.objects.filter(region_id=DEMO_FIRM_CODE_REGION, years__isnull=False)
                .exclude(pk=demo_firm.pk).distinct().order_by("credit_code"))


def _latest_year(ent: Enterprise) -> int:
    year: int = ent.years.aggregate(m=Max("fiscal_year"))["m"]
    return year


def _year_before(ent: Enterprise, day: dt.date) -> int:
    """The firm's latest fiscal year closed before `day` (its earliest year if it has none that old)."""
    years = sorted(ent.years.values_list("fiscal_year", flat=True))
    return max((y for y in years if y < day.year), default=years[0])


def _submit(rnd: ApplicationRound, ent: Enterprise, day: dt.date, fiscal_year: int | None = None) -> Application:
    app = services.application_create(actor=None, enterprise=ent, rnd=rnd, fiscal_year=fiscal_year or _latest_year(ent),
                                      today=day)
    return services.application_submit(actor=None, application=app, commitment=True, today=day)


def _review(users: dict[str, Any], app: Application, *steps: tuple[str, str, str]) -> Application:
    for who, action, comment in steps:
        services.application_review(actor=users[who], application=app, action=action, comment=comment)
    return app


OK = "材料齐全，同意推荐。"
EXPIRES_IN_DAYS = 75  # the three-year-old titles expire this many days after seeding (inside the 180-day window)


def _verify_main_figures(official: Any, firms: list[Enterprise]) -> None:
    """The demo county has checked the latest revenue and R&D figures of a few firms against their
    audited accounts, so 已核实 marks show on the review screens, the 申报书 and 我的梯度."""
    for ent in firms:
        row = ent.years.order_by("-fiscal_year").first()
        fields = [f for f in ("revenue", "main_rev", "rd") if row is not None and getattr(row, f) is not None]
        if row is not None and fields:
            enterprise_year_verify(actor=official, row=row, fields=fields)


def _seed_rereviews(users: dict[str, Any], recognitions: list[Recognition], *, awaiting_firm: Enterprise,
                    at_county: Enterprise, day: dt.date) -> None:
    """Re-reviews of the expiring titles: `awaiting_firm`'s waits for the firm (confirm figures, sign,
    submit), `at_county`'s is with the demo county official; any other is left for the province to open."""
    by_firm = {r.enterprise_id: r for r in recognitions}
    p = users["demo-province"]
    services.rereview_open(actor=p, recognition=by_firm[awaiting_firm.pk], today=day)
    rec = by_firm[at_county.pk]
    rr = services.rereview_open(actor=p, recognition=rec, today=day)
    services.rereview_submit(actor=None, rereview=rr, commitment=True, fiscal_year=_latest_year(rec.enterprise),
                             today=day)


def seed_journey(*, demo_firm: Enterprise, today: dt.date | None = None) -> dict[str, int]:
    """Create the demo journey; returns counts (empty when already seeded or too few demo firms)."""
    if ApplicationRound.objects.filter(name__startswith=DEMO_ROUND_PREFIX).exists():
        return {}
    users = _users()
    firms = _firms(demo_firm)
    if len(users) < 4 or len(firms) < 6:  # a demo smaller than the default 300 firms
        return {}
    day = today or timezone.localdate()
    county, city, province = ("demo-county", "approve", OK), ("demo-city", "approve", OK), ("demo-province", "approve", OK)
    p = users["demo-province"]
    _verify_main_figures(users["demo-county"], [demo_firm, *firms[:3]])

    # An innovative-SME round of three years ago, recognised after publicity: the demo firm and two others
    # hold titles that now expire within the re-review window (复核).
    decided_on = services.add_years(day, -3) + dt.timedelta(days=EXPIRES_IN_DAYS)
    opens_on = decided_on - dt.timedelta(days=90)
    early = services.round_open(actor=p, name=f"{DEMO_ROUND_PREFIX}广东省{opens_on.year}年创新型中小企业评价（第一批）",
                                tier=Tier.INNOVATIVE_SME, region_code=PROVINCE,
                                opens_on=opens_on, deadline=opens_on + dt.timedelta(days=30))
    for ent in (demo_firm, firms[0], firms[1]):
        submitted_on = early.opens_on + dt.timedelta(days=3)
        _review(users, _submit(early, ent, submitted_on, _year_before(ent, submitted_on)), county, city, province)
    services.round_close(actor=p, rnd=early)
    pub = services.publicity_publish(actor=p, rnd=early, starts_on=early.deadline + dt.timedelta(days=14))
    recognitions = services.publicity_decide(actor=p, publicity=pub, today=max(pub.ends_on + dt.timedelta(days=1),
                                                                               decided_on))
    _seed_rereviews(users, recognitions, awaiting_firm=demo_firm, at_county=firms[0], day=day)

    # The open specialised round: every stage.
    rnd = services.round_open(actor=p, name=f"{DEMO_ROUND_PREFIX}广东省{day.year}年专精特新中小企业认定（第二批）",
                              tier=Tier.SPECIALIZED_SME, region_code=PROVINCE,
                              opens_on=day - dt.timedelta(days=30), deadline=day + dt.timedelta(days=45))
    start = rnd.opens_on + dt.timedelta(days=2)
    on_list = [_review(users, _submit(rnd, ent, start), county, city, province) for ent in firms[:2]]
    services.publicity_publish(actor=p, rnd=rnd, starts_on=day - dt.timedelta(days=1))
    services.objection_lodge(actor=None, publicity=rnd.publicities.get(), application=on_list[0],
                             contact="王先生 138****0000", text="该企业主导产品市场占有率数据存疑，请核实。")
    stages = [
        (county, city, province),  # approved, waiting for the next publicity
        (county, city),  # at the province
        (county,),  # at the city
        (),  # at the county
    ]
    for ent, steps in zip(firms[2:], stages, strict=False):
        _review(users, _submit(rnd, ent, start), *steps)
    # The demo firm has a draft to continue (upload, commit, submit).
    services.application_create(actor=None, enterprise=demo_firm, rnd=rnd, fiscal_year=_latest_year(demo_firm),
                                today=day)

    # A little-giant round: at the ministry, at the province, returned by the city, rejected by the county.
    lg = services.round_open(actor=p, name=f"{DEMO_ROUND_PREFIX}{day.year}年专精特新“小巨人”企业认定",
                             tier=Tier.LITTLE_GIANT, region_code=PROVINCE,
                             opens_on=day - dt.timedelta(days=20), deadline=day + dt.timedelta(days=20))
    _review(users, _submit(lg, firms[0], day), county, city, province)
    _review(users, _submit(lg, firms[1], day), county, city)
    _review(users, _submit(lg, firms[2], day), county,
            ("demo-city", "return", "研发费用占比计算有误，请补充专项审计报告后重新提交。"))
    _review(users, _submit(lg, firms[3], day), ("demo-county", "reject", "营业收入低于5000万元，不符合本年度申报条件。"))
    return {"rounds": 3, "applications": Application.objects.filter(round__name__startswith=DEMO_ROUND_PREFIX).count(),
            "recognitions": len(recognitions)}
