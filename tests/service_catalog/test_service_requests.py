"""The service list as firms, providers and officials use it: request, respond against the promise, rate once."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from service_support import SWorld, ask, offer_input

from tidu.core.errors import TiduError
from tidu.core.models import AuditEvent
from tidu.notifications.models import Notification
from tidu.service_catalog import selectors, services
from tidu.service_catalog.deadlines import Timeliness, response_due
from tidu.service_catalog.errors import ServiceCode, ServiceError
from tidu.service_catalog.models import OfferStatus, ProviderStatus, Rating, RequestStatus, Side
from tidu.service_catalog.services import ProviderInput


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# ---- deadlines -------------------------------------------------------------------------------------


def test_the_promise_counts_working_days_from_the_next_working_day(friday: dt.date) -> None:
    # Friday 4 Dec 2026: Monday 7 is the first day counted, so three working days end on Wednesday 9.
    assert response_due(friday, 3, {}) == dt.date(2026, 12, 9)


def test_the_promise_skips_the_national_day_holidays() -> None:
    # Submitted 30 Sep 2026: 1–7 Oct are holidays; 8, 9 Oct and the worked Saturday 10 Oct count.
    assert response_due(dt.date(2026, 9, 30), 3, {}) == dt.date(2026, 10, 10)
    assert response_due(dt.date(2026, 9, 30), 4, {}) == dt.date(2026, 10, 12)


def test_a_day_the_administrators_entered_as_a_holiday_is_not_counted(friday: dt.date) -> None:
    assert response_due(friday, 1, {dt.date(2026, 12, 7): False}) == dt.date(2026, 12, 8)


def test_a_request_is_due_by_the_promised_working_day_and_the_provider_is_told(
    world: SWorld, friday: dt.date
) -> None:
    req = ask(world, today=friday)
    assert req.status == RequestStatus.SUBMITTED
    assert req.due_on == dt.date(2026, 12, 9)
    told = Notification.objects.filter(recipient=world.users["provider_p"])
    assert told.filter(title__contains="新的服务申请").exists()
    assert AuditEvent.objects.filter(action="service.request_submit", target_id=str(req.pk)).exists()


def test_an_unanswered_request_is_overdue_only_after_its_due_day(world: SWorld, friday: dt.date) -> None:
    req = ask(world, today=friday)
    assert selectors.request_timeliness(req, dt.date(2026, 12, 9)) == Timeliness.WAITING
    assert selectors.request_timeliness(req, dt.date(2026, 12, 10)) == Timeliness.OVERDUE


def test_a_response_after_the_due_day_is_flagged_late_and_one_before_it_on_time(
    world: SWorld, friday: dt.date
) -> None:
    late = ask(world, today=friday)
    late = services.request_accept(
        actor=world.users["provider_p"], request=late, now=at(dt.date(2026, 12, 10))
    )
    assert selectors.request_timeliness(late, dt.date(2026, 12, 20)) == Timeliness.LATE
    prompt = ask(world, firm="firm_b", today=friday)
    prompt = services.request_reply(
        actor=world.users["provider_p"],
        request=prompt,
        text="已收到，明天联系您",
        now=at(dt.date(2026, 12, 9), 17),
    )
    assert selectors.request_timeliness(prompt, dt.date(2026, 12, 20)) == Timeliness.ON_TIME


def test_a_firm_message_is_not_a_response(world: SWorld, friday: dt.date) -> None:
    req = ask(world, today=friday)
    req = services.request_reply(actor=world.users["firm_a"], request=req, text="请尽快联系", side=Side.FIRM)
    assert req.responded_at is None
    assert selectors.request_timeliness(req, dt.date(2026, 12, 10)) == Timeliness.OVERDUE


def test_satisfaction_by_provider_counts_overdue_on_time_and_average(world: SWorld, friday: dt.date) -> None:
    ask(world, today=friday)  # never answered: overdue
    done = ask(world, firm="firm_b", today=friday)
    services.request_accept(actor=world.users["provider_p"], request=done, now=at(dt.date(2026, 12, 7)))
    services.request_done(actor=world.users["provider_p"], request=done)
    services.request_rate(actor=world.users["firm_b"], request=done, score=4)
    [row] = selectors.satisfaction_by_provider(
        selectors.requests_visible_to(world.users["city"]), dt.date(2026, 12, 10)
    )
    assert (row.requests, row.open, row.overdue, row.responded, row.on_time, row.ratings) == (
        2,
        1,
        1,
        1,
        1,
        1,
    )
    assert row.on_time_rate == 100
    assert row.rating_avg == 4


# ---- the request's life ----------------------------------------------------------------------------


def test_the_provider_accepts_replies_and_marks_done_and_the_firm_is_told_each_time(world: SWorld) -> None:
    req = ask(world)
    provider = world.users["provider_p"]
    req = services.request_accept(actor=provider, request=req, message="已安排顾问")
    req = services.request_reply(actor=provider, request=req, text="请准备近两年审计报告")
    req = services.request_done(actor=provider, request=req, summary="已完成诊断")
    assert req.status == RequestStatus.DONE
    assert [m.text for m in req.messages.all()] == ["已安排顾问", "请准备近两年审计报告", "已完成诊断"]
    titles = list(
        Notification.objects.filter(recipient=world.users["firm_a"]).values_list("title", flat=True)
    )
    assert (
        any("已受理" in t for t in titles)
        and any("回复" in t for t in titles)
        and any("请评价" in t for t in titles)
    )
    actions = set(
        AuditEvent.objects.filter(
            target_id=str(req.pk), target_type="service_catalog.servicerequest"
        ).values_list("action", flat=True)
    )
    assert {"service.request_accept", "service.request_reply", "service.request_done"} <= actions


def test_declining_needs_a_reason_which_the_firm_sees(world: SWorld) -> None:
    req = ask(world)
    with pytest.raises(TiduError):
        services.request_decline(actor=world.users["provider_p"], request=req, reason="  ")
    req = services.request_decline(actor=world.users["provider_p"], request=req, reason="本月档期已满")
    assert req.status == RequestStatus.DECLINED and req.decline_reason == "本月档期已满"
    with pytest.raises(ServiceError) as exc:
        services.request_accept(actor=world.users["provider_p"], request=req)
    assert exc.value.service_code == ServiceCode.REQUEST_WRONG_STATE


def test_a_stale_version_is_refused_as_a_conflict(world: SWorld) -> None:
    req = ask(world)
    seen = req.version
    services.request_reply(actor=world.users["provider_p"], request=req, text="收到")
    with pytest.raises(ServiceError) as exc:
        services.request_decline(
            actor=world.users["provider_p"], request=req, reason="不做了", expected_version=seen
        )
    assert exc.value.status == 409


def test_a_firm_cannot_open_a_second_request_for_the_same_offer_while_one_is_open(world: SWorld) -> None:
    ask(world)
    with pytest.raises(ServiceError) as exc:
        ask(world)
    assert exc.value.service_code == ServiceCode.REQUEST_OPEN


def test_a_firm_outside_the_served_regions_cannot_request(world: SWorld) -> None:
    with pytest.raises(ServiceError) as exc:
        ask(world, firm="firm_hz")
    assert exc.value.service_code == ServiceCode.OFFER_NOT_SERVING_REGION


def test_the_request_form_names_each_bad_field(world: SWorld) -> None:
    from tidu.core.errors import TiduValidationError
    from tidu.service_catalog.services import RequestInput

    with pytest.raises(TiduValidationError) as exc:
        services.request_submit(
            actor=world.users["firm_a"],
            offer=world.offer,
            data=RequestInput(need="", contact_name="王", contact_phone="123"),
        )
    assert {f for f, _c, _m in exc.value.problems} == {"need", "contact_phone"}


# ---- ratings ---------------------------------------------------------------------------------------


def _done(world: SWorld, firm: str = "firm_a") -> Any:
    req = ask(world, firm=firm)
    services.request_accept(actor=world.users["provider_p"], request=req)
    return services.request_done(actor=world.users["provider_p"], request=req)


def test_a_firm_rates_only_after_the_provider_marks_the_request_done(world: SWorld) -> None:
    req = ask(world)
    with pytest.raises(ServiceError) as exc:
        services.request_rate(actor=world.users["firm_a"], request=req, score=5)
    assert exc.value.service_code == ServiceCode.RATING_NOT_DONE
    services.request_accept(actor=world.users["provider_p"], request=req)
    with pytest.raises(ServiceError):
        services.request_rate(actor=world.users["firm_a"], request=req, score=5)
    services.request_done(actor=world.users["provider_p"], request=req)
    rating = services.request_rate(actor=world.users["firm_a"], request=req, score=5, comment="专业、及时")
    assert rating.score == 5


def test_a_firm_rates_once(world: SWorld) -> None:
    req = _done(world)
    services.request_rate(actor=world.users["firm_a"], request=req, score=3)
    with pytest.raises(ServiceError) as exc:
        services.request_rate(actor=world.users["firm_a"], request=req, score=5)
    assert exc.value.service_code == ServiceCode.RATING_EXISTS
    assert Rating.objects.get(request=req).score == 3


@pytest.mark.parametrize("score", [0, 6, "4.5", "", "五"])
def test_a_score_outside_one_to_five_is_refused(world: SWorld, score: Any) -> None:
    req = _done(world)
    with pytest.raises(ServiceError) as exc:
        services.request_rate(actor=world.users["firm_a"], request=req, score=score)
    assert exc.value.service_code == ServiceCode.SCORE_INVALID


def test_only_the_requesting_firm_may_rate(world: SWorld) -> None:
    req = _done(world)
    for other in ("firm_b", "provider_p", "county"):
        with pytest.raises(TiduError) as exc:
            services.request_rate(actor=world.users[other], request=req, score=5)
        assert exc.value.status == 404


def test_ratings_show_as_the_offers_average(world: SWorld) -> None:
    services.request_rate(actor=world.users["firm_a"], request=_done(world), score=5)
    services.request_rate(actor=world.users["firm_b"], request=_done(world, "firm_b"), score=2)
    [offer] = selectors.listed_offers(region_code="440305")
    assert (offer.rating_avg, offer.rating_count) == (3.5, 2)


# ---- offers and providers --------------------------------------------------------------------------


def test_an_offer_is_listed_only_after_submission_and_an_officials_approval(world: SWorld) -> None:
    offer = services.offer_save(
        actor=world.users["provider_p"], data=offer_input(title="知识产权贯标辅导", category="ip")
    )
    assert offer.status == OfferStatus.DRAFT
    assert offer not in selectors.listed_offers(region_code="440305")
    services.offer_submit(actor=world.users["provider_p"], offer=offer)
    assert offer not in selectors.listed_offers(region_code="440305")
    services.offer_decide(actor=world.users["city"], offer=offer, approve=True)
    assert offer in selectors.listed_offers(region_code="440305", category="ip")
    assert offer not in selectors.listed_offers(region_code="330106")
    services.offer_withdraw(actor=world.users["provider_p"], offer=offer)
    assert offer not in selectors.listed_offers(region_code="440305")
    with pytest.raises(ServiceError) as exc:
        ask(world, offer=offer)
    assert exc.value.service_code == ServiceCode.OFFER_NOT_LISTED


def test_a_county_cannot_list_an_offer_serving_the_whole_city(world: SWorld) -> None:
    offer = services.offer_save(actor=world.users["provider_p"], data=offer_input(title="融资对接"))
    services.offer_submit(actor=world.users["provider_p"], offer=offer)
    with pytest.raises(ServiceError) as exc:
        services.offer_decide(actor=world.users["county"], offer=offer, approve=True)
    assert exc.value.service_code == ServiceCode.OFFER_OUTSIDE_JURISDICTION
    with pytest.raises(TiduError) as hidden:
        services.offer_decide(actor=world.users["county_hz"], offer=offer, approve=True)
    assert hidden.value.status == 404
    assert (
        services.offer_decide(actor=world.users["province"], offer=offer, approve=True).status
        == OfferStatus.LISTED
    )


def test_a_refused_offer_goes_back_to_the_provider_with_the_reason(world: SWorld) -> None:
    offer = services.offer_save(actor=world.users["provider_p"], data=offer_input(title="上市辅导"))
    services.offer_submit(actor=world.users["provider_p"], offer=offer)
    with pytest.raises(TiduError):
        services.offer_decide(actor=world.users["city"], offer=offer, approve=False, note="")
    offer = services.offer_decide(
        actor=world.users["city"], offer=offer, approve=False, note="收费标准未写明"
    )
    assert offer.status == OfferStatus.REJECTED and offer.decision_note == "收费标准未写明"
    offer = services.offer_save(
        actor=world.users["provider_p"], offer=offer, data=offer_input(title="上市辅导（修订）")
    )
    assert services.offer_submit(actor=world.users["provider_p"], offer=offer).status == OfferStatus.SUBMITTED


def test_a_listed_offer_is_not_edited_in_place(world: SWorld) -> None:
    with pytest.raises(ServiceError) as exc:
        services.offer_save(
            actor=world.users["provider_p"], offer=world.offer, data=offer_input(title="改名")
        )
    assert exc.value.service_code == ServiceCode.OFFER_NOT_EDITABLE


def test_a_paid_offer_needs_a_price_and_stores_yuan(world: SWorld) -> None:
    from tidu.core.errors import TiduValidationError

    with pytest.raises(TiduValidationError):
        services.offer_save(actor=world.users["provider_p"], data=offer_input(free=False))
    offer = services.offer_save(
        actor=world.users["provider_p"], data=offer_input(free=False, price_yuan=5000)
    )
    assert (offer.free, offer.price_yuan) == (False, 5000)


def test_an_unapproved_provider_cannot_submit_offers(world: SWorld) -> None:
    provider = services.provider_profile_save(
        actor=world.users["provider_q"],
        data=ProviderInput(region_code="440304", intro="律师事务所", contact_phone="13900000000"),
    )
    assert provider.status == ProviderStatus.PENDING
    offer = services.offer_save(actor=world.users["provider_q"], data=offer_input(category="legal"))
    with pytest.raises(ServiceError) as exc:
        services.offer_submit(actor=world.users["provider_q"], offer=offer)
    assert exc.value.service_code == ServiceCode.PROVIDER_NOT_APPROVED


def test_a_provider_is_approved_by_officials_of_its_region_only(world: SWorld) -> None:
    provider = services.provider_profile_save(
        actor=world.users["provider_q"],
        data=ProviderInput(region_code="440304", intro="律师事务所", contact_phone="13900000000"),
    )
    assert provider in selectors.providers_to_decide(world.users["county_ft"])
    assert provider not in selectors.providers_to_decide(world.users["county"])
    with pytest.raises(TiduError) as exc:
        services.provider_decide(actor=world.users["county"], provider=provider, approve=True)
    assert exc.value.status == 404
    provider = services.provider_decide(actor=world.users["city"], provider=provider, approve=True)
    assert provider.status == ProviderStatus.APPROVED
    with pytest.raises(ServiceError):
        services.provider_decide(
            actor=world.users["county_ft"], provider=provider, approve=False, note="重复"
        )


def test_only_provider_organisations_manage_offers(world: SWorld) -> None:
    for user in ("firm_a", "county", "large"):
        with pytest.raises(ServiceError) as exc:
            services.offer_save(actor=world.users[user], data=offer_input())
        assert exc.value.service_code == ServiceCode.NOT_A_PROVIDER


def test_another_provider_cannot_touch_our_offer(world: SWorld) -> None:
    services.provider_profile_save(
        actor=world.users["provider_q"],
        data=ProviderInput(region_code="440304", intro="律师事务所", contact_phone="13900000000"),
    )
    with pytest.raises(TiduError) as exc:
        services.offer_withdraw(actor=world.users["provider_q"], offer=world.offer)
    assert exc.value.status == 404


def test_the_audit_trail_tells_each_step_in_words(world: SWorld) -> None:
    from tidu.core.audit_text import describe

    req = ask(world)
    services.request_decline(actor=world.users["provider_p"], request=req, reason="本月档期已满")
    event = AuditEvent.objects.get(action="service.request_decline", target_id=str(req.pk))
    assert describe(event).sentence.endswith(
        "婉拒了服务申请（专精特新申报辅导 · " + world.firms["firm_a"].name + "），理由：本月档期已满"
    )
    decided = AuditEvent.objects.get(action="service.offer_decide", target_id=str(world.offer.pk))  # type: ignore[union-attr]
    assert describe(decided).sentence.endswith("审核服务事项“专精特新申报辅导”：上架")


def test_an_overdue_request_is_flagged_to_provider_and_firm_once(world: SWorld, friday: dt.date) -> None:
    from django.core.management import call_command

    from tidu.service_catalog.reminders import overdue_notify

    req = ask(world, today=friday)  # due Wednesday 9 December
    assert overdue_notify(today=dt.date(2026, 12, 9)).requests == 0
    run = overdue_notify(today=dt.date(2026, 12, 10))
    assert (run.requests, run.notifications) == (1, 2)
    assert (
        Notification.objects.filter(recipient=world.users["provider_p"], title__contains="逾期未响应").count()
        == 1
    )
    assert (
        Notification.objects.filter(recipient=world.users["firm_a"], title__contains="逾期未响应").count()
        == 1
    )
    assert overdue_notify(today=dt.date(2026, 12, 11)).notifications == 0  # told once
    services.request_accept(actor=world.users["provider_p"], request=req)
    call_command("notify_overdue_services", today="2026-12-20", stdout=io.StringIO())
    assert Notification.objects.filter(title__contains="逾期未响应").count() == 2
