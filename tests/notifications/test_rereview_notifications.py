"""The firm hears about the re-review (复核) of its title (opened, returned, passed, failed) in the
platform and by e-mail, in words about the re-review itself, also when the title was imported
without an application on the platform."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from tidu.journey import services
from tidu.journey.models import ReReview
from tidu.journey.notify import notify_enterprise
from tidu.journey.testing import World
from tidu.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def _firm_notes(world: World, who: str = "firm_a") -> list[Notification]:
    return list(Notification.objects.filter(recipient=world.users[who], kind=NotificationKind.REREVIEW)
                .order_by("created_at", "id"))


def _review(world: World, rr: ReReview, who: str, action: str = "approve", comment: str = "") -> ReReview:
    return services.rereview_review(actor=world.users[who], rereview=rr, action=action, comment=comment)


def test_a_firm_whose_title_was_imported_is_asked_to_submit_when_the_re_review_opens(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    rec = world.imported_title("A", days_left=60)
    assert rec.application is None
    with django_capture_on_commit_callbacks(execute=True):
        rr = services.rereview_open(actor=world.users["province"], recognition=rec)
    [note] = _firm_notes(world)
    assert note.title == "认定复核：请确认数据并提交"
    assert note.link == f"/journey/rereviews/{rr.pk}/"
    assert f"将于 {rec.valid_until} 到期" in note.body and f"编号 {rec.number}" in note.body
    assert "复核状态：待企业提交" in note.body
    assert "申报批次" not in note.body and "当前状态" not in note.body  # nothing about an application
    [message] = mail.outbox
    assert message.subject == "【梯度】认定复核：请确认数据并提交" and message.to == ["firm_a@x.test"]
    assert message.body.startswith("企业A有限公司：") and rec.number in message.body
    assert _firm_notes(world, "firm_b") == []  # the same county's other firm hears nothing


def test_a_returned_then_passed_re_review_tells_the_firm_each_time_in_re_review_words(world: World) -> None:
    rec = world.imported_title("A", days_left=60)
    old_until = rec.valid_until
    rr = services.rereview_open(actor=world.users["province"], recognition=rec)
    services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=True)
    _review(world, rr, "county", "return", "请补充上年度审计报告")
    returned = _firm_notes(world)[-1]
    assert returned.title == "认定复核已退回修改"
    assert "请补充上年度审计报告" in returned.body and "重新提交复核" in returned.body
    assert "复核状态：已退回企业修改" in returned.body

    services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=True)
    for who in ("county", "city", "province"):
        _review(world, rr, who)
    passed = _firm_notes(world)[-1]
    rec.refresh_from_db()
    assert passed.title == "认定复核通过"
    assert f"有效期由 {old_until} 延长至 {rec.valid_until}" in passed.body and "认定编号不变" in passed.body
    assert "复核状态：复核通过" in passed.body and passed.link == f"/journey/rereviews/{rr.pk}/"
    assert [n.title for n in _firm_notes(world)] == ["认定复核：请确认数据并提交", "认定复核已退回修改", "认定复核通过"]
    assert Notification.objects.filter(recipient=world.users["firm_a"], kind=NotificationKind.APPLICATION).count() == 0


def test_a_failed_re_review_tells_the_firm_the_reason_and_when_the_title_lapses(world: World) -> None:
    app = world.approved("A")  # this title came from an application: the notice still speaks of the re-review
    pub = services.publicity_publish(actor=world.users["province"], rnd=app.round)
    [rec] = services.publicity_decide(actor=world.users["province"], publicity=pub,
                                      today=pub.ends_on + dt.timedelta(days=1))
    rr = services.rereview_open(actor=world.users["province"], recognition=rec,
                                today=rec.valid_until - dt.timedelta(days=30))
    services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=True, fiscal_year=app.fiscal_year)
    for who in ("county", "city"):
        _review(world, rr, who)
    _review(world, rr, "province", "reject", "研发费用占比不再达标")
    failed = _firm_notes(world)[-1]
    assert failed.title == "认定复核未通过"
    assert "研发费用占比不再达标" in failed.body and f"有效期至 {rec.valid_until} 届满后失效" in failed.body
    assert "复核状态：复核未通过" in failed.body and "申报批次" not in failed.body


def test_notify_enterprise_reaches_the_firms_staff_and_its_contact_address(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    firm = world.firms["A"]
    firm.contact_email = "office@a.test"
    firm.save(update_fields=["contact_email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify_enterprise(firm, subject="测试通知", body="正文", link="/journey/", details="附注")
    [note] = Notification.objects.filter(title="测试通知")
    assert note.recipient == world.users["firm_a"] and note.body == "正文\n附注" and note.link == "/journey/"
    [message] = mail.outbox
    assert sorted(message.to) == ["firm_a@x.test", "office@a.test"]
