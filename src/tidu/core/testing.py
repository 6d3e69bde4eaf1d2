"""Factories shared by the test suites (and handy in a shell): firms, years and users by role."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model

from tidu.core.credit_code import make_credit_code

_seq = itertools.count(10_000_000)
PASSWORD = "pw-Tidu-2026!"


def make_enterprise(region_code: str = "440305", name: str | None = None, industry_code: str = "C3484", **kw: Any) -> Any:
    from tidu.enterprises.models import Enterprise

    n = next(_seq)
    code = kw.pop("credit_code", None) or make_credit_code(region_code, str(n))
    return Enterprise.objects.create(
        credit_code=code, name=name or f"测试企业{n}有限公司", region_id=region_code, industry_code=industry_code, **kw
    )


def make_year(enterprise: Any, fiscal_year: int, **values: Any) -> Any:
    from tidu.enterprises.models import EnterpriseYear

    defaults = {"revenue": 50_000_000, "main_rev": 45_000_000, "rd": 2_500_000, "staff_total": 100, "employees": 100}
    return EnterpriseYear.objects.create(enterprise=enterprise, fiscal_year=fiscal_year, **(defaults | values))


def make_user(username: str, kind: str | None = None, *, level: str = "", region: str | None = None,
              enterprise: Any = None, superuser: bool = False, email: str = "") -> Any:
    """A user in a new organisation of `kind` (None: no organisation)."""
    from tidu.accounts.models import Membership, Organisation

    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username=username, password=PASSWORD, email=email or f"{username}@x.test")
    else:
        user = User.objects.create_user(username=username, password=PASSWORD, email=email or f"{username}@x.test")
    if kind is not None:
        org = Organisation.objects.create(kind=kind, name=f"{username}的机构", gov_level=level, region_id=region,
                                          enterprise=enterprise)
        Membership.objects.create(user=user, organisation=org)
    return user


class RateLimitClock:
    """The time tidu.core.ratelimit reads (`ratelimit.clock`), moved by hand in tests: it starts `second`
    seconds after the top of the current hour, the start of every rate-limit window."""

    def __init__(self, second: int = 0) -> None:
        from django.utils import timezone

        self.now = timezone.now().replace(minute=0, second=second, microsecond=0)

    def __call__(self) -> Any:
        return self.now

    @classmethod
    def install(cls, monkeypatch: Any, second: int = 0) -> RateLimitClock:
        from tidu.core import ratelimit

        fake = cls(second)
        monkeypatch.setattr(ratelimit, "clock", fake)
        return fake
