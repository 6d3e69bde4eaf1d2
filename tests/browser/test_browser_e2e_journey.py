"""The whole climb in one browser test, every step through the pages its users use.

A Shenzhen firm self-assesses on 我的梯度, tries a what-if (htmx, no reload), downloads its diagnosis
PDF and applies in the province's open 专精特新 round (uploads its licence and audit report, locks the
application, downloads the 申报书 carrying the record's checksum, uploads the stamped scan, submits); the
Nanshan county, the Shenzhen city and the
Guangdong province officials each log in, find it in their queue and approve it with a comment; the
province publishes the publicity list; once the period is over the province records the decision and
the firm appears, without any figure, on the public list /recognitions/.

Only the passing of time is not a click: the `clock` fixture moves `django.utils.timezone.now` (the
live server is a thread of this process), from which every "today" of the journey and the ladder is
derived. Screenshots of each step: test-artifacts/e2e-NN-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import log_in, upload_material
from django.utils import timezone
from playwright.sync_api import Page, expect

from pdf_check import read_pdf
from tidu.core.testing import PASSWORD, make_user
from tidu.enterprises.models import EnterpriseYear
from tidu.journey.services import add_years
from tidu.ladder.testing import make_climbing_firm

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIRM = "深圳市梯度精密制造有限公司"
ROUND = "广东省专精特新中小企业申报（第二批）"
ATTACHMENT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Clock:
    """Simulated time for the live server: `advance_to(day)` makes `day` the server's today.

    `timezone.localdate()` reads `timezone.now()` through the module, so moving `now` moves every
    "today" of the journey (services, views, selectors) and of the ladder (`today_shanghai`).
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self._real_now = timezone.now

    def advance_to(self, day: dt.date) -> None:
        shift = dt.timedelta(days=(day - timezone.localdate(self._real_now())).days)
        real_now = self._real_now
        self._monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)
        assert timezone.localdate() == day


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def people(settings: Any, tmp_path: Path) -> dict[str, Any]:
    """A Nanshan manufacturer whose latest year qualifies for 专精特新 (R&D 300万元 on 6000万元 revenue),
    its staff account, and one official at each level above it."""
    settings.VAR_DIR = tmp_path  # the uploaded attachment stays out of the developer's var/
    firm = make_climbing_firm("440305", name=FIRM)
    latest = EnterpriseYear.objects.filter(enterprise=firm).order_by("-fiscal_year").first()
    assert latest is not None
    latest.rd = 3_000_000
    latest.save()
    return {
        "firm": firm, "fiscal_year": latest.fiscal_year,
        "firm_user": make_user("tidu-firm", "enterprise", enterprise=firm),
        "county": make_user("nanshan-county", "government", level="county", region="440305"),
        "city": make_user("shenzhen-city", "government", level="city", region="440300"),
        "province": make_user("guangdong-province", "government", level="province", region="440000"),
    }


def score_of(page: Page, standard: str) -> str:
    """The verdict and score of one standard in the summary card, e.g. "符合 85–95分"."""
    cell = page.locator("#summary .ladder-summary > div").filter(has=page.locator(f'[data-standard="{standard}"]'))
    return re.sub(r"\s+", " ", cell.inner_text()).strip()


def approve_in_queue(page: Page, username: str, comment: str, next_status: str) -> None:
    """An official logs in, finds the application waiting at their level and approves it."""
    log_in(page, username, PASSWORD)
    page.goto("/journey/queue/")
    row = page.locator("#queue tbody tr", has_text=FIRM)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("专精特新中小企业")
    row.get_by_role("link", name=FIRM).click()
    expect(page.locator("#review")).to_be_visible()
    page.fill("#comment", comment)
    page.locator("#review").get_by_role("button", name="通过", exact=True).click()
    expect(page.locator("#app-status")).to_contain_text(next_status)
    expect(page.locator("ol.steps")).to_contain_text(comment)
    expect(page.locator("#review")).to_have_count(0)  # their step is done: nothing left to act on


def test_a_firm_climbs_from_self_assessment_to_the_public_list(
    page: Page, people: dict[str, Any], clock: Clock, screenshot: Callable[[str], Path]
) -> None:
    today = timezone.localdate()

    # -- The province opens an application round for 专精特新 in Guangdong.
    log_in(page, "guangdong-province", PASSWORD)
    page.goto("/journey/rounds/")
    page.fill("#r-name", ROUND)
    page.select_option("#r-tier", "specialized_sme")
    expect(page.locator("#r-region")).to_have_value("440000")
    page.fill("#r-deadline", (today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="开启批次").click()
    expect(page.locator("tr", has_text=ROUND)).to_contain_text("专精特新中小企业")
    screenshot("e2e-01-round-opened")

    # -- The firm self-assesses on 我的梯度.
    log_in(page, "tidu-firm", PASSWORD)
    page.get_by_role("link", name="我的梯度").first.click()
    expect(page).to_have_url(re.compile(r"/ladder/$"))
    expect(page.locator('#summary [data-standard="specialized_sme"]')).to_have_text("符合")
    expect(page.locator("#tiers")).to_contain_text("目前可达到的最高梯度：专精特新中小企业")
    expect(page.locator("#std-innovative_sme svg").first).to_be_visible()  # the chart of its scoring groups
    saved_score = score_of(page, "innovative_sme")
    assert re.search(r"\d+(–\d+)?分", saved_score), saved_score
    screenshot("e2e-02-self-assessment")

    # -- What if R&D fell back to 60万元? The verdict and score change in place (htmx, no reload).
    page.evaluate("window.__same_page = true")  # gone if the browser loaded a new document
    page.fill("#wi-rd_y1", "60")
    with page.expect_response(lambda r: r.url.endswith("/ladder/what-if/") and r.request.method == "POST"):
        page.get_by_role("button", name="重新评估").click()
    expect(page.locator("#what-if-note")).to_be_visible()
    expect(page.locator('#summary [data-standard="specialized_sme"]')).to_have_text("不符合")
    expect(page.locator("#tiers")).not_to_contain_text("目前可达到的最高梯度：专精特新中小企业")
    what_if_score = score_of(page, "innovative_sme")
    assert re.search(r"\d+(–\d+)?分", what_if_score) and what_if_score != saved_score, what_if_score
    assert page.evaluate("window.__same_page === true"), "the results were swapped in, not reloaded"
    expect(page.locator("#wi-rd_y1")).to_have_value("60")
    screenshot("e2e-03-what-if")

    # -- Back to the saved figures; the diagnosis PDF is of those.
    page.get_by_role("link", name="恢复为已填报数据").click()
    expect(page.locator('#summary [data-standard="specialized_sme"]')).to_have_text("符合")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载诊断报告（PDF）").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf_path = download.path()
    assert pdf_path is not None
    data = Path(pdf_path).read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    report = re.sub(r"\s", "", read_pdf(data).text)
    for text in ("梯度培育诊断报告", FIRM, "专精特新中小企业", "改进建议"):
        assert text in report, text
    screenshot("e2e-04-report-downloaded")

    # -- The firm applies in the open round for the fiscal year it has just assessed.
    page.goto("/journey/")
    offer = page.locator("form.round-apply", has_text=ROUND)
    offer.get_by_label("数据所属会计年度").fill(str(people["fiscal_year"]))
    screenshot("e2e-05-open-round")
    offer.get_by_role("button", name="申报").click()
    expect(page.locator("#app-status")).to_contain_text("草稿")

    # Before signing, it checks the figures the submission will freeze, shown on the draft itself.
    rd = page.locator("#to-freeze tr", has=page.locator('td[data-field="rd_y1"]'))
    expect(rd.locator("td").first).to_have_text(f"研发费用总额（{people['fiscal_year']}年）")
    expect(rd.locator("td").nth(1)).to_have_text("300 万元")  # what 我的梯度 assessed, not the what-if
    expect(rd.locator('td[data-field="rd_y1"]')).to_contain_text("自报")
    screenshot("e2e-06-figures-to-confirm")

    upload_material(page, "business_licence", "营业执照.pdf", ATTACHMENT)
    upload_material(page, "financial_report", "审计报告.pdf", ATTACHMENT + b"% audit report\n")
    page.check("#commitment")
    screenshot("e2e-07-commitment-signed")
    page.get_by_role("button", name="锁定并生成申报书").click()
    checksum = page.locator("#fingerprint").get_attribute("title") or ""
    assert re.fullmatch(r"[0-9a-f]{64}", checksum)
    with page.expect_download() as form_info:
        page.locator("#application-form").click()
    form_path = form_info.value.path()
    assert form_path is not None
    form = re.sub(r"\s", "", read_pdf(Path(form_path).read_bytes()).text)
    assert checksum in form and FIRM in form and "300万元" in form
    upload_material(page, "stamped_form", "盖章申报书.pdf", ATTACHMENT + b"% stamped " + checksum.encode() + b"\n")
    page.locator("#submit").get_by_role("button", name="提交申报").click()
    expect(page.locator("#app-status")).to_contain_text("县级审核中")
    expect(page.locator("#assessment p strong").first).to_have_text("满足")  # the frozen verdict for 专精特新
    screenshot("e2e-08-submitted")

    # -- County, city and province approve in turn, each from their own queue.
    approve_in_queue(page, "nanshan-county", "南山区工信局初审：材料齐全，同意推荐。", "市级审核中")
    screenshot("e2e-09-county-approved")
    approve_in_queue(page, "shenzhen-city", "深圳市工信局复核：同意上报省级。", "省级审核中")
    screenshot("e2e-10-city-approved")
    approve_in_queue(page, "guangdong-province", "广东省工信厅审定：同意认定，进入公示。", "审核通过")
    screenshot("e2e-11-province-approved")

    # -- The province publishes the approved list for publicity.
    page.goto("/journey/rounds/")
    page.locator("tr", has_text=ROUND).get_by_role("button", name="发布公示（1 家）").click()
    expect(page.get_by_role("cell", name=FIRM)).to_be_visible()
    period = page.get_by_text(re.compile(r"公示期：\d{4}-\d\d-\d\d 至 \d{4}-\d\d-\d\d")).inner_text()
    ends_on = dt.date.fromisoformat(re.findall(r"\d{4}-\d\d-\d\d", period)[1])
    assert ends_on > today
    expect(page.locator("body")).to_contain_text(f"公示期满（{ends_on:%Y-%m-%d} 之后）方可作出认定决定")
    publicity_url = page.url
    screenshot("e2e-12-publicity")

    # While publicity runs the public sees the list under way, but no recognition yet.
    page.context.clear_cookies()
    page.goto("/recognitions/")
    expect(page.get_by_role("link", name=re.compile("拟认定名单公示"))).to_be_visible()
    expect(page.locator("#recognitions tbody tr", has_text=FIRM)).to_have_count(0)

    # -- Simulated time: the day after the publicity period ends.
    decided_on = ends_on + dt.timedelta(days=1)
    clock.advance_to(decided_on)

    log_in(page, "guangdong-province", PASSWORD)
    page.goto(publicity_url)
    page.get_by_role("button", name="公示期满，作出认定决定").click()
    expect(page.locator(".messages")).to_contain_text("已认定 1 家企业")
    screenshot("e2e-13-decision-recorded")

    # -- The public list names the firm, its region, tier and validity, and no figure at all.
    page.context.clear_cookies()
    page.goto("/recognitions/")
    row = page.locator("#recognitions tbody tr", has_text=FIRM)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("南山区")
    expect(row).to_contain_text("专精特新中小企业")
    valid_until = add_years(decided_on, 3) - dt.timedelta(days=1)  # three years, the day before
    expect(row).to_contain_text(f"{decided_on:%Y-%m-%d} 至 {valid_until:%Y-%m-%d}")
    headers = [h.strip() for h in page.locator("#recognitions thead th").all_inner_texts()]
    assert headers == ["企业名称", "所在地区", "梯度层级", "有效期"]
    public = page.locator("body").inner_text()
    for figure in ("6000", "6,000", "60000000", "300.00", "3000000", "营业收入", "研发费用", "得分"):
        assert figure not in public, figure
    screenshot("e2e-14-public-list")

    # -- The firm sees its new title, with the days left, on 我的梯度.
    log_in(page, "tidu-firm", PASSWORD)
    page.goto("/ladder/")
    title = page.locator("#recognitions tr", has_text="专精特新中小企业")
    expect(title).to_contain_text(f"{valid_until:%Y-%m-%d}")
    expect(title).to_contain_text(str((valid_until - decided_on).days))
    screenshot("e2e-15-firm-recognised")
