"""/api/v1/notifications: the caller's own notifications, marking them read, and (officials) asking the
firms of their jurisdiction for their yearly update. Same services and rules as the pages."""

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from tidu.accounts.auth import API_AUTH
from tidu.core.api_errors import Limit, Offset
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.notifications import services
from tidu.notifications.selectors import notifications_of, unread_count

router = Router(auth=API_AUTH, tags=["通知"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MAX_LIMIT = 200


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    unread: bool


class NotificationPage(Schema):
    count: int
    unread: int
    limit: int
    offset: int
    items: list[NotificationOut]


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class AnnualUpdateIn(Schema):
    fiscal_year: int | None = None


class AnnualUpdateOut(Schema):
    fiscal_year: int
    enterprises: int
    users_notified: int
    emailed: int


@router.get("", response={200: NotificationPage, **ERRORS}, summary="我的通知（最新在前）")
@api_errors
def list_notifications(request: HttpRequest, unread: bool = False, limit: Limit = 50, offset: Offset = 0) -> Any:
    qs = notifications_of(user=request.user, unread_only=unread)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return {"count": qs.count(), "unread": unread_count(user=request.user), "limit": limit, "offset": offset,
            "items": list(qs[offset: offset + limit])}


@router.get("/unread-count", response={200: UnreadOut, **ERRORS}, summary="未读通知数")
@api_errors
def get_unread_count(request: HttpRequest) -> Any:
    return {"unread": unread_count(user=request.user)}


@router.post("/read-all", response={200: MarkedOut, **ERRORS}, summary="全部标为已读")
@api_errors
def read_all(request: HttpRequest) -> Any:
    return {"marked": services.notifications_mark_all_read(actor=request.user)}


@router.post("/annual-update-requests", response={201: AnnualUpdateOut, **ERRORS},
             summary="主管部门：请辖区内未报送上一年度数据的企业报送")
@api_errors
def request_annual_update(request: HttpRequest, payload: AnnualUpdateIn) -> Any:
    result = services.annual_update_request(actor=request.user, fiscal_year=payload.fiscal_year)
    return Status(201, asdict(result))


@router.post("/{pk}/read", response={200: NotificationOut, **ERRORS}, summary="标为已读（只能是本人的通知）")
@api_errors
def read_one(request: HttpRequest, pk: int) -> Any:
    return services.notification_mark_read(actor=request.user, notification_id=pk)
