"""Every policy page, as every demo role that may open it, shows no internal code (the crawl of
tests/core stops at a page budget before it reaches them all)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from core.test_pages_speak_chinese import VisibleText, client_of, leaks
from tidu.accounts.demo import DEMO_USERS
from tidu.policies.models import Award, PolicyBatch

pytestmark = pytest.mark.django_db


def test_policy_pages_speak_chinese_to_every_role() -> None:
    call_command("seed_demo", firms=60, verbosity=0)
    urls = [
        "/policies/",
        "/policies/awards/",
        "/policies/mine/",
        "/policies/my-awards/",
        "/policies/manage/",
        "/policies/manage/payouts/",
        "/policies/manage/new/",
        "/policies/nat-rd-superdeduction-2023/",
        "/policies/sz-little-giant-reward/",
        "/policies/manage/ns-high-growth/",
        "/policies/manage/sz-rd-subsidy/",
    ]
    urls += [
        f"/policies/manage/batch/{b.pk}/push/" for b in PolicyBatch.objects.filter(policy__route="automatic")
    ]
    urls += [f"/policies/manage/award/{a.pk}/" for a in Award.objects.all()[:6]]
    report: dict[str, list[str]] = {}
    opened = 0
    for username in [u[0] for u in DEMO_USERS] + [None]:
        client = client_of(username)
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            opened += 1
            parser = VisibleText()
            parser.feed(response.content.decode())
            if found := leaks("\n".join(parser.parts)):
                report[f"{username}: {url}"] = found
    assert opened > 40
    assert report == {}, "\n".join(f"{k}: {v}" for k, v in report.items())
