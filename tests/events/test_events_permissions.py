"""Who sees what: officials only their jurisdiction's events, a participant only their own schedule, the
same on the pages, in the PDF and in the API."""

from __future__ import annotations

from django.test import Client
from events_support import EWorld, event_input

from tidu.accounts.services import api_token_create
from tidu.core.testing import PASSWORD, make_enterprise, make_user
from tidu.events import selectors, services
from tidu.events.models import Meeting


def _client(user: object) -> Client:
    c = Client()
    assert c.login(username=user.get_username(), password=PASSWORD)  # type: ignore[attr-defined]
    return c


def _bearer(user: object) -> Client:
    _token, key = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _solved(w: EWorld) -> None:
    services.schedule_submit(actor=w.users["city"], event=w.event)


def test_an_official_sees_only_the_events_of_their_jurisdiction(world: EWorld) -> None:
    hz_event = services.event_create(actor=world.users["hz"], data=event_input(region_code="330100",
                                                                                title="杭州市融通对接会"))
    assert list(selectors.events_visible_to(world.users["city"])) == [world.event]
    assert list(selectors.events_visible_to(world.users["hz"])) == [hz_event]
    # A county official does not run the city's event.
    assert not selectors.can_manage_event(world.users["county"], world.event)  # type: ignore[arg-type]
    assert _client(world.users["hz"]).get(f"/events/{world.event.pk}/").status_code == 404  # type: ignore[union-attr]
    page = _client(world.users["city"]).get(f"/events/{world.event.pk}/")  # type: ignore[union-attr]
    assert page.status_code == 200 and "报名情况" in page.content.decode()


def test_an_sme_sees_the_events_of_its_region_but_not_those_elsewhere(world: EWorld) -> None:
    hz_event = services.event_create(actor=world.users["hz"], data=event_input(region_code="330100"))
    visible = set(selectors.events_visible_to(world.users["sme_1"]))
    assert world.event in visible and hz_event not in visible
    assert _client(world.users["sme_1"]).get(f"/events/{hz_event.pk}/").status_code == 404


def test_a_participant_sees_only_their_own_schedule(world: EWorld) -> None:
    _solved(world)
    mine = Meeting.objects.filter(event=world.event, sme=world.regs["sme_1"])
    partners = {m.large.organisation.name for m in mine}
    assert partners
    html = _client(world.users["sme_1"]).get(f"/events/{world.event.pk}/schedule/").content.decode()  # type: ignore[union-attr]
    for name in partners:
        assert name in html
    others = Meeting.objects.filter(event=world.event).exclude(sme=world.regs["sme_1"])
    for m in others:
        assert m.sme.organisation.name not in html  # no other SME's meeting shows
    assert "<svg" in html  # the check-in QR code
    # The participant's event page has no grid and no list of registrations.
    detail = _client(world.users["sme_1"]).get(f"/events/{world.event.pk}/").content.decode()  # type: ignore[union-attr]
    assert "报名情况" not in detail and "洽谈安排表" not in detail
    assert _client(world.users["sme_1"]).post(f"/events/{world.event.pk}/solve/").status_code == 403  # type: ignore[union-attr]


def test_someone_not_registered_has_no_schedule(world: EWorld) -> None:
    firm = make_enterprise("440305", name="未报名企业有限公司")
    user = make_user("ev_outsider", "enterprise", enterprise=firm)
    assert _client(user).get(f"/events/{world.event.pk}/schedule/").status_code == 404  # type: ignore[union-attr]
    assert _bearer(user).get(f"/api/v1/events/{world.event.pk}/schedule").status_code == 404  # type: ignore[union-attr]


def test_the_schedule_pdf_is_the_participants_own(world: EWorld) -> None:
    _solved(world)
    response = _client(world.users["large_a"]).get(f"/events/{world.event.pk}/schedule.pdf")  # type: ignore[union-attr]
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"


def test_the_check_in_address_opens_only_for_officials_of_the_jurisdiction(world: EWorld) -> None:
    token = services.checkin_token(world.regs["sme_2"])
    url = f"/events/checkin/{token}/"
    assert _client(world.users["sme_2"]).get(url).status_code == 404
    assert _client(world.users["hz"]).post(url).status_code == 404
    city = _client(world.users["city"])
    assert "确认签到" in city.get(url).content.decode()
    assert city.post(url).status_code == 302
    world.regs["sme_2"].refresh_from_db()
    assert world.regs["sme_2"].checked_in_at is not None


def test_the_api_gives_a_participant_their_schedule_and_the_grid_only_to_the_organisers(world: EWorld) -> None:
    sme = _bearer(world.users["sme_3"])
    solve = sme.post(f"/api/v1/events/{world.event.pk}/solve")  # type: ignore[union-attr]
    assert solve.status_code == 403 and solve.json()["code"] == "permission_denied"
    started = _bearer(world.users["city"]).post(f"/api/v1/events/{world.event.pk}/solve")  # type: ignore[union-attr]
    assert started.status_code == 202
    mine = sme.get(f"/api/v1/events/{world.event.pk}/schedule").json()  # type: ignore[union-attr]
    own = Meeting.objects.filter(event=world.event, sme=world.regs["sme_3"]).count()
    assert len(mine["meetings"]) == own >= 1
    assert {m["sme"] for m in mine["meetings"]} == {world.regs["sme_3"].organisation.name}
    assert sme.get(f"/api/v1/events/{world.event.pk}/grid").status_code == 403  # type: ignore[union-attr]
    grid = _bearer(world.users["city"]).get(f"/api/v1/events/{world.event.pk}/grid").json()  # type: ignore[union-attr]
    assert len(grid["meetings"]) == Meeting.objects.filter(event=world.event).count()


def test_the_api_refuses_a_move_into_a_busy_slot_with_its_code(world: EWorld) -> None:
    _solved(world)
    # Seven firms, three slots: some large firm has two meetings; move one into the other's slot.
    meetings = list(Meeting.objects.filter(event=world.event).order_by("slot", "table"))
    m, other = next((a, b) for a in meetings for b in meetings if a.large_id == b.large_id and a.slot != b.slot)
    response = _bearer(world.users["city"]).post(
        f"/api/v1/events/{world.event.pk}/meetings/{m.pk}/move",  # type: ignore[union-attr]
        {"slot": other.slot + 1, "table": other.table}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "event_firm_busy"


def test_an_id_past_what_the_database_holds_is_not_found_not_a_server_error(world: EWorld) -> None:
    huge = "9" * 25
    assert _client(world.users["city"]).get(f"/events/{huge}/").status_code == 404
    assert _client(world.users["city"]).post(f"/events/{world.event.pk}/meetings/move/",  # type: ignore[union-attr]
                                             {"meeting": huge, "slot": "0", "table": "1"}).status_code == 302
    assert _bearer(world.users["city"]).get(f"/api/v1/events/{huge}/schedule").status_code == 422
