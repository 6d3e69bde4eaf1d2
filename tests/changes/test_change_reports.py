"""重大变化报告 through the services: a firm's name, region, ownership and main business change only when
the county holding it approves (and for a move, the receiving county too); returned reports are revised
and resubmitted; the register keeps every change's history; late reports are flagged."""

from __future__ import annotations

import datetime as dt

import pytest
from change_support import LICENCE, PDF
from django.utils import timezone

from tidu.accounts.models import Organisation
from tidu.changes import services
from tidu.changes.errors import ChangeCode, ChangeError
from tidu.changes.models import ChangeReport, ChangeStatus, RegisterChange
from tidu.changes.selectors import report_get, review_queue
from tidu.changes.services import ChangeInput, add_months, is_late
from tidu.core.errors import TiduError, TiduValidationError
from tidu.core.models import AuditEvent
from tidu.enterprises.models import Enterprise
from tidu.journey.testing import World
from tidu.notifications.models import Notification

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def rename(name: str = "深圳市新名科技有限公司", *, effective_on: dt.date | None = None) -> ChangeInput:
    return ChangeInput(kinds=["name"], effective_on=effective_on or TODAY - dt.timedelta(days=10),
                       explanation="股东会决议更名，已换发营业执照", new_name=name)


def move(region: str) -> ChangeInput:
    return ChangeInput(kinds=["region"], effective_on=TODAY - dt.timedelta(days=5), explanation="迁址",
                       new_region_code=region)


def file(world: World, data: ChangeInput, who: str = "firm_a") -> ChangeReport:
    return services.change_report_file(actor=world.users[who], data=data, files=[LICENCE])


def firm_a(world: World) -> Enterprise:
    return Enterprise.objects.get(pk=world.firms["A"].pk)


def test_a_rename_changes_the_register_only_when_the_county_approves(world: World) -> None:
    report = file(world, rename())
    assert report.status == ChangeStatus.PENDING and report.old_name == "企业A有限公司" and not report.late
    assert firm_a(world).name == "企业A有限公司"  # filed, not approved: nothing changes

    approved = services.change_report_review(actor=world.users["county"], report=report, action="approve",
                                             comment="与营业执照一致", expected_version=report.version)
    assert approved.status == ChangeStatus.APPROVED and approved.approved_at is not None
    ent = firm_a(world)
    assert ent.name == "深圳市新名科技有限公司"
    [history] = RegisterChange.objects.filter(enterprise=ent)
    assert (history.field, history.old_value, history.new_value) == ("name", "企业A有限公司", "深圳市新名科技有限公司")
    assert history.effective_on == report.effective_on and history.approved_by == world.users["county"]
    assert history.approved_by_label == "county的机构"
    assert Organisation.objects.get(kind="enterprise", enterprise=ent).name == "深圳市新名科技有限公司"  # its menu label
    actions = list(AuditEvent.objects.filter(action__startswith="changes.").values_list("action", flat=True))
    assert sorted(actions) == ["changes.report.approve", "changes.report.file"]
    event = AuditEvent.objects.get(action="enterprise.identity_change")
    assert event.data["changes"]["name"] == ["企业A有限公司", "深圳市新名科技有限公司"]


def test_the_county_is_told_of_a_new_report_and_the_firm_of_the_decision(world: World) -> None:
    report = file(world, rename())
    county_inbox = Notification.objects.filter(recipient=world.users["county"])
    assert county_inbox.count() == 1 and "企业A有限公司" in county_inbox.get().title
    assert county_inbox.get().link == f"/changes/{report.pk}/"
    assert not Notification.objects.filter(recipient=world.users["county_c"]).exists()
    services.change_report_review(actor=world.users["county"], report=report, action="approve")
    firm_inbox = Notification.objects.filter(recipient=world.users["firm_a"])
    assert [n.title for n in firm_inbox] == ["重大变化报告已核准"]


def test_a_returned_report_is_revised_and_resubmitted_then_approved(world: World) -> None:
    report = file(world, rename("深圳市错字科技有限公司"))
    with pytest.raises(TiduError) as no_comment:
        services.change_report_review(actor=world.users["county"], report=report, action="return")
    assert no_comment.value.field == "comment"
    returned = services.change_report_review(actor=world.users["county"], report=report, action="return",
                                             comment="新名称与营业执照不一致")
    assert returned.status == ChangeStatus.RETURNED
    assert "新名称与营业执照不一致" in Notification.objects.filter(recipient=world.users["firm_a"]).get().body
    assert firm_a(world).name == "企业A有限公司"

    resubmitted = services.change_report_revise(actor=world.users["firm_a"], report=returned,
                                                data=rename("深圳市正名科技有限公司"), expected_version=returned.version)
    assert resubmitted.status == ChangeStatus.PENDING and resubmitted.new_name == "深圳市正名科技有限公司"
    assert resubmitted.attachments.count() == 1  # the earlier evidence is kept
    services.change_report_review(actor=world.users["county"], report=resubmitted, action="approve")
    assert firm_a(world).name == "深圳市正名科技有限公司"
    assert [s.action for s in resubmitted.steps.all()] == ["return", "approve"]


def test_only_a_returned_report_can_be_revised_and_only_by_its_firm(world: World) -> None:
    report = file(world, rename())
    with pytest.raises(ChangeError) as pending:
        services.change_report_revise(actor=world.users["firm_a"], report=report, data=rename("别名有限公司"))
    assert pending.value.change_code == ChangeCode.NOT_EDITABLE
    returned = services.change_report_review(actor=world.users["county"], report=report, action="return",
                                             comment="补充材料")
    with pytest.raises(TiduError):
        services.change_report_revise(actor=world.users["firm_b"], report=returned, data=rename("别名有限公司"))


def test_a_move_to_another_county_needs_both_counties(world: World) -> None:
    report = file(world, move("440304"))  # 南山区 → 福田区
    assert report.sides_needed() == ["origin", "destination"]
    assert Notification.objects.filter(recipient=world.users["county_c"]).count() == 1  # the receiving county
    assert [r.pk for r in review_queue(user=world.users["county_c"])] == [report.pk]

    half = services.change_report_review(actor=world.users["county"], report=report, action="approve")
    assert half.status == ChangeStatus.PENDING and half.approved_sides() == ["origin"]
    assert firm_a(world).region_id == "440305"  # one side is not enough
    with pytest.raises(ChangeError) as twice:
        services.change_report_review(actor=world.users["county2"], report=half, action="approve")
    assert twice.value.change_code == ChangeCode.ALREADY_APPROVED_BY_SIDE and "迁入地" in twice.value.message

    done = services.change_report_review(actor=world.users["county_c"], report=half, action="approve")
    assert done.status == ChangeStatus.APPROVED and firm_a(world).region_id == "440304"
    [history] = RegisterChange.objects.filter(report=done)
    assert history.old_value.startswith("440305") and history.new_value.startswith("440304 广东省深圳市福田区")
    # after the move the new county holds the firm; the old one still sees the report it approved
    assert report_get(user=world.users["county"], pk=report.pk) is not None


def test_a_move_across_provinces_needs_the_receiving_county_too(world: World) -> None:
    report = file(world, move("330106"))  # 深圳市南山区 → 杭州市西湖区
    assert report_get(user=world.users["county_hz"], pk=report.pk).pk == report.pk
    services.change_report_review(actor=world.users["county_hz"], report=report, action="approve")
    assert firm_a(world).region_id == "440305"
    services.change_report_review(actor=world.users["county"], report=report, action="approve")
    assert firm_a(world).region_id == "330106"


def test_a_return_from_either_side_sends_the_move_back_and_clears_approvals(world: World) -> None:
    report = file(world, move("440304"))
    services.change_report_review(actor=world.users["county"], report=report, action="approve")
    returned = services.change_report_review(actor=world.users["county_c"], report=report, action="return",
                                             comment="迁入地址未落实")
    assert returned.status == ChangeStatus.RETURNED and returned.approved_sides() == []
    again = services.change_report_revise(actor=world.users["firm_a"], report=returned, data=move("440304"))
    assert again.approved_sides() == [] and again.status == ChangeStatus.PENDING


def test_a_county_of_another_jurisdiction_can_neither_see_nor_approve(world: World) -> None:
    report = file(world, rename())
    with pytest.raises(TiduError) as hidden:
        report_get(user=world.users["county_c"], pk=report.pk)
    assert hidden.value.status == 404
    for who in ("county_c", "city", "province", "admin", "firm_a"):
        with pytest.raises(ChangeError) as refused:
            services.change_report_review(actor=world.users[who], report=report, action="approve")
        assert refused.value.change_code == ChangeCode.NOT_YOURS_TO_REVIEW, who
    assert firm_a(world).name == "企业A有限公司"
    assert review_queue(user=world.users["county_c"]) == [] and review_queue(user=world.users["city"]) == []


def test_a_stale_page_gets_a_conflict_and_changes_nothing(world: World) -> None:
    report = file(world, rename())
    seen = report.version
    services.change_report_review(actor=world.users["county"], report=report, action="return", comment="补正")
    with pytest.raises(ChangeError) as stale:
        services.change_report_review(actor=world.users["county2"], report=report, action="approve",
                                      expected_version=seen)
    assert stale.value.change_code == ChangeCode.CONFLICT and stale.value.status == 409
    assert ChangeReport.objects.get(pk=report.pk).status == ChangeStatus.RETURNED


def test_one_report_at_a_time_per_firm(world: World) -> None:
    file(world, rename())
    with pytest.raises(ChangeError) as second:
        file(world, move("440304"))
    assert second.value.change_code == ChangeCode.OPEN_REPORT


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+86 公司", "-1有限公司",
                                  "@SUM(A1)", "  =1+1"])
def test_formula_names_are_refused(world: World, name: str) -> None:
    with pytest.raises(TiduValidationError) as refused:
        file(world, rename(name))
    [(field, _code, message)] = refused.value.problems
    assert field == "new_name" and "公式" in message
    assert not ChangeReport.objects.exists()


@pytest.mark.parametrize(("name", "why"), [("", "不能为空"), ("   ", "不能为空"), ("名" * 201, "不能超过200"),
                                           ("企业A有限公司", "相同")])
def test_empty_overlong_or_unchanged_names_are_refused(world: World, name: str, why: str) -> None:
    with pytest.raises(TiduValidationError) as refused:
        file(world, rename(name))
    assert why in refused.value.message


def test_every_wrong_field_is_named_at_once(world: World) -> None:
    bad = ChangeInput(kinds=["region", "industry", "ownership"], effective_on=TODAY + dt.timedelta(days=1),
                      explanation=" ", new_region_code="999999", new_industry_code="Z9", new_ownership="")
    with pytest.raises(TiduValidationError) as refused:
        file(world, bad)
    fields = {f for f, _c, _m in refused.value.problems}
    assert fields == {"new_region_code", "new_industry_code", "new_ownership", "effective_on", "explanation"}
    assert "不能晚于今天" in refused.value.message
    with pytest.raises(TiduValidationError) as none:
        file(world, ChangeInput(kinds=[], effective_on=TODAY, explanation="x"))
    assert none.value.problems[0][0] == "kinds"


def test_evidence_is_required_and_a_disguised_file_is_refused(world: World) -> None:
    with pytest.raises(TiduError) as missing:
        services.change_report_file(actor=world.users["firm_a"], data=rename(), files=[])
    assert missing.value.field == "files" and "证明材料" in missing.value.message
    with pytest.raises(TiduError) as disguised:
        services.change_report_file(actor=world.users["firm_a"], data=rename(),
                                    files=[LICENCE, ("营业执照.pdf", b"MZ\x90\x00 an executable")])
    assert disguised.value.field == "files" and "不是 PDF" in disguised.value.message
    with pytest.raises(TiduError):
        services.change_report_file(actor=world.users["firm_a"], data=rename(), files=[("../../etc/x.pdf", PDF)])
    assert not ChangeReport.objects.exists()


def test_only_the_firms_own_staff_file_reports(world: World) -> None:
    for who in ("county", "province", "admin", "large"):
        with pytest.raises(TiduError) as refused:
            file(world, rename(), who=who)
        assert refused.value.status == 403, who


def test_three_months_is_on_time_and_a_day_more_is_late() -> None:
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert not is_late(dt.date(2026, 1, 15), dt.date(2026, 4, 15))
    assert is_late(dt.date(2026, 1, 15), dt.date(2026, 4, 16))


def test_a_report_filed_more_than_three_months_after_the_change_is_flagged_late(world: World) -> None:
    report = file(world, rename(effective_on=add_months(TODAY, -3) - dt.timedelta(days=1)))
    assert report.late
    assert "逾期报告" in Notification.objects.filter(recipient=world.users["county"]).get().body
    page = world.client("county").get(f"/changes/{report.pk}/").content.decode()
    assert 'id="late-flag"' in page and "逾期报告" in page
    on_time = add_months(TODAY, -3)
    services.change_report_review(actor=world.users["county"], report=report, action="return", comment="补正")
    again = services.change_report_revise(actor=world.users["firm_a"], report=report,
                                          data=rename(effective_on=on_time))
    assert not again.late


def test_an_approval_after_the_register_moved_on_is_refused(world: World) -> None:
    report = file(world, rename())
    Enterprise.objects.filter(pk=world.firms["A"].pk).update(industry_code="C3911")  # e.g. a data fix
    Enterprise.objects.filter(pk=world.firms["A"].pk).update(name="别处改的名称")
    with pytest.raises(ChangeError) as moved:
        services.change_report_review(actor=world.users["county"], report=report, action="approve")
    assert moved.value.change_code == ChangeCode.REGISTER_MOVED_ON
    assert ChangeReport.objects.get(pk=report.pk).status == ChangeStatus.PENDING
    assert not RegisterChange.objects.exists()


def test_industry_and_ownership_changes_are_kept_in_the_history(world: World) -> None:
    data = ChangeInput(kinds=["industry", "ownership"], effective_on=TODAY, explanation="重组后主营变更",
                       new_industry_code="C3911", new_ownership="国有控股（某国资集团持股51%）")
    report = file(world, data)
    services.change_report_review(actor=world.users["county"], report=report, action="approve")
    assert firm_a(world).industry_code == "C3911"
    rows = {r.field: (r.old_value, r.new_value) for r in RegisterChange.objects.filter(report=report)}
    assert rows == {"industry_code": ("C3484", "C3911"), "ownership": ("", "国有控股（某国资集团持股51%）")}
