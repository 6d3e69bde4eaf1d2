"""Demo journey for `seed_demo`: open rounds with applications at every stage (specialised, little giant and
innovative), a running publicity with an objection, and a round of three years ago already recognised: the
demo firm and two others hold innovative-SME titles nearing expiry, the demo firm's re-review (复核) waits
for the firm, another is at the county, the third is for the province to open. A specialised round of a
year ago gave two firms the 专精特新 titles the little-giant round requires (tidu.journey.prerequisites);
every applicant holds the title its round requires. Everything goes through the services, acting as the
demo officials.

Idempotent: does nothing when the demo rounds exist.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from tidu.enterprises.demo import DEMO_FIRM_CODE_REGION
from tidu.enterprises.models import Enterprise
from tidu.enterprises.selectors import evaluation_record_with_marks
from tidu.enterprises.services import enterprise_year_verify
from tidu.journey import checklist, frozen, services
from tidu.journey.errors import JourneyError
from tidu.journey.models import Application, ApplicationRound, AttachmentKind, Recognition, Tier
from tidu.journey.prerequisites import require_prerequisite
from tidu.journey.workdays import is_workday, next_working_day

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


def sample_pdf(*lines: str) -> bytes:
    """A one-page PDF showing `lines` (ASCII), the same bytes for the same lines: the demo's and the tests'
    stand-in for a scanned licence, report or stamped form."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.setFont("Helvetica", 12)
    for n, line in enumerate(("Tidu demo document", *lines)):
        pdf.drawString(72, 770 - 18 * n, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def file_name(kind: AttachmentKind) -> str:
    """A file name from the kind's label ("审计报告 / 财务报表" → "审计报告、财务报表.pdf": no slash in a name)."""
    return str(kind.label).replace(" / ", "、").replace("/", "、") + ".pdf"


def _attach_materials(app: Application) -> None:
    """The tier's required materials as small PDFs (a firm's licence is the same file in every round it
    applies in, so the store keeps it once)."""
    ent = app.enterprise
    for item in checklist.items_for(app.tier):
        if item.required and item.kind != AttachmentKind.STAMPED_FORM:
            services.attachment_add(actor=None, application=app, kind=item.kind, name=file_name(item.kind),
                                    data=sample_pdf(f"{item.kind}: {ent.credit_code}", f"fiscal year {app.fiscal_year}"))


def _submit(rnd: ApplicationRound, ent: Enterprise, day: dt.date, fiscal_year: int | None = None) -> Application:
    """The firm's real order: materials, lock (commitment signed), print and stamp the 申报书, submit."""
    app = services.application_create(actor=None, enterprise=ent, rnd=rnd, fiscal_year=fiscal_year or _latest_year(ent),
                                      today=day)
    _attach_materials(app)
    services.application_lock(actor=None, application=app, commitment=True, today=day)
    services.attachment_add(actor=None, application=app, kind=AttachmentKind.STAMPED_FORM, name="盖章申报书.pdf",
                            data=sample_pdf("stamped application form", f"fingerprint {frozen.fingerprint(app)}"))
    return services.application_submit(actor=None, application=app, today=day)


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


def _working_day_before(day: dt.date) -> dt.date:
    before = day - dt.timedelta(days=1)
    while not is_workday(before)[0]:
        before -= dt.timedelta(days=1)
    return before


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
                                opens_on=opens_on, deadline=opens_on + dt.timedelta(days=30), today=opens_on)
    for ent in (demo_firm, firms[0], firms[1]):
        submitted_on = early.opens_on + dt.timedelta(days=3)
        _review(users, _submit(early, ent, submitted_on, _year_before(ent, submitted_on)), county, city, province)
    services.round_close(actor=p, rnd=early)
    published_on = next_working_day(early.deadline + dt.timedelta(days=13))
    pub = services.publicity_publish(actor=p, rnd=early, starts_on=published_on, today=published_on)
    recognitions = services.publicity_decide(actor=p, publicity=pub, today=max(pub.ends_on + dt.timedelta(days=1),
                                                                               decided_on))
    _seed_rereviews(users, recognitions, awaiting_firm=demo_firm, at_county=firms[0], day=day)
    # A year ago two firms were recognised 专精特新 on the platform: they may now apply for little giant.
    holders = _seed_specialised_titles(users, firms[2:4], day=day)

    # The open specialised round (2026 standard: applicants hold a valid 科技型 or 创新型 title; the two
    # recognised innovative SMEs hold the platform's record of one): on publicity, approved, at the city.
    rnd = services.round_open(actor=p, name=f"{DEMO_ROUND_PREFIX}广东省{day.year}年专精特新中小企业认定（第二批）",
                              tier=Tier.SPECIALIZED_SME, region_code=PROVINCE,
                              opens_on=day - dt.timedelta(days=30), deadline=day + dt.timedelta(days=45))
    start = rnd.opens_on + dt.timedelta(days=2)
    on_list = [_review(users, _submit(rnd, ent, start), county, city, province)
               for ent in firms[:2] if _may_apply(ent, Tier.SPECIALIZED_SME, start)]
    running_since = _working_day_before(day)  # publicity running now: objections accepted
    services.publicity_publish(actor=p, rnd=rnd, starts_on=running_since, today=running_since)
    services.objection_lodge(actor=None, publicity=rnd.publicities.get(), application=on_list[0],
                             name="王先生", contact="13800138000", text="该企业主导产品市场占有率数据存疑，请核实。")
    others = [f for f in firms[2:] if f not in holders]
    applicants = [f for f in others if _may_apply(f, Tier.SPECIALIZED_SME, start)]
    for ent, steps in zip(applicants, [(county, city, province), (county,)], strict=False):
        _review(users, _submit(rnd, ent, start), *steps)  # approved (next publicity); at the city
    # The demo firm has a draft to continue (upload its materials, lock, print and stamp, submit).
    services.application_create(actor=None, enterprise=demo_firm, rnd=rnd, fiscal_year=_latest_year(demo_firm),
                                today=day)

    # A little-giant round: the two 专精特新 holders, at the ministry and at the province.
    lg = services.round_open(actor=p, name=f"{DEMO_ROUND_PREFIX}{day.year}年专精特新“小巨人”企业认定",
                             tier=Tier.LITTLE_GIANT, region_code=PROVINCE,
                             opens_on=day - dt.timedelta(days=20), deadline=day + dt.timedelta(days=20))
    for ent, steps in zip(holders, [(county, city, province), (county, city)], strict=False):
        _review(users, _submit(lg, ent, day), *steps)

    # An innovative-SME round (no title required): at the county, returned by the city, and rejected by the
    # county for a firm that holds a valid 专精特新 title (such firms do not take part, tiers.md §3).
    inn = services.round_open(actor=p, name=f"{DEMO_ROUND_PREFIX}广东省{day.year}年创新型中小企业评价（第二批）",
                              tier=Tier.INNOVATIVE_SME, region_code=PROVINCE,
                              opens_on=day - dt.timedelta(days=15), deadline=day + dt.timedelta(days=30))
    in_stages = [
        (),  # at the county
        (county, ("demo-city", "return", "研发费用占比计算有误，请补充专项审计报告后重新提交。")),
    ]
    for ent, steps in zip(others[::-1], in_stages, strict=False):
        _review(users, _submit(inn, ent, day), *steps)
    for ent in holders[-1:]:
        _review(users, _submit(inn, ent, day),
                ("demo-county", "reject", "该企业为有效期内的专精特新中小企业，按规定不参加创新型中小企业评价。"))
    return {"rounds": 5, "applications": Application.objects.filter(round__name__startswith=DEMO_ROUND_PREFIX).count(),
            "recognitions": len(recognitions) + len(holders)}


def _may_apply(ent: Enterprise, tier: str, day: dt.date, fiscal_year: int | None = None) -> bool:
    """Whether `ent` holds, on `day`, the title applying for `tier` requires (a platform record, or declared)."""
    year = fiscal_year or _latest_year(ent)
    record, marks = evaluation_record_with_marks(ent, year + 1, as_of=day)
    try:
        require_prerequisite(tier=tier, record=record, marks=marks, as_of=day, fiscal_year=year)
    except JourneyError:
        return False
    return True


def _seed_specialised_titles(users: dict[str, Any], firms: list[Enterprise], *, day: dt.date) -> list[Enterprise]:
    """A specialised round of a year ago, recognised after publicity: `firms` (those that could apply then)
    hold 专精特新 titles on the platform, so they may apply for little giant now. Returns those firms."""
    p = users["demo-province"]
    decided_on = services.add_years(day, -1)
    opens_on = decided_on - dt.timedelta(days=90)
    submitted_on = opens_on + dt.timedelta(days=3)
    chosen = [f for f in firms if _may_apply(f, Tier.SPECIALIZED_SME, submitted_on, _year_before(f, submitted_on))]
    if not chosen:
        return []
    past = services.round_open(actor=p, name=f"{DEMO_ROUND_PREFIX}广东省{opens_on.year}年专精特新中小企业认定（第一批）",
                               tier=Tier.SPECIALIZED_SME, region_code=PROVINCE,
                               opens_on=opens_on, deadline=opens_on + dt.timedelta(days=30), today=opens_on)
    for ent in chosen:
        _review(users, _submit(past, ent, submitted_on, _year_before(ent, submitted_on)),
                ("demo-county", "approve", OK), ("demo-city", "approve", OK), ("demo-province", "approve", OK))
    services.round_close(actor=p, rnd=past)
    published_on = next_working_day(past.deadline + dt.timedelta(days=13))
    pub = services.publicity_publish(actor=p, rnd=past, starts_on=published_on, today=published_on)
    titles = services.publicity_decide(actor=p, publicity=pub, today=max(pub.ends_on + dt.timedelta(days=1), decided_on))
    return [t.enterprise for t in titles]
