"""/api/v1/insights."""

from ninja import Router

from tidu.accounts.auth import API_AUTH

router = Router(auth=API_AUTH, tags=["梯度看板"])
