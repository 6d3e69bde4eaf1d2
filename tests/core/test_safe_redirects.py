"""`next=` only ever leads to a page of this site (no open redirect), wherever a view honours it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tidu.core.http import is_safe_next
from tidu.journey.testing import World, build_world
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import notify_users

OFFSITE = ["https://evil.example/phish", "//evil.example/x", "http://evil.example", "\\\\evil.example",
           "https:evil.example", "javascript:alert(1)", " //evil.example"]


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.mark.parametrize("url", OFFSITE)
def test_another_sites_address_is_never_a_safe_next(url: str) -> None:
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
    assert not is_safe_next(request, url)


@pytest.mark.parametrize("url", ["/journey/queue/?tier=specialized_sme", "/notifications/", "http://127.0.0.1/x"])
def test_a_path_of_this_site_is_a_safe_next(url: str) -> None:
    assert is_safe_next(RequestFactory().get("/", HTTP_HOST="127.0.0.1"), url)


@pytest.mark.parametrize("url", OFFSITE)
def test_a_batch_review_never_sends_the_official_to_another_site(world: World, url: str) -> None:
    app = world.submitted("A")
    response = world.client("county").post("/journey/queue/batch/", {
        "ids": [app.pk], f"version_{app.pk}": app.version, "action": "approve", "next": url})
    assert response.status_code == 302
    assert response["Location"] == "/journey/queue/"


def test_a_batch_review_returns_to_the_filtered_queue_it_came_from(world: World) -> None:
    app = world.submitted("A")
    response = world.client("county").post("/journey/queue/batch/", {
        "ids": [app.pk], f"version_{app.pk}": app.version, "action": "approve",
        "next": "/journey/queue/?tier=specialized_sme"})
    assert response["Location"] == "/journey/queue/?tier=specialized_sme"


@pytest.mark.parametrize("url", OFFSITE)
def test_marking_a_notification_read_never_leaves_the_site(world: World, url: str) -> None:
    [note] = notify_users(users=[world.users["firm_a"]], kind=NotificationKind.SYSTEM, title="通知",
                          body="内容", link=url)
    client = world.client("firm_a")
    assert client.post(f"/notifications/{note.pk}/read/", {"next": url})["Location"] == "/notifications/"
    assert client.post(f"/notifications/{note.pk}/read/", {"open": "1"})["Location"] == "/notifications/"
