"""The recognition certificate (认定证书): a PDF in Chinese with the embedded font, for the firm itself and
the officials whose jurisdiction holds it; a revoked title prints 已撤销 plainly; linked from the firm's
pages and the officials' recognitions page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from pdf_check import rasterise, read_pdf
from tidu.journey import services
from tidu.journey.models import Recognition, Tier
from tidu.journey.testing import World
from tidu.regions.models import Region

pytestmark = pytest.mark.django_db

WHO_GETS_A = {"firm_a": 200, "firm_b": 404, "county": 200, "county_c": 404, "city": 200, "city_gz": 404,
              "province": 200, "province_zj": 404, "national": 200, "admin": 200, "large": 404, "provider": 404}


def title_of_a(world: World, tier: str = Tier.SPECIALIZED_SME) -> Recognition:
    today = timezone.localdate()
    return Recognition.objects.create(
        enterprise=world.firms["A"], tier=tier, number="44-ZJTX-2026-00042",
        issuing_region=Region.objects.get(code="440000"), valid_from=today - dt.timedelta(days=10),
        valid_until=services.add_years(today, 3) - dt.timedelta(days=11),
    )


def text_of(content: bytes) -> str:
    return re.sub(r"\s", "", read_pdf(content).text)


@pytest.mark.parametrize(("who", "status"), WHO_GETS_A.items())
def test_only_the_firm_and_officials_of_its_jurisdiction_download_the_certificate(
    world: World, who: str, status: int
) -> None:
    rec = title_of_a(world)
    page = world.client(who).get(f"/journey/recognitions/{rec.pk}/certificate.pdf")
    api = world.bearer(who).get(f"/api/v1/journey/recognitions/{rec.pk}/certificate")
    assert page.status_code == status and api.status_code == status
    if status == 200:
        assert page["Content-Type"] == api["Content-Type"] == "application/pdf"
        assert page.content.startswith(b"%PDF") and rec.number in page["Content-Disposition"]
    else:
        assert rec.number.encode() not in page.content + api.content


def test_anonymous_users_log_in_first_and_the_api_wants_a_token(world: World) -> None:
    rec = title_of_a(world)
    page = world.client("anon").get(f"/journey/recognitions/{rec.pk}/certificate.pdf")
    assert page.status_code == 302 and "/login/" in page["Location"]
    assert world.client("anon").get(f"/api/v1/journey/recognitions/{rec.pk}/certificate").status_code == 401


def test_the_certificate_shows_its_facts_in_chinese_with_real_glyphs(world: World) -> None:
    rec = title_of_a(world)
    content = world.client("firm_a").get(f"/journey/recognitions/{rec.pk}/certificate.pdf").content
    pdf = read_pdf(content)
    text = text_of(content)
    assert pdf.embedded >= 1  # the font travels with the file: readable on any machine
    for fact in ("认定证书", "企业A有限公司", world.firms["A"].credit_code, "专精特新中小企业", rec.number,
                 "广东省", f"{rec.valid_from:%Y年%m月%d日}至{rec.valid_until:%Y年%m月%d日}", "特发此证"):
        assert fact in text, fact
    assert "已撤销" not in text and "已过期" not in text
    chinese = {c for c in pdf.text if "\u4e00" <= c <= "\u9fff"}
    assert len(chinese) > 30
    assert chinese <= pdf.outlined, "every Chinese character has a real glyph outline (no tofu)"
    shown = rasterise(content, artifact="certificate")  # painted with no Chinese font installed
    assert shown.problems(pdf.text) == []
    assert "认定证书" in re.sub(r"\s", "", shown.text) and "特发此证" in shown.text


def test_a_revoked_title_prints_revoked_with_its_reason_and_no_longer_claims_validity(world: World) -> None:
    rec = title_of_a(world)
    services.recognition_revoke(actor=world.users["province"], recognition=rec, reason="申报数据弄虚作假")
    text = text_of(world.client("firm_a").get(f"/journey/recognitions/{rec.pk}/certificate.pdf").content)
    assert "已撤销" in text and "申报数据弄虚作假" in text and "不再有效" in text
    assert "特发此证" not in text


def test_an_expired_title_prints_expired(world: World) -> None:
    rec = title_of_a(world)
    rec.valid_until = timezone.localdate() - dt.timedelta(days=1)
    rec.save()
    text = text_of(world.bearer("county").get(f"/api/v1/journey/recognitions/{rec.pk}/certificate").content)
    assert "已过期" in text and "特发此证" not in text


def test_the_certificate_is_linked_from_the_firms_pages_and_the_officials_recognitions_page(world: World) -> None:
    rec = title_of_a(world)
    url = f"/journey/recognitions/{rec.pk}/certificate.pdf"
    assert url in world.client("firm_a").get("/journey/").content.decode()
    assert url in world.client("firm_a").get("/ladder/").content.decode()  # 我的梯度
    assert url in world.client("province").get("/journey/recognitions/").content.decode()
    assert url not in world.client("firm_b").get("/journey/").content.decode()
