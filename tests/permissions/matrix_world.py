"""The world the permission matrix runs in: one user per role, and two of every object a URL can name.

Side "own" belongs to the roles under test: firm A (南山, 440305) and the large enterprise, provider and
innovation platform of the matrix; it lies inside the county (南山), city (深圳) and province (广东) officials'
jurisdiction. Side "other" belongs to firm E (杭州西湖, 330106) and to a second large enterprise, provider
and platform working in Zhejiang, so it lies outside every official of the matrix. Built once per module
through the apps' own services (the journey world of `tidu.journey.testing` is the base).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from tidu.accounts.models import AccountRequest, RequestKind, RequestStatus
from tidu.accounts.services import api_token_create
from tidu.core.testing import make_enterprise, make_user
from tidu.journey import services as journey
from tidu.journey.models import Attachment, Tier
from tidu.journey.testing import SECRET_REVENUE, World, build_world

# role under test → username in the world (anonymous: no user)
ROLE_USERS: dict[str, str | None] = {
    "anonymous": None,
    "firm": "firm_a",
    "large": "large",
    "provider": "provider",
    "innovation": "innov",
    "county": "county",
    "city": "city",
    "province": "province",
    "admin": "admin",
}
ROLES = tuple(ROLE_USERS)
OFFICIALS = ("county", "city", "province")
SIDES = ("own", "other")
SIDE_REGION = {"own": "440305", "other": "330106"}
PDF = b"%PDF-1.4\n% evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class MatrixWorld:
    base: World
    users: dict[str, Any]
    # object kind → side → the object (or a plain value a URL takes, such as a credit code)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # role → API key
    # words that must never reach a role the policy refuses: side → firm name and figures
    secrets: dict[str, list[str]] = field(default_factory=dict)

    def put(self, kind: str, own: Any, other: Any) -> None:
        self.objects[kind] = {"own": own, "other": other}


def _zj_rounds(w: World, zj: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {tier: journey.round_open(
        actor=zj, name=f"浙江省{Tier(tier).label}申报", tier=tier, region_code="330000",
        opens_on=today - dt.timedelta(days=10), deadline=today + dt.timedelta(days=30)) for tier in Tier.values}


def _journey(w: World, m: MatrixWorld) -> None:
    gd_rounds = w.rounds
    zj_rounds = _zj_rounds(w, w.users["province_zj"])
    app_a = w.submitted("A")
    w.rounds = zj_rounds
    app_e = w.submitted("E")
    w.rounds = gd_rounds
    m.put("round", gd_rounds[Tier.SPECIALIZED_SME], zj_rounds[Tier.SPECIALIZED_SME])
    m.put("application", app_a, app_e)
    m.put("attachment", Attachment.objects.filter(application=app_a).first(),
          Attachment.objects.filter(application=app_e).first())
    rec_a, rec_e = w.imported_title("A"), w.imported_title("E")
    m.put("recognition", rec_a, rec_e)
    m.put("recognition_number", rec_a.number, rec_e.number)


def _accounts(w: World, m: MatrixWorld) -> None:
    m.put("token", api_token_create(user=m.users["firm_a"], name="own")[0],
          api_token_create(user=m.users["firm_e"], name="other")[0])
    reqs = {}
    for side, region in SIDE_REGION.items():
        ent = make_enterprise(region, name=f"待认领企业{side}有限公司")
        claimant = make_user(f"claimant_{side}")
        reqs[side] = AccountRequest.objects.create(
            kind=RequestKind.CLAIM, status=RequestStatus.PENDING, user=claimant, enterprise=ent,
            review_region_id=region, credit_code=ent.credit_code, name=ent.name, region_id=region,
            industry_code="C3484", contact_name="张三", contact_phone="13800000000", email=f"c_{side}@x.test")
    m.put("account_request", reqs["own"], reqs["other"])


def _changes(w: World, m: MatrixWorld) -> None:
    from tidu.changes.models import ChangeAttachment
    from tidu.changes.services import ChangeInput, change_report_file

    reports = {}
    for side, user in (("own", "firm_a"), ("other", "firm_e")):
        reports[side] = change_report_file(
            actor=m.users[user], files=[("新营业执照.pdf", PDF)],
            data=ChangeInput(kinds=["name"], effective_on=timezone.localdate(), explanation="更名",
                             new_name=f"更名后{side}科技有限公司"))
    m.put("change_report", reports["own"], reports["other"])
    m.put("change_attachment", ChangeAttachment.objects.filter(report=reports["own"]).first(),
          ChangeAttachment.objects.filter(report=reports["other"]).first())


def _top_answers(q: Any) -> dict[str, Any]:
    """The best answer to every question (as tests/digital's helper; kept here, that folder is not on the path)."""
    out: dict[str, Any] = {}
    for item in q.questions:
        if item.type == "level":
            out[item.id] = "4"
        elif item.type == "multi":
            out[item.id] = [o.id for o in item.options if not o.exclusive]
        else:
            out[item.id] = max(item.options, key=lambda o: o.points).id
    return out


def _digital(w: World, m: MatrixWorld) -> None:
    from tidu.digital.questionnaire import load_questionnaire
    from tidu.digital.services import assessment_start, assessment_submit

    answers = _top_answers(load_questionnaire("2024", "manufacturing"))
    done = {side: assessment_submit(actor=m.users[user], answers=answers, assessment=assessment_start(
        actor=m.users[user], enterprise=w.firms[key])) for side, user, key in (("own", "firm_a", "A"),
                                                                              ("other", "firm_e", "E"))}
    m.put("assessment", done["own"], done["other"])


def _notifications(w: World, m: MatrixWorld) -> None:
    from tidu.notifications.models import Notification

    m.put("notification", Notification.objects.create(recipient=m.users["firm_a"], title="提醒甲"),
          Notification.objects.create(recipient=m.users["firm_e"], title="提醒戊"))


def _jobs(w: World, m: MatrixWorld) -> None:
    from tidu.jobs.models import Job

    jobs = {}
    for side, user in (("own", "firm_a"), ("other", "firm_e")):
        jobs[side] = Job.objects.create(kind="export", owner=m.users[user])
        jobs[side].report_file.save(f"report-{side}.txt", ContentFile(b"rows"), save=True)
    m.put("job", jobs["own"], jobs["other"])


def _services(w: World, m: MatrixWorld) -> None:
    from tidu.service_catalog import services
    from tidu.service_catalog.services import OfferInput, ProviderInput, RequestInput

    u = m.users
    provs, offers, reqs = {}, {}, {}
    for side, (who, region, city, official, city_official, firm) in {
        "own": ("provider", "440305", "440300", "county", "city", "firm_a"),
        "other": ("provider_q", "330106", "330100", "county_hz", "city_hz", "firm_e"),
    }.items():
        p = services.provider_profile_save(actor=u[who], data=ProviderInput(
            region_code=region, intro=f"{side}咨询机构", contact_phone="0755-26000000"))
        provs[side] = services.provider_decide(actor=u[official], provider=p, approve=True)
        offer = services.offer_save(actor=u[who], data=OfferInput(
            title=f"专精特新申报辅导{side}", category="cultivation", description="逐项诊断。",
            how_to_request="在线提交。", response_days=3, region_codes=[city], free=True))
        services.offer_submit(actor=u[who], offer=offer)
        offers[side] = services.offer_decide(actor=u[city_official], offer=offer, approve=True)
        reqs[side] = services.request_submit(actor=u[firm], offer=offers[side], data=RequestInput(
            need="想了解申报条件", contact_name="王经理", contact_phone="13800000000"))
    m.put("provider", provs["own"], provs["other"])
    m.put("offer", offers["own"], offers["other"])
    m.put("service_request", reqs["own"], reqs["other"])


def _needs(w: World, m: MatrixWorld) -> None:
    from tidu.needs import services
    from tidu.needs.services import NeedInput, ResponseInput

    u = m.users
    needs, resps = {}, {}
    for side, (who, region, firm) in {"own": ("large", "440305", "firm_a"),
                                      "other": ("large2", "330106", "firm_e")}.items():
        need = services.need_save(actor=u[who], data=NeedInput(
            title=f"精密减速器国产化{side}", field="robotics", description="寻求国产谐波减速器配套。",
            indicators="传动误差不大于 1 弧分。", deadline=timezone.localdate() + dt.timedelta(days=30),
            region_code=region, budget_min=2_000_000, budget_max=5_000_000))
        needs[side] = services.need_publish(actor=u[who], need=need)
        resps[side] = services.response_submit(actor=u[firm], need=needs[side], data=ResponseInput(
            solution="谐波减速器方案。", team="研发工程师 8 人。"))
    m.put("need", needs["own"], needs["other"])
    m.put("need_response", resps["own"], resps["other"])


def _events(w: World, m: MatrixWorld) -> None:
    from tidu.events import services
    from tidu.events.services import EventInput, RegistrationInput, checkin_token

    u = m.users
    events, tokens = {}, {}
    for side, (official, region, large, firm) in {"own": ("city", "440300", "large", "firm_a"),
                                                  "other": ("city_hz", "330100", "large2", "firm_e")}.items():
        ev = services.event_create(actor=u[official], data=EventInput(
            title=f"融通对接会{side}", region_code=region, held_on=timezone.localdate() + dt.timedelta(days=20),
            venue="会展中心", starts_at=dt.time(9, 0), slots=3, tables=3))
        services.registration_submit(actor=u[large], event=ev, data=RegistrationInput(
            interests="传感器", fields="电子信息"))
        reg = services.registration_submit(actor=u[firm], event=ev, data=RegistrationInput(
            interests="传感器", tier="innovative"))
        events[side] = ev
        tokens[side] = checkin_token(reg)
    m.put("event", events["own"], events["other"])
    m.put("checkin_token", tokens["own"], tokens["other"])


def _techtransfer(w: World, m: MatrixWorld) -> None:
    from tidu.techtransfer import services
    from tidu.techtransfer.services import AchievementInput, IncubationInput, RequestInput, TransferInput

    u = m.users
    ach, reqs, transfers, incs = {}, {}, {}, {}
    for side, (who, firm, ent) in {"own": ("innov", "firm_a", w.firms["A"]),
                                   "other": ("innov_q", "firm_e", w.firms["E"])}.items():
        a = services.achievement_save(actor=u[who], data=AchievementInput(
            title=f"激光焊接工艺{side}", kind="process", field="manufacturing", maturity="industrial",
            description="薄壁精密零部件激光焊接工艺包。", modes=["licence", "joint"], keywords="激光焊接",
            industry_codes="C34", price_min_yuan=300_000, price_max_yuan=800_000))
        ach[side] = services.achievement_move(actor=u[who], achievement=a, action="list")
        reqs[side] = services.request_submit(actor=u[firm], achievement=ach[side], data=RequestInput(
            mode="licence", message="想试用", contact_name="王经理", contact_phone="13800000000"))
        transfers[side] = services.transfer_record(actor=u[who], data=TransferInput(
            achievement_id=ach[side].pk, mode="licence", contract_no=f"2026{side}0001",
            contract_on=timezone.localdate() - dt.timedelta(days=30), evidence="技术合同登记",
            credit_code=ent.credit_code))
        incs[side] = services.incubation_record(actor=u[who], data=IncubationInput(
            credit_code=ent.credit_code, since=timezone.localdate() - dt.timedelta(days=300)))
    m.put("achievement", ach["own"], ach["other"])
    m.put("transfer_request", reqs["own"], reqs["other"])
    m.put("transfer", transfers["own"], transfers["other"])
    m.put("incubation", incs["own"], incs["other"])
    m.put("platform_org", u["innov"].membership.organisation, u["innov_q"].membership.organisation)


def _policies(w: World, m: MatrixWorld) -> None:
    from tidu.policy_filings.models import PolicyAttachment
    from tidu.policy_filings.testing import make_policy, submitted

    u = m.users
    batch_own = make_policy(u["province"], code="pm-own", level="province", region="440000")
    batch_other = make_policy(u["province_zj"], code="pm-other", level="province", region="330000")
    m.put("policy", batch_own.policy, batch_other.policy)
    m.put("policy_batch", batch_own, batch_other)
    m.put("policy_code", batch_own.policy.code, batch_other.policy.code)
    f_own = submitted(u["firm_a"], batch_own.policy)
    f_other = submitted(u["firm_e"], batch_other.policy)
    m.put("policy_filing", f_own, f_other)
    m.put("policy_attachment", PolicyAttachment.objects.filter(filing=f_own).first(),
          PolicyAttachment.objects.filter(filing=f_other).first())


def _public(w: World, m: MatrixWorld) -> None:
    """Objects every role may read (scenarios, paths, news): one of each, on both sides."""
    from tidu.insights.services import refresh_standings
    from tidu.ladder.assessment import today_shanghai
    from tidu.news.demo import seed_news
    from tidu.news.models import Article, ArticleImage
    from tidu.rules.packs import repo_packs_dir
    from tidu.sandbox import engine as sandbox
    from tidu.sandbox.services import start_run
    from tidu.scenarios.models import IndustryPath, Scenario
    from tidu.scenarios.services import library_seed_samples

    seed_news()
    library_seed_samples()
    refresh_standings()  # the 梯度看板's charts
    scenario = Scenario.objects.order_by("pk").first()
    path = IndustryPath.objects.order_by("pk").first()
    article = Article.objects.visible().order_by("pk").first()
    image = ArticleImage.objects.order_by("pk").first()
    if scenario is not None:
        m.put("scenario_code", scenario.code, scenario.code)
    if path is not None:
        m.put("path_code", path.code, path.code)
    if article is not None:
        m.put("article", article, article)
    if image is not None:
        m.put("news_media", image.image.name, image.image.name)
    score = next(t for t in sandbox.thresholds(repo_packs_dir(), "innovative_sme", today_shanghai())
                 if t.field == "score")
    m.put("sandbox_run", start_run(user=m.users["province"], standard="innovative_sme", edits={score.id: "75"}),
          start_run(user=m.users["province_zj"], standard="innovative_sme", edits={score.id: "75"}))


def build_matrix_world() -> MatrixWorld:
    w = build_world()
    users = dict(w.users)
    users["innov"] = make_user("innov", "innovation")
    users["innov_q"] = make_user("innov_q", "innovation")
    users["large2"] = make_user("large2", "large")
    users["provider_q"] = make_user("provider_q", "provider")
    users["county_hz"] = make_user("county_hz", "government", level="county", region="330106")
    users["city_hz"] = make_user("city_hz", "government", level="city", region="330100")
    m = MatrixWorld(base=w, users=users)
    for ent in (w.firms["A"], w.firms["E"]):  # policy filings need a contact (before any cached lookup)
        ent.contact_name, ent.contact_phone = "联系人", "13800138000"
        ent.save(update_fields=["contact_name", "contact_phone"])
    m.put("enterprise", w.firms["A"], w.firms["E"])
    m.put("credit_code", w.firms["A"].credit_code, w.firms["E"].credit_code)
    m.put("fiscal_year", timezone.localdate().year - 1, timezone.localdate().year - 1)
    for part in (_journey, _accounts, _changes, _digital, _notifications, _jobs, _services, _needs, _events,
                 _techtransfer, _policies, _public):
        part(w, m)
    for role, username in ROLE_USERS.items():
        if username is not None:
            m.tokens[role] = api_token_create(user=users[username], name="matrix")[1]
    revenue = SECRET_REVENUE
    m.secrets = {side: [w.firms[key].name] for side, key in (("own", "A"), ("other", "E"))}
    for side in SIDES:
        # the secret revenue as pages show it (元 with separators, 万元) and as the API sends it
        m.secrets[side] += [f"{revenue:,}", str(revenue)]
    return m
