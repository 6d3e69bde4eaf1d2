"""/api/v1/sandbox."""

from ninja import Router

from tidu.accounts.auth import API_AUTH

router = Router(auth=API_AUTH, tags=["门槛沙盘"])
