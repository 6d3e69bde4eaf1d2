"""`manage.py seed_demo`: hundreds of plausible firms in ≥ 3 provinces, demo users for every role; idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from tidu.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from tidu.core.credit_code import credit_code_problem
from tidu.core.permissions import role_of
from tidu.enterprises.industries import check_industry_code
from tidu.enterprises.models import YEAR_VALUE_FIELDS, Enterprise, EnterpriseYear
from tidu.enterprises.validation import year_errors

pytestmark = pytest.mark.django_db


def test_seeding_twice_gives_the_same_register_and_valid_data() -> None:
    call_command("seed_demo", firms=120, verbosity=0)
    first = (Enterprise.objects.count(), EnterpriseYear.objects.count())
    call_command("seed_demo", firms=120, verbosity=0)
    assert (Enterprise.objects.count(), EnterpriseYear.objects.count()) == first
    assert first[0] == 120 and first[1] > 3 * 120
    codes = list(Enterprise.objects.values_list("credit_code", "region_id", "industry_code"))
    assert all(credit_code_problem(c) is None for c, _, _ in codes)
    assert all(check_industry_code(i).ok for _, _, i in codes)
    assert len({r[:2] for _, r, _ in codes}) >= 3
    assert len({i for _, _, i in codes}) >= 5
    for row in EnterpriseYear.objects.all()[:200]:
        assert not year_errors({f: getattr(row, f) for f in YEAR_VALUE_FIELDS})


def test_every_demo_user_logs_in_with_the_shown_password_and_has_its_role() -> None:
    call_command("seed_demo", firms=20, verbosity=0)
    for username, _desc, kind, _level, _region in DEMO_USERS:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD), username
        from django.contrib.auth import get_user_model

        assert role_of(get_user_model().objects.get(username=username)) == kind
    firm_client = Client()
    firm_client.login(username="demo-firm", password=DEMO_PASSWORD)
    assert "深圳市南山演示精密科技有限公司" in firm_client.get("/firm/").content.decode()
