"""/api/v1/techtransfer."""

from ninja import Router

from tidu.accounts.auth import API_AUTH

router = Router(auth=API_AUTH, tags=["科技成果转化"])
