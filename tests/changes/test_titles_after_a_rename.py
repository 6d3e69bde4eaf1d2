"""Titles keep the name and region they were granted under. The public list, the API, the certificate and
the public verification page (证书核验) show the firm's current approved name — never an unapproved one —
and the granted name as 原名称 once it differs; the certificate names its issuing authority and issue date,
notes the approved rename and carries a QR code of its verification page."""

from __future__ import annotations

import datetime as dt
import re

import pypdfium2 as pdfium
import pytest
from change_support import LICENCE
from django.utils import timezone

from pdf_check import read_pdf
from tidu.changes import services as changes
from tidu.changes.services import ChangeInput
from tidu.journey import services
from tidu.journey.authorities import authority_of_region, issuing_authority
from tidu.journey.models import Recognition, Tier
from tidu.journey.testing import World
from tidu.regions.models import Region

pytestmark = pytest.mark.django_db

NEW = "深圳市梯度更名科技有限公司"


def recognise_a(world: World) -> Recognition:
    world.approved("A")
    pub = services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME],
                                     today=timezone.localdate() - dt.timedelta(days=30))
    [rec] = services.publicity_decide(actor=world.users["province"], publicity=pub)
    return rec


def file_rename(world: World) -> object:
    data = ChangeInput(kinds=["name"], effective_on=timezone.localdate() - dt.timedelta(days=3),
                       explanation="更名", new_name=NEW)
    return changes.change_report_file(actor=world.users["firm_a"], data=data, files=[LICENCE])


def pdf_text(world: World, rec: Recognition) -> str:
    content = world.client("firm_a").get(f"/journey/recognitions/{rec.pk}/certificate.pdf").content
    return re.sub(r"\s", "", read_pdf(content).text)


def test_a_title_records_the_name_and_region_it_was_granted_under(world: World) -> None:
    rec = recognise_a(world)
    assert (rec.granted_name, rec.granted_region_id) == ("企业A有限公司", "440305")
    assert rec.former_name == ""


def test_the_list_and_api_keep_the_old_name_until_the_county_approves_then_show_both(world: World) -> None:
    rec = recognise_a(world)
    report = file_rename(world)
    anon = world.client("anon")
    page = anon.get("/recognitions/").content.decode()
    [item] = anon.get("/api/v1/journey/recognitions").json()["items"]
    assert "企业A有限公司" in page and NEW not in page and "原名称" not in page
    assert item["name"] == "企业A有限公司" and item["former_name"] is None
    assert NEW not in pdf_text(world, rec)

    changes.change_report_review(actor=world.users["county"], report=report, action="approve")
    page = anon.get("/recognitions/").content.decode()
    [item] = anon.get("/api/v1/journey/recognitions").json()["items"]
    assert NEW in page and "原名称：企业A有限公司" in page
    assert item["name"] == NEW and item["former_name"] == "企业A有限公司"
    assert anon.get("/api/v1/journey/recognitions?q=企业A").json()["count"] == 1  # found by its old name too
    assert Recognition.objects.get(pk=rec.pk).granted_name == "企业A有限公司"


def test_the_certificate_shows_authority_issue_date_current_name_and_the_approved_rename(world: World) -> None:
    rec = recognise_a(world)
    report = file_rename(world)
    changes.change_report_review(actor=world.users["county"], report=report, action="approve")
    text = pdf_text(world, Recognition.objects.get(pk=rec.pk))
    day = timezone.localdate()
    assert "发证机关广东省工业和信息化厅" in text
    assert f"发证日期{rec.valid_from.year}年{rec.valid_from.month}月{rec.valid_from.day}日" in text
    assert f"企业名称{NEW}" in text
    assert f"于{day.year}年{day.month}月{day.day}日经核准由“企业A有限公司”更名为“{NEW}”" in text
    assert f"/verify/{rec.number}/" in text and "扫码核验证书" in text


def test_the_certificate_carries_a_qr_code_of_its_verification_page(world: World, settings: object) -> None:
    from reportlab.graphics.barcode.qr import QrCodeWidget

    rec = recognise_a(world)
    settings.TIDU_PUBLIC_URL = "https://tidu.example.gov.cn"  # type: ignore[attr-defined]
    content = world.client("firm_a").get(f"/journey/recognitions/{rec.pk}/certificate.pdf").content
    url = f"https://tidu.example.gov.cn/verify/{rec.number}/"
    assert url in re.sub(r"\s", "", read_pdf(content).text)
    # Read the code back from the page's pixels: every module of the QR code of that URL, dark or light, is
    # sampled at its centre on the rendered page (drawn at x = 210-32-30 mm, y = 36 mm, 30 mm wide).
    widget = QrCodeWidget(url, barLevel="M")
    widget.qr.make()
    modules = widget.qr.modules
    n, border = len(modules), widget.barBorder
    page = pdfium.PdfDocument(content)[0]
    scale = 6
    image = page.render(scale=scale, grayscale=True).to_pil()
    mm = 72 / 25.4
    left, top, size = (210 - 62) * mm, (297 - 36 - 30) * mm, 30 * mm  # PDF points from the top-left
    step = size / (n + 2 * border)
    wrong = 0
    for row in range(n):
        for col in range(n):
            x = (left + (border + col + 0.5) * step) * scale
            y = (top + (border + row + 0.5) * step) * scale
            dark = image.getpixel((int(x), int(y))) < 128
            wrong += dark != bool(modules[row][col])
    assert n >= 25 and wrong == 0


@pytest.mark.parametrize(("code", "name"), [("440000", "广东省工业和信息化厅"), ("110000", "北京市经济和信息化局"),
                                            ("310000", "上海市经济和信息化委员会"), ("450000", "广西壮族自治区工业和信息化厅"),
                                            ("440300", "广东省深圳市工业和信息化局")])
def test_the_issuing_authority_comes_from_the_issuing_region(code: str, name: str) -> None:
    assert authority_of_region(Region.objects.get(code=code)) == name


def test_little_giants_are_issued_by_the_ministry(world: World) -> None:
    rec = Recognition(enterprise=world.firms["A"], tier=Tier.LITTLE_GIANT, issuing_region_id="440000")
    assert issuing_authority(rec) == "工业和信息化部"


def test_the_verification_page_shows_only_public_fields(world: World) -> None:
    rec = recognise_a(world)
    report = file_rename(world)
    changes.change_report_review(actor=world.users["county"], report=report, action="approve")
    response = world.client("anon").get(f"/verify/{rec.number}/")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="verify-state"><strong>有效<' in page
    for shown in (rec.number, "专精特新中小企业", NEW, "原名称：企业A有限公司", "广东省深圳市南山区",
                  f"{rec.valid_from:%Y-%m-%d} 至 {rec.valid_until:%Y-%m-%d}"):
        assert shown in page, shown
    for hidden in (world.firms["A"].credit_code, "777", "98765", "county的机构"):
        assert hidden not in page, hidden


def test_the_verification_page_says_revoked_and_expired_and_finds_typed_numbers(world: World) -> None:
    rec = recognise_a(world)
    services.recognition_revoke(actor=world.users["province"], recognition=rec, reason="申报数据弄虚作假")
    page = world.client("anon").get(f"/verify/{rec.number}/").content.decode()
    assert 'id="verify-state"><strong>已撤销<' in page and "不再有效" in page
    assert "弄虚作假" not in page  # the reason is not part of the public list
    typed = world.client("anon").get("/verify/", {"number": f" {rec.number.lower()} "}, follow=True)
    assert typed.redirect_chain[-1][0] == f"/verify/{rec.number}/" and "已撤销" in typed.content.decode()
    Recognition.objects.filter(pk=rec.pk).update(revoked_at=None, valid_until=timezone.localdate() - dt.timedelta(1))
    assert "<strong>已过期<" in world.client("anon").get(f"/verify/{rec.number}/").content.decode()
    missing = world.client("anon").get("/verify/44-ZJTX-1999-99999/")
    assert missing.status_code == 404 and "未找到编号为" in missing.content.decode()
