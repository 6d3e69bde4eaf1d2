"""The named demo users, shared by seed_demo, the login page (demo mode only) and the tests."""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "tidu-demo-2026"

# username, Chinese description, organisation kind, government level, region code
DEMO_USERS: list[tuple[str, str, str, str, str]] = [
    ("demo-firm", "企业用户（深圳市南山区一家演示企业）", "enterprise", "", "440305"),
    ("demo-county", "县级主管部门（深圳市南山区）", "government", "county", "440305"),
    ("demo-city", "市级主管部门（深圳市）", "government", "city", "440300"),
    ("demo-province", "省级主管部门（广东省）", "government", "province", "440000"),
    ("demo-national", "国家级主管部门", "government", "national", ""),
    ("demo-large", "大企业创新部门", "large", "", ""),
    ("demo-provider", "服务机构", "provider", "", ""),
    ("demo-platform", "创新平台（科技成果转化）", "innovation", "", ""),
    ("demo-admin", "平台管理员（可进入管理后台）", "platform", "", ""),
]

# Not listed on the login page: two users waiting for the county (a claim, a registration held).
DEMO_CLAIMANT = "demo-claimant"
DEMO_MOVED_FIRM = "demo-moved-firm"


def seed_accounts_demo(*, demo_firm: Any) -> None:
    """Something for the county's account pages (idempotent): one firm of the register without an account
    and with a contact e-mail (the invitation button shows), one pending claim, one registration held (its code was issued in another province)."""
    from django.contrib.auth import get_user_model

    from tidu.accounts.services import firm_register
    from tidu.core.credit_code import make_credit_code
    from tidu.enterprises.models import Enterprise

    without_account = list(
        Enterprise.objects.filter(region_id=demo_firm.region_id).exclude(pk=demo_firm.pk)
        .exclude(organisation__memberships__isnull=False).order_by("credit_code")[:2])
    if len(without_account) < 2:
        return
    invitee, claimed = without_account
    if not invitee.contact_email:
        Enterprise.objects.filter(pk=invitee.pk).update(
            contact_name="陈经理", contact_phone="0755-26000001", contact_email="chen@invitee.tidu.example")
    users = get_user_model().objects
    if not users.filter(username=DEMO_CLAIMANT).exists():
        firm_register(
            username=DEMO_CLAIMANT, password=DEMO_PASSWORD, email="claimant@tidu.example",
            credit_code=claimed.credit_code, name=claimed.name, region_code=claimed.region_id,
            industry_code=claimed.industry_code, contact_name="刘女士", contact_phone="13700000000",
        )
    if not users.filter(username=DEMO_MOVED_FIRM).exists():
        firm_register(
            username=DEMO_MOVED_FIRM, password=DEMO_PASSWORD, email="moved@tidu.example",
            credit_code=make_credit_code("320102", "DEM0M0WE"), name="深圳迁入演示科技有限公司（原南京玄武）",
            region_code=demo_firm.region_id, industry_code="C3911", contact_name="周先生", contact_phone="025-83000000",
        )
