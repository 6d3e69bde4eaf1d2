"""The audit trail reads as sentences: who (role and name), when, what, and before → after in words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tidu.core.audit import audit_record
from tidu.core.audit_text import SENTENCES, describe, describe_all
from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise, make_user, make_year
from tidu.enterprises.services import enterprise_year_save
from tidu.journey import services
from tidu.journey.testing import build_world

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "tidu"
# f-string kinds and the values their placeholder takes (ReviewAction; library_import's `kind`)
EXPANSIONS = {
    'f"journey.review.{action}"': ["journey.review.approve", "journey.review.return", "journey.review.reject"],
    'f"journey.rereview.{action}"': ["journey.rereview.approve", "journey.rereview.return", "journey.rereview.reject"],
    'f"{kind}.import"': ["scenarios.import", "paths.import"],
}


def kinds_in_the_code() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        # the filing workflow writes f"{flow.audit_prefix}.{action}" for every kind of filing it serves
        for prefix in re.findall(r'audit_prefix="([^"]+)"', text):
            found.update(f"{prefix}.{action}" for action in ("approve", "return", "reject"))
        for call in re.finditer(r"audit_record\((.*?)\)\n", text, flags=re.S):
            args = call.group(1)
            for fstring, kinds in EXPANSIONS.items():
                if fstring in args:
                    found.update(kinds)
            m = re.search(r'action=("[^"]+")(?: if \w+ else ("[^"]+"))?', args)
            if m:
                found.update(g.strip('"') for g in m.groups() if g)
    return found


def test_every_audit_kind_written_by_the_code_has_a_chinese_sentence() -> None:
    kinds = kinds_in_the_code()
    assert {"journey.review.reject", "enterprise_year.update", "api_token.create"} <= kinds  # the scan works
    missing = sorted(k for k in kinds if k not in SENTENCES)
    assert missing == []
    for sentence in SENTENCES.values():
        words = re.sub(r"\{\w+\}|API|AI", "", sentence)  # placeholders; API and AI are the Chinese usage
        assert not re.search(r"[A-Za-z]{2,}", words), sentence


def test_a_county_officials_rejection_names_the_official_the_firm_the_tier_and_the_comment() -> None:
    world = build_world()
    county = world.users["county"]
    county.first_name, county.last_name = "三", "张"  # Chinese full name: 张三
    county.save()
    app = world.submitted("A")
    services.application_review(actor=county, application=app, action="reject", comment="研发费用归集不规范")
    event = AuditEvent.objects.get(action="journey.review.reject")
    line = describe(event)
    assert line.sentence == "县级审核人 张三 不予通过 企业A有限公司 的专精特新中小企业申报，意见：研发费用归集不规范"

    page = world.client("county").get("/journey/audit/").content.decode()
    assert "县级审核人 张三 不予通过 企业A有限公司 的专精特新中小企业申报，意见：研发费用归集不规范" in page
    assert "journey.review.reject" not in re.sub(r'data-action="[^"]*"', "", page)
    assert '{"status"' not in page and "&quot;status&quot;" not in page


def test_a_figure_change_shows_before_and_after_in_wan_on_the_officials_year_page() -> None:
    firm = make_enterprise("440305", name="某某精密有限公司")
    staff = make_user("yr-staff", "enterprise", enterprise=firm)
    make_year(firm, 2025, revenue=50_000_000, rd_inst_level="city")
    enterprise_year_save(actor=staff, enterprise=firm, fiscal_year=2025,
                         values={"revenue": 52_345_600, "rd_inst_level": "national"})
    official = Client()
    official.force_login(make_user("yr-county", "government", level="county", region="440305"))
    body = official.get(f"/enterprises/{firm.pk}/years/2025/").content.decode()
    assert "企业用户 yr-staff 修改了 某某精密有限公司 2025年度数据" in body
    assert "营业收入（总额）：5,000 万元 → 5,234.56 万元" in body
    assert "建立研发机构级别：市级 → 国家级" in body


def test_an_unknown_future_kind_still_reads_as_a_sentence_never_as_json() -> None:
    firm = make_enterprise("440305", name="未来企业有限公司")
    audit_record(actor=None, action="future.thing.happened", target=firm, data={"x": {"nested": 1}})
    [line] = describe_all(AuditEvent.objects.filter(action="future.thing.happened"))
    assert line.sentence == f"系统 对 未来企业有限公司（{firm.credit_code}） 进行了操作"
    assert "{" not in line.sentence and "future" not in line.sentence
