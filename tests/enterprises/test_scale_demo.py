"""`manage.py scale_demo`: the load test's register of generated firms, reproducible, and only ever in a
throw-away database of demo data (decision 0108)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tidu.core.credit_code import credit_code_problem
from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise
from tidu.enterprises.models import YEAR_VALUE_FIELDS, Enterprise, EnterpriseSource, EnterpriseYear
from tidu.enterprises.validation import year_errors

pytestmark = pytest.mark.django_db


def register() -> list[tuple[str, str, int, int | None]]:
    return list(EnterpriseYear.objects.order_by("enterprise__credit_code", "fiscal_year").values_list(
        "enterprise__credit_code", "enterprise__name", "fiscal_year", "revenue"))


def test_it_refuses_unless_told_the_database_is_a_throwaway() -> None:
    with pytest.raises(CommandError, match="--throwaway"):
        call_command("scale_demo", firms=10, verbosity=0)
    assert not Enterprise.objects.exists()


def test_it_refuses_a_database_holding_real_firms() -> None:
    make_enterprise("440305")  # entered by an administrator, not by the demo seed
    with pytest.raises(CommandError, match="非演示企业"):
        call_command("scale_demo", firms=10, throwaway=True, verbosity=0)
    assert Enterprise.objects.count() == 1


def test_the_same_seed_gives_the_same_valid_register_and_a_second_run_adds_nothing() -> None:
    call_command("scale_demo", firms=40, throwaway=True, verbosity=0)
    first = register()
    assert Enterprise.objects.filter(source=EnterpriseSource.DEMO).count() == 40
    assert len(first) >= 40
    assert all(credit_code_problem(code) is None for code, *_ in first)
    for row in EnterpriseYear.objects.all():
        assert not year_errors({f: getattr(row, f) for f in YEAR_VALUE_FIELDS})
    assert AuditEvent.objects.filter(action="demo.scale").count() == 1

    call_command("scale_demo", firms=40, throwaway=True, verbosity=0)
    assert register() == first

    EnterpriseYear.objects.all().delete()
    Enterprise.objects.all().delete()
    call_command("scale_demo", firms=40, throwaway=True, verbosity=0)
    assert register() == first
    call_command("scale_demo", firms=40, throwaway=True, seed=2, verbosity=0)  # already 40: nothing added
    assert register() == first


def test_topping_up_keeps_the_firms_already_there() -> None:
    call_command("scale_demo", firms=20, throwaway=True, verbosity=0)
    before = register()
    call_command("scale_demo", firms=35, throwaway=True, verbosity=0)
    assert Enterprise.objects.count() == 35
    after = register()
    assert set(before) <= set(after)
