"""Officials ask the firms of their jurisdiction that lack last year's record to file it."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.utils import timezone

from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise, make_user, make_year
from tidu.journey.testing import World
from tidu.notifications.models import Notification, NotificationKind

LAST = timezone.localdate().year - 1


def _late_firms(world: World) -> None:
    """F (南山, no record for last year), G (福田, none either) beside A–E, who all filed it."""
    world.firms["F"] = make_enterprise("440305", name="企业F有限公司", contact_email="contact_f@x.test")
    world.firms["G"] = make_enterprise("440304", name="企业G有限公司")
    make_year(world.firms["F"], LAST - 1)
    world.users["firm_f"] = make_user("firm_f", "enterprise", enterprise=world.firms["F"])
    world.users["firm_g"] = make_user("firm_g", "enterprise", enterprise=world.firms["G"])


def _asked(world: World) -> set[str]:
    rows = Notification.objects.filter(kind=NotificationKind.ANNUAL_UPDATE).values_list("recipient__username",
                                                                                        flat=True)
    return set(rows)


def test_a_county_asks_only_its_own_firms_missing_the_year(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _late_firms(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("county").post("/notifications/annual-update/", follow=True)
    assert f"已请 1 家企业报送{LAST}年度数据" in response.content.decode()
    assert _asked(world) == {"firm_f"}  # not A or B (filed), not G (another county)
    [note] = Notification.objects.filter(recipient=world.users["firm_f"])
    assert note.title == f"请报送{LAST}年度数据" and note.link == f"/firm/years/{LAST}/"
    assert "county的机构请贵企业在梯度平台报送" in note.body
    [message] = mail.outbox
    assert sorted(message.to) == ["contact_f@x.test", "firm_f@x.test"]
    assert message.subject == f"【梯度】请报送{LAST}年度数据" and message.body.startswith("企业F有限公司：")


def test_a_city_reaches_the_late_firms_of_all_its_counties(world: World) -> None:
    _late_firms(world)
    data = world.bearer("city").post("/api/v1/notifications/annual-update-requests", {},
                                     content_type="application/json").json()
    assert data == {"fiscal_year": LAST, "enterprises": 2, "users_notified": 2, "emailed": 2}
    assert _asked(world) == {"firm_f", "firm_g"}
    assert world.bearer("city_gz").post("/api/v1/notifications/annual-update-requests", {},
                                        content_type="application/json").json()["enterprises"] == 0


def test_the_request_is_audited_with_the_firms_asked(world: World) -> None:
    _late_firms(world)
    world.client("county").post("/notifications/annual-update/")
    [event] = AuditEvent.objects.filter(action="notifications.annual_update.request")
    assert event.actor == world.users["county"]
    assert event.data["fiscal_year"] == LAST and event.data["jurisdiction"] == "440305"
    assert event.data["credit_codes"] == [world.firms["F"].credit_code]


def test_the_firm_finds_the_request_in_its_inbox_with_the_year_edit_link(world: World) -> None:
    _late_firms(world)
    world.client("county").post("/notifications/annual-update/")
    firm = world.client("firm_f")
    page = firm.get("/notifications/").content.decode()
    assert f"请报送{LAST}年度数据" in page and "年度数据更新" in page
    note = Notification.objects.get(recipient=world.users["firm_f"])
    response = firm.post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert response["Location"] == f"/firm/years/{LAST}/"
    assert firm.get(response["Location"]).status_code == 200


def test_the_officials_page_lists_the_late_firms_of_the_jurisdiction(world: World) -> None:
    _late_firms(world)
    page = world.client("county").get("/notifications/annual-update/").content.decode()
    assert "企业F有限公司" in page and "企业G有限公司" not in page and "企业A有限公司" not in page
    assert f"请这 1 家企业报送{LAST}年度数据" in page


def test_firms_and_other_roles_cannot_ask(world: World) -> None:
    _late_firms(world)
    for who in ("firm_a", "large", "provider"):
        assert world.client(who).post("/notifications/annual-update/").status_code == 403
        assert world.client(who).get("/notifications/annual-update/").status_code == 403
        assert world.bearer(who).post("/api/v1/notifications/annual-update-requests", {},
                                      content_type="application/json").status_code == 403
    assert _asked(world) == set()
    assert not AuditEvent.objects.filter(action="notifications.annual_update.request").exists()


def test_the_year_asked_must_be_a_closed_year(world: World) -> None:
    response = world.bearer("county").post("/api/v1/notifications/annual-update-requests",
                                           {"fiscal_year": LAST + 1}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "fiscal_year_invalid"


def test_a_large_request_is_mailed_by_the_background_worker(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(25):  # more than MAIL_INLINE_LIMIT: the mails leave the request for the worker
        make_enterprise("440305", name=f"迟报企业{n}有限公司", contact_email=f"late{n}@x.test")
    with django_capture_on_commit_callbacks(execute=True):
        data = world.bearer("county").post("/api/v1/notifications/annual-update-requests", {},
                                           content_type="application/json").json()
    assert data["enterprises"] == 25 and data["users_notified"] == 0 and data["emailed"] == 25
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"late{n}@x.test" for n in range(25))
    from django_q.models import Task

    assert Task.objects.filter(name="通知邮件", success=True).count() == 1
