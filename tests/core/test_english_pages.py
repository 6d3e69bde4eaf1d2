"""With English chosen in the language switch, a page of each app speaks English: the journey (a
firm's applications and the public list), 我的梯度, the digital-level assessment, the scenario library
and the recommendations the matching engine ranks."""

from __future__ import annotations

import pytest
from django.test import Client

from tidu.core.testing import make_user
from tidu.ladder.testing import make_climbing_firm
from tidu.scenarios.services import library_seed_samples

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.fixture
def firm_client() -> Client:
    firm = make_climbing_firm(name="深圳市英文界面测试有限公司")
    client = Client()
    client.force_login(make_user("en-staff", "enterprise", enterprise=firm))
    return english(client)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body: str = response.content.decode()
    assert '<html lang="en">' in body
    return body


@pytest.mark.parametrize(("url", "english_texts", "chinese_gone"), [
    ("/journey/", ["Applications and recognition", "Recognitions held", "Rounds open to you", "My applications"],
     ["申报与认定", "可申报的批次", "我的申报"]),
    ("/ladder/", ["My ladder", "What if", "Re-assess", "Back to my saved figures", "Overview",
                  "Download the diagnosis report (PDF)", "Highest tier reached", "Revenue, last year",
                  'data-standard="specialized_sme">does not qualify<'],
     ["假设分析", "重新评估", "评估概览", "目前可达到的最高梯度", "上年营业收入"]),
    ("/digital/", ["Digital level assessment", "Start the assessment"], ["数字化水平评测", "开始评测"]),
    ("/scenarios/", ["AI scenario library", "Search"], ["AI应用场景库"]),
    ("/scenarios/recommend/?q=次品多，想用机器视觉质检", ["AI scenarios recommended for you", "Recommend"],
     ["为您推荐的AI应用场景"]),
])
def test_a_firms_pages_render_in_english(firm_client: Client, url: str, english_texts: list[str],
                                         chinese_gone: list[str]) -> None:
    library_seed_samples()
    body = page(firm_client, url)
    for text in english_texts:
        assert text in body, (url, text)
    for text in chinese_gone:
        assert text not in body, (url, text)


def test_the_public_list_renders_in_english() -> None:
    body = page(english(Client()), "/recognitions/")
    assert "Recognised firms" in body and "Firm name or number" in body and "认定企业名单</h1>" not in body


def test_the_language_switch_back_restores_chinese(firm_client: Client) -> None:
    assert "What if" in page(firm_client, "/ladder/")
    firm_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = firm_client.get("/ladder/").content.decode()
    assert "假设分析" in body and "What if" not in body
