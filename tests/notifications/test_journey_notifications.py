"""The journey tells firms and officials in the platform (and by e-mail, after commit only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from tidu.journey import services
from tidu.journey.notify import notify_firm
from tidu.journey.testing import World
from tidu.notifications.models import Notification, NotificationKind


def _titles(world: World, who: str, kind: str) -> list[str]:
    return list(Notification.objects.filter(recipient=world.users[who], kind=kind).values_list("title", flat=True))


def test_a_returned_application_reaches_the_firms_inbox_and_mailbox(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    app = world.submitted("A")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_review(actor=world.users["county"], application=app, action="return",
                                    comment="请补充知识产权证明")
    [note] = Notification.objects.filter(recipient=world.users["firm_a"], kind=NotificationKind.APPLICATION)
    assert note.title == "申报已退回修改" and "请补充知识产权证明" in note.body
    assert note.link == f"/journey/applications/{app.pk}/"
    assert [m.to for m in mail.outbox] == [["firm_a@x.test"]]
    assert _titles(world, "firm_b", NotificationKind.APPLICATION) == []


def test_nothing_is_left_or_sent_when_the_transaction_rolls_back(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    app = world.submitted("A")
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        notify_firm(app, subject="不应发出", body="事务回滚")
        raise RuntimeError("the change failed")
    assert not Notification.objects.filter(title="不应发出").exists()
    assert callbacks == [] and mail.outbox == []


def test_the_email_waits_for_the_commit(world: World, django_capture_on_commit_callbacks: Any) -> None:
    app = world.submitted("A")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_firm(app, subject="申报进展", body="正文")
        assert Notification.objects.filter(title="申报进展").count() == 1
    assert mail.outbox == [] and len(callbacks) == 1


def test_a_submission_reaches_the_county_officials_of_the_firm_only(world: World) -> None:
    app = world.submitted("A")
    title = "待审核：企业A有限公司（专精特新中小企业）"
    assert _titles(world, "county", NotificationKind.REVIEW) == [title]
    assert _titles(world, "county2", NotificationKind.REVIEW) == [title]
    for other in ("county_c", "city", "province", "national", "firm_a"):
        assert _titles(world, other, NotificationKind.REVIEW) == []
    note = Notification.objects.get(recipient=world.users["county"], kind=NotificationKind.REVIEW)
    assert note.link == f"/journey/applications/{app.pk}/" and "县级审核中" in note.body


def test_each_approval_reaches_the_next_levels_officials(world: World) -> None:
    app = world.submitted("A")
    world.approve(app, "county")
    assert len(_titles(world, "city", NotificationKind.REVIEW)) == 1
    assert _titles(world, "city_gz", NotificationKind.REVIEW) == []  # Guangzhou does not hold Shenzhen firms
    assert _titles(world, "province", NotificationKind.REVIEW) == []
    world.approve(app, "city")
    assert len(_titles(world, "province", NotificationKind.REVIEW)) == 1
    assert _titles(world, "province_zj", NotificationKind.REVIEW) == []
    world.approve(app, "province")
    assert _titles(world, "national", NotificationKind.REVIEW) == []  # 专精特新 ends at the province
    assert _titles(world, "firm_a", NotificationKind.APPLICATION) == ["申报审核通过，待公示"]


def test_a_little_giant_reaches_the_national_office(world: World) -> None:
    app = world.submitted("A", tier="little_giant")
    world.approve(app, "county", "city", "province")
    assert _titles(world, "national", NotificationKind.REVIEW) == ["待审核：企业A有限公司（专精特新“小巨人”企业）"]
