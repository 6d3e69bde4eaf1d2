"""Range and cross-field checks on a yearly row; a rejected save writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tidu.core.errors import ErrorCode, TiduValidationError
from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise, make_user
from tidu.enterprises.forms import EnterpriseYearForm
from tidu.enterprises.models import EnterpriseYear
from tidu.enterprises.services import enterprise_year_save
from tidu.enterprises.validation import year_errors, year_problems


def codes(values: dict[str, object]) -> set[tuple[str, ErrorCode]]:
    return {(p.field, p.code) for p in year_errors(values)}


def test_main_business_revenue_may_equal_but_not_exceed_revenue() -> None:
    assert not codes({"revenue": 100, "main_rev": 100})
    assert codes({"revenue": 100, "main_rev": 101}) == {("main_rev", ErrorCode.SUBTOTAL_EXCEEDS_TOTAL)}


def test_staff_sub_counts_do_not_exceed_total_staff() -> None:
    assert codes({"staff_total": 10, "rd_staff": 11, "tech_staff": 10}) == {("rd_staff", ErrorCode.SUBTOTAL_EXCEEDS_TOTAL)}


def test_ip_sub_counts_do_not_exceed_their_total() -> None:
    found = codes({"ip_c1_count": 3, "ip_c1_self_count": 4, "ip_c1_hv_count": 4})
    assert found == {("ip_c1_self_count", ErrorCode.SUBTOTAL_EXCEEDS_TOTAL), ("ip_c1_hv_count", ErrorCode.SUBTOTAL_EXCEEDS_TOTAL)}


def test_top50_implies_top500() -> None:
    assert codes({"maker_china_top50_3y": True, "maker_china_top500_3y": False}) == {
        ("maker_china_top500_3y", ErrorCode.IMPLICATION_BROKEN)}
    assert not codes({"maker_china_top50_3y": True, "maker_china_top500_3y": None})


def test_unknown_values_are_never_compared() -> None:
    assert not codes({"revenue": None, "main_rev": 10**12, "staff_total": None, "rd_staff": 50})


@pytest.mark.parametrize(("field", "bad", "good"), [
    ("market_share_domestic", Decimal("1.01"), Decimal("1")),
    ("digital_level", 5, 4),
    ("distinctive_score", Decimal("15.5"), Decimal("15")),
    ("zjtx_dev_score", Decimal("100.01"), Decimal("100")),
    ("award_natl_best_rank_3y", 0, 1),
])
def test_ranges_are_inclusive_at_their_bounds(field: str, bad: object, good: object) -> None:
    assert codes({field: bad}) == {(field, ErrorCode.VALUE_OUT_OF_RANGE)}
    assert not codes({field: good})


def test_negative_money_is_rejected_except_net_profit() -> None:
    assert codes({"revenue": -1}) == {("revenue", ErrorCode.MONEY_NEGATIVE)}
    assert not codes({"net_profit": -1})


def test_employees_and_staff_far_apart_is_a_warning_not_an_error() -> None:
    problems = year_problems({"employees": 100, "staff_total": 20})
    assert problems and all(p.warning for p in problems)


@pytest.mark.django_db
def test_a_rejected_save_writes_nothing_and_audits_nothing() -> None:
    user = make_user("owner", "enterprise", enterprise=(ent := make_enterprise()))
    with pytest.raises(TiduValidationError) as exc:
        enterprise_year_save(actor=user, enterprise=ent, fiscal_year=2025, values={"revenue": 100, "main_rev": 200})
    assert exc.value.problems[0][0] == "main_rev"
    assert "主营业务收入" in exc.value.message
    assert not EnterpriseYear.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="enterprise_year").exists()


@pytest.mark.django_db
def test_checks_run_on_the_merged_row_when_only_some_fields_change() -> None:
    ent = make_enterprise()
    user = make_user("owner", "enterprise", enterprise=ent)
    enterprise_year_save(actor=user, enterprise=ent, fiscal_year=2025, values={"revenue": 100, "main_rev": 90})
    with pytest.raises(TiduValidationError):
        enterprise_year_save(actor=user, enterprise=ent, fiscal_year=2025, values={"revenue": 80})
    assert EnterpriseYear.objects.get().revenue == 100


def test_the_year_form_reports_cross_field_errors_on_the_field() -> None:
    form = EnterpriseYearForm(data={"revenue": "100", "main_rev": "100.0001"})
    assert not form.is_valid()
    assert "main_rev" in form.errors
    assert "不能大于" in form.errors["main_rev"][0]


def test_every_year_field_has_chinese_label_and_help() -> None:
    form = EnterpriseYearForm()
    for name, field in form.fields.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(field.label)), name
        assert field.help_text, name
    assert "万元" in str(form.fields["revenue"].label)
