"""/api/v1/needs."""

from ninja import Router

from tidu.accounts.auth import API_AUTH

router = Router(auth=API_AUTH, tags=["大企业需求（发榜/揭榜）"])
