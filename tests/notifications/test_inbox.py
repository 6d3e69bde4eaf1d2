"""The inbox: each user sees and marks only their own notifications, on the page and through the API."""

from __future__ import annotations

from django.test import Client

from tidu.core.testing import PASSWORD
from tidu.journey.testing import World
from tidu.notifications.models import Notification, NotificationKind
from tidu.notifications.services import notify_users


def _note(world: World, who: str, title: str) -> Notification:
    [row] = notify_users(users=[world.users[who]], kind=NotificationKind.SYSTEM, title=title,
                         body=f"{title}的内容", link="/ladder/")
    return row


def test_the_inbox_page_lists_only_the_users_own_notifications(world: World) -> None:
    _note(world, "firm_a", "给企业A的通知")
    _note(world, "firm_b", "给企业B的通知")
    page = world.client("firm_a").get("/notifications/").content.decode()
    assert "给企业A的通知" in page
    assert "给企业B的通知" not in page


def test_the_api_lists_only_the_callers_own_notifications(world: World) -> None:
    _note(world, "firm_a", "给企业A的通知")
    _note(world, "county", "给南山区的通知")
    data = world.bearer("county").get("/api/v1/notifications").json()
    assert [n["title"] for n in data["items"]] == ["给南山区的通知"]
    assert data["count"] == 1 and data["unread"] == 1
    assert world.client("firm_a").get("/api/v1/notifications/unread-count").json() == {"unread": 1}


def test_anonymous_visitors_have_no_inbox(world: World) -> None:
    _note(world, "firm_a", "给企业A的通知")
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert Client().get("/api/v1/notifications").status_code == 401


def test_someone_elses_notification_cannot_be_marked_read(world: World) -> None:
    theirs = _note(world, "firm_b", "给企业B的通知")
    assert world.client("firm_a").post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert world.bearer("firm_a").post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_one_read_lowers_the_unread_count_in_the_top_bar(world: World) -> None:
    first = _note(world, "firm_a", "第一条")
    _note(world, "firm_a", "第二条")
    client = world.client("firm_a")
    assert '<span class="badge" aria-label="未读">2</span>' in client.get("/ladder/").content.decode()
    response = client.post(f"/notifications/{first.pk}/read/", {"next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert '<span class="badge" aria-label="未读">1</span>' in client.get("/notifications/").content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(world: World) -> None:
    note = _note(world, "firm_a", "请更新数据")
    response = world.client("firm_a").post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/ladder/"
    note.refresh_from_db()
    assert not note.unread


def test_mark_all_read_touches_only_the_callers_notifications(world: World) -> None:
    _note(world, "firm_a", "一")
    _note(world, "firm_a", "二")
    other = _note(world, "firm_b", "三")
    response = world.client("firm_a").post("/notifications/read-all/", follow=True)
    assert "已将 2 条通知标为已读。" in response.content.decode()
    assert not Notification.objects.filter(recipient=world.users["firm_a"], read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.unread
    assert "badge" not in world.client("firm_a").get("/notifications/").content.decode().split("<main")[0]


def test_the_api_marks_read_one_and_all(world: World) -> None:
    one = _note(world, "firm_a", "一")
    _note(world, "firm_a", "二")
    api = world.bearer("firm_a")
    data = api.post(f"/api/v1/notifications/{one.pk}/read").json()
    assert data["id"] == one.pk and data["unread"] is False and data["read_at"]
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert api.get("/api/v1/notifications?unread=true").json()["count"] == 0


def test_marking_read_needs_a_post_with_the_csrf_token(world: World) -> None:
    note = _note(world, "firm_a", "一")
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="firm_a", password=PASSWORD)
    assert client.get(f"/notifications/{note.pk}/read/").status_code == 405
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 403
    note.refresh_from_db()
    assert note.unread


def test_a_link_to_another_site_is_never_followed(world: World) -> None:
    [note] = notify_users(users=[world.users["firm_a"]], kind=NotificationKind.SYSTEM, title="外链",
                          link="https://evil.example/")
    response = world.client("firm_a").post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert response["Location"] == "/notifications/"


def test_the_inbox_speaks_chinese(world: World) -> None:
    _note(world, "firm_a", "认定即将到期")
    page = world.client("firm_a").get("/notifications/").content.decode()
    for text in ("<h1>通知</h1>", "全部标为已读", "只看未读", "1 条未读", "系统通知", "前往处理", "标为已读"):
        assert text in page
    assert world.client("firm_b").get("/notifications/").content.decode().count("暂无通知。") == 1
    data = world.bearer("firm_a").get("/api/v1/notifications").json()
    assert data["items"][0]["title"] == "认定即将到期" and data["items"][0]["kind"] == "system"
