"""/api/v1/events."""

from ninja import Router

from tidu.accounts.auth import API_AUTH

router = Router(auth=API_AUTH, tags=["对接活动"])
