"""The named demo users, shared by seed_demo, the login page (demo mode only) and the tests."""

from __future__ import annotations

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
    ("demo-admin", "平台管理员（可进入管理后台）", "platform", "", ""),
]
