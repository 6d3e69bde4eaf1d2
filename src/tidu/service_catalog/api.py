"""/api/v1/services: the service list under exactly the web's permissions.

Anyone signed in reads listed offers (filtered by region, category, words); firms request, follow, message and
rate; providers manage their offers and answer the requests addressed to them; officials decide providers and
offers of their jurisdiction and read the requests of its firms with their deadlines.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from tidu.accounts.auth import API_AUTH
from tidu.core.api_errors import Limit, Offset
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import organisation_of, require
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.enterprises.money import wan_to_yuan
from tidu.service_catalog import selectors, services
from tidu.service_catalog.access import can_oversee, can_request, is_provider_user, provider_of
from tidu.service_catalog.models import Provider, ServiceOffer, ServiceRequest, Side

router = Router(auth=API_AUTH, tags=["服务清单"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_LIMIT = 200


def _offer_out(o: ServiceOffer) -> dict[str, Any]:
    return {
        "id": o.pk,
        "title": o.title,
        "category": o.category,
        "category_label": o.get_category_display(),
        "provider": o.provider.name,
        "provider_id": o.provider_id,
        "description": o.description,
        "how_to_request": o.how_to_request,
        "free": o.free,
        "price_yuan": o.price_yuan,
        "price_note": o.price_note,
        "response_days": o.response_days,
        "region_codes": [r.code for r in o.regions.all()],
        "status": o.status,
        "rating_avg": getattr(o, "rating_avg", None),
        "rating_count": getattr(o, "rating_count", 0),
    }


def _request_out(r: ServiceRequest) -> dict[str, Any]:
    [r] = selectors.annotate_timeliness([r])
    rating = getattr(r, "rating", None)
    return {
        "id": r.pk,
        "offer_id": r.offer_id,
        "offer": r.offer.title,
        "provider": r.provider.name,
        "credit_code": r.enterprise.credit_code,
        "enterprise": r.enterprise.name,
        "need": r.need,
        "contact_name": r.contact_name,
        "contact_phone": r.contact_phone,
        "status": r.status,
        "version": r.version,
        "submitted_on": r.submitted_on,
        "due_on": r.due_on,
        "responded_at": r.responded_at,
        "timeliness": str(r.timeliness),  # type: ignore[attr-defined]
        "decline_reason": r.decline_reason,
        "rating": {"score": rating.score, "comment": rating.comment} if rating is not None else None,
        "messages": [{"side": m.side, "text": m.text, "at": m.at} for m in r.messages.all()],
    }


class OfferIn(Schema):
    title: str
    category: str = Field(
        ...,
        description="policy 政策解读 / cultivation 梯度培育 / financing 融资上市 / digital 数字化转型 / "
        "legal 法律服务 / talent 人才服务 / ip 知识产权 / testing 检验检测 / management 管理咨询",
    )
    description: str
    how_to_request: str
    response_days: int = Field(..., description="承诺响应时间（工作日，1～60）")
    region_codes: list[str] = Field(..., description="服务地区的6位行政区划代码；省、市代码覆盖其下全部区县")
    free: bool = True
    price_wan: str = Field("", description="收费服务的参考价格（万元，最多4位小数）")
    price_note: str = ""

    def as_input(self) -> services.OfferInput:
        price = wan_to_yuan(self.price_wan, field="price_wan") if (not self.free and self.price_wan) else None
        return services.OfferInput(
            title=self.title,
            category=self.category,
            description=self.description,
            how_to_request=self.how_to_request,
            response_days=self.response_days,
            region_codes=self.region_codes,
            free=self.free,
            price_yuan=price,
            price_note=self.price_note,
        )


class ProviderIn(Schema):
    region_code: str
    intro: str
    contact_phone: str
    contact_email: str = ""


class ServiceRequestIn(Schema):
    need: str
    contact_name: str
    contact_phone: str


class ActionIn(Schema):
    action: str = Field(
        ...,
        description="accept 受理 / reply 回复 / done 标记完成 / decline 婉拒（服务机构）；message 留言（企业）",
    )
    text: str = ""
    version: int | None = Field(None, description="调用方看到的版本；过期返回 409")


class RateIn(Schema):
    score: int = Field(..., description="1～5")
    comment: str = ""


class DecideIn(Schema):
    approve: bool
    note: str = Field("", description="不通过时必填")


@router.get("/offers", response={200: list[dict[str, Any]], **ERRORS}, summary="上架的服务（企业默认本地区）")
@api_errors
def list_offers(
    request: HttpRequest, region: str = "", category: str = "", q: str = "", limit: Limit = 100, offset: Offset = 0
) -> Any:
    org = organisation_of(request.user)
    code = region or (org.enterprise.region_id if org is not None and org.enterprise_id else "")  # type: ignore[union-attr]
    qs = selectors.listed_offers(region_code=code or None, category=category, query=q[:100])
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return [_offer_out(o) for o in qs[offset : offset + limit]]


@router.get("/offers/{pk}", response={200: dict[str, Any], **ERRORS}, summary="一项服务")
@api_errors
def get_offer(request: HttpRequest, pk: int) -> Any:
    return _offer_out(selectors.offer_get(user=request.user, pk=pk))


@router.post("/offers/{pk}/requests", response={201: dict[str, Any], **ERRORS}, summary="企业申请服务")
@api_errors
def request_offer(request: HttpRequest, pk: int, payload: ServiceRequestIn) -> Any:
    require(can_request(request.user))
    offer = selectors.offer_get(user=request.user, pk=pk)
    req = services.request_submit(
        actor=request.user,
        offer=offer,
        data=services.RequestInput(
            need=payload.need, contact_name=payload.contact_name, contact_phone=payload.contact_phone
        ),
    )
    return Status(201, _request_out(selectors.request_get(user=request.user, pk=req.pk)))


@router.get(
    "/requests",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="可见的服务申请（企业：本企业；服务机构：发给本机构的；政府：辖区企业）",
)
@api_errors
def list_requests(request: HttpRequest, status: str = "", limit: Limit = 100, offset: Offset = 0) -> Any:
    qs = selectors.requests_visible_to(request.user).prefetch_related("messages")
    if status:
        qs = qs.filter(status=status)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return [_request_out(r) for r in qs[offset : offset + limit]]


@router.get("/requests/{pk}", response={200: dict[str, Any], **ERRORS}, summary="一件服务申请")
@api_errors
def get_request(request: HttpRequest, pk: int) -> Any:
    return _request_out(selectors.request_get(user=request.user, pk=pk))


@router.post("/requests/{pk}/actions", response={200: dict[str, Any], **ERRORS}, summary="处理服务申请")
@api_errors
def request_action(request: HttpRequest, pk: int, payload: ActionIn) -> Any:
    req = selectors.request_get(user=request.user, pk=pk)
    if payload.action == "accept":
        services.request_accept(
            actor=request.user, request=req, message=payload.text, expected_version=payload.version
        )
    elif payload.action == "reply":
        services.request_reply(actor=request.user, request=req, text=payload.text, side=Side.PROVIDER)
    elif payload.action == "message":
        services.request_reply(actor=request.user, request=req, text=payload.text, side=Side.FIRM)
    elif payload.action == "done":
        services.request_done(
            actor=request.user, request=req, summary=payload.text, expected_version=payload.version
        )
    elif payload.action == "decline":
        services.request_decline(
            actor=request.user, request=req, reason=payload.text, expected_version=payload.version
        )
    else:
        raise TiduError(ErrorCode.VALIDATION, field="action", detail=f"未知的操作“{payload.action}”")
    return _request_out(selectors.request_get(user=request.user, pk=pk))


@router.post(
    "/requests/{pk}/rating", response={201: dict[str, Any], **ERRORS}, summary="企业评价已完成的服务（一次）"
)
@api_errors
def rate(request: HttpRequest, pk: int, payload: RateIn) -> Any:
    req = selectors.request_get(user=request.user, pk=pk)
    services.request_rate(actor=request.user, request=req, score=payload.score, comment=payload.comment)
    return Status(201, _request_out(selectors.request_get(user=request.user, pk=pk)))


# ---- providers -------------------------------------------------------------------------------------


def _provider_out(p: Provider) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "region_code": p.region_id,
        "intro": p.intro,
        "status": p.status,
        "contact_phone": p.contact_phone,
        "contact_email": p.contact_email,
        "decision_note": p.decision_note,
    }


@router.get("/provider", response={200: dict[str, Any], **ERRORS}, summary="本服务机构的信息与服务事项")
@api_errors
def my_provider(request: HttpRequest) -> Any:
    require(is_provider_user(request.user))
    provider = provider_of(request.user)
    if provider is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return _provider_out(provider) | {"offers": [_offer_out(o) for o in selectors.offers_of(provider)]}


@router.put(
    "/provider", response={200: dict[str, Any], **ERRORS}, summary="登记或修改本服务机构信息（新登记待审核）"
)
@api_errors
def save_provider(request: HttpRequest, payload: ProviderIn) -> Any:
    provider = services.provider_profile_save(
        actor=request.user,
        data=services.ProviderInput(
            region_code=payload.region_code,
            intro=payload.intro,
            contact_phone=payload.contact_phone,
            contact_email=payload.contact_email,
        ),
    )
    return _provider_out(provider)


def _own_offer(request: HttpRequest, pk: int) -> ServiceOffer:
    provider = provider_of(request.user)
    offer = ServiceOffer.objects.filter(pk=pk, provider=provider).first() if provider is not None else None
    require(offer is not None, not_found=True)
    assert offer is not None
    return offer


@router.post("/provider/offers", response={201: dict[str, Any], **ERRORS}, summary="新增服务事项（草稿）")
@api_errors
def create_offer(request: HttpRequest, payload: OfferIn) -> Any:
    offer = services.offer_save(actor=request.user, data=payload.as_input())
    return Status(201, _offer_out(offer))


@router.put(
    "/provider/offers/{pk}",
    response={200: dict[str, Any], **ERRORS},
    summary="修改服务事项（草稿、未通过、已下架）",
)
@api_errors
def update_offer(request: HttpRequest, pk: int, payload: OfferIn) -> Any:
    return _offer_out(
        services.offer_save(actor=request.user, offer=_own_offer(request, pk), data=payload.as_input())
    )


@router.post("/provider/offers/{pk}/submit", response={200: dict[str, Any], **ERRORS}, summary="提交上架审核")
@api_errors
def submit_offer(request: HttpRequest, pk: int) -> Any:
    return _offer_out(services.offer_submit(actor=request.user, offer=_own_offer(request, pk)))


@router.post("/provider/offers/{pk}/withdraw", response={200: dict[str, Any], **ERRORS}, summary="下架")
@api_errors
def withdraw_offer(request: HttpRequest, pk: int) -> Any:
    return _offer_out(services.offer_withdraw(actor=request.user, offer=_own_offer(request, pk)))


# ---- officials -------------------------------------------------------------------------------------


@router.get(
    "/oversight", response={200: dict[str, Any], **ERRORS}, summary="待审核的机构与服务、各机构满意度"
)
@api_errors
def oversight(request: HttpRequest) -> Any:
    require(can_oversee(request.user))
    rows = selectors.satisfaction_by_provider(selectors.requests_visible_to(request.user))
    return {
        "providers_to_decide": [_provider_out(p) for p in selectors.providers_to_decide(request.user)],
        "offers_to_decide": [
            _offer_out(o) | {"decidable": o.decidable}  # type: ignore[attr-defined]
            for o in selectors.offers_to_decide(request.user)
        ],
        "by_provider": [
            {
                "provider": r.provider.name,
                "requests": r.requests,
                "open": r.open,
                "overdue": r.overdue,
                "responded": r.responded,
                "on_time": r.on_time,
                "on_time_rate": str(r.on_time_rate) if r.on_time_rate is not None else None,
                "ratings": r.ratings,
                "rating_avg": str(r.rating_avg) if r.rating_avg is not None else None,
            }
            for r in rows
        ],
        "as_of": timezone.localdate(),
    }


@router.post(
    "/oversight/providers/{pk}/decide", response={200: dict[str, Any], **ERRORS}, summary="审核服务机构"
)
@api_errors
def decide_provider(request: HttpRequest, pk: int, payload: DecideIn) -> Any:
    require(can_oversee(request.user))
    provider = Provider.objects.select_related("organisation").filter(pk=pk).first()
    require(provider is not None, not_found=True)
    assert provider is not None
    return _provider_out(
        services.provider_decide(
            actor=request.user, provider=provider, approve=payload.approve, note=payload.note
        )
    )


@router.post(
    "/oversight/offers/{pk}/decide", response={200: dict[str, Any], **ERRORS}, summary="审核服务事项上架"
)
@api_errors
def decide_offer(request: HttpRequest, pk: int, payload: DecideIn) -> Any:
    require(can_oversee(request.user))
    offer = selectors.offer_get(user=request.user, pk=pk)
    return _offer_out(
        services.offer_decide(actor=request.user, offer=offer, approve=payload.approve, note=payload.note)
    )
