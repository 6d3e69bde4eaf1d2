"""Audit events in words: who (role and name), when, what (one Chinese sentence per kind), before → after.

`AuditEvent.action` is a stable code for programs (`journey.review.reject`); people read `describe`'s
sentence instead: "县级审核人 张三 退回了 某某公司 的专精特新中小企业申报，意见：材料不全". Every kind the code
writes has a sentence in `SENTENCES` (a test scans the sources for them); a kind added later without
one still reads as a sentence (`GENERIC`), never as JSON.

Field names in `data["changes"]` are turned into labels and values by the formatter the owning app
registers for its target type (`register_field_text`), so money shows in 万元 and choices by name
while core imports no app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tidu.core.models import AuditEvent
from tidu.core.vocabulary import edition_text, standard_name

FieldText = Callable[[str, Any], tuple[str, str]]  # (field, value) -> (label, value in words)
_FIELD_TEXT: dict[str, FieldText] = {}

LEVEL_WORDS = {"county": "县级", "city": "市级", "province": "省级", "national": "国家级"}
ROLE_WORDS = {"enterprise": "企业用户", "large": "大企业用户", "provider": "服务机构用户", "innovation": "创新平台用户",
              "platform": "平台管理员"}
REVIEW_KINDS = ("journey.review.", "journey.rereview.approve", "journey.rereview.return", "journey.rereview.reject",
                "policy_filings.review.")
STATUS_WORDS = {  # application / re-review statuses as stored in `data["status"]`
    "draft": "草稿", "county": "县级审核", "city": "市级审核", "province": "省级审核", "national": "国家级审核",
    "approved": "审核通过", "publicity": "公示中", "recognised": "已认定", "returned": "已退回修改",
    "rejected": "未通过", "awaiting_firm": "待企业提交", "passed": "复核通过", "failed": "复核未通过",
    "closed": "已截止", "open": "受理中", "upheld": "异议成立", "dismissed": "异议不成立",
}

# {who} {sentence}; placeholders: {target} (what the event is about, as recorded), {firm}, {tier},
# {comment}, {year} and any key of the event's data ({number}, {reason}, {file}, {rows} …).
SENTENCES: dict[str, str] = {
    # the register
    "enterprise.create": "将 {target} 加入企业名录",
    "enterprise.update": "修改了 {target} 的企业信息",
    "enterprise.identity_change": "按核准的重大变化报告变更了 {target} 的登记信息",
    "enterprise.export": "导出了企业名录（{rows} 家）",
    "enterprise.import": "导入了企业数据文件“{file}”",
    "enterprise.import_rejected": "导入的企业数据文件“{file}”未通过检查，未写入任何数据",
    "enterprise_year.create": "填报了 {target}数据",
    "enterprise_year.update": "修改了 {target}数据",
    "enterprise_year.verify": "核实了 {target}数据（{count} 项）",
    "demo.seed": "生成了演示数据",
    "demo.scale": "把演示企业名录扩充了 {enterprises} 家企业（压测用，种子 {seed}）",
    # accounts
    "account.firm_register": "注册了企业账号（{target}）",
    "account.firm_register_held": "提交了企业注册（{target}），等待所在地主管部门核实",
    "account.claim_submit": "申请开通已在名录中的企业（{target}）的账号",
    "account.request_confirm": "确认了 {target} 的申请",
    "account.request_reject": "驳回了 {target} 的申请，理由：{reason}",
    "account.invitation_create": "向 {target} 发送了账号开通邀请（{email}）",
    "account.invitation_accept": "接受邀请，开通了 {target} 的账号",
    "api_token.create": "创建了 API 令牌“{name}”",
    "api_token.revoke": "撤销了 API 令牌 {target}",
    "ratelimit.trip": "触发了频率限制（{what}）：{who}“{key}”{window}内超过 {limit} 次，此后的请求在本时段内被拒绝",
    # applications and their review
    "journey.round.open": "开启了申报批次“{target}”",
    "journey.round.close": "截止了申报批次“{target}”的受理",
    "journey.application.create": "创建了 {firm} 的{tier}申报（{fiscal_year}年度数据）",
    "journey.application.lock": "确认并锁定了 {firm} 的{tier}申报书数据",
    "journey.application.unlock": "解除了 {firm} 的{tier}申报书锁定，以便修改",
    "journey.application.submit": "提交了 {firm} 的{tier}申报",
    "journey.attachment.add": "为 {firm} 的{tier}申报上传了附件“{name}”",
    "journey.attachment.delete": "删除了 {firm} 的{tier}申报的附件",
    "journey.review.approve": "通过了 {firm} 的{tier}申报{comment_part}",
    "journey.review.return": "退回了 {firm} 的{tier}申报，意见：{comment}",
    "journey.review.reject": "不予通过 {firm} 的{tier}申报，意见：{comment}",
    "journey.publicity.publish": "发布了公示“{target}”（{starts_on} 至 {ends_on}）",
    "journey.publicity.reschedule": "因节假日安排调整了公示“{target}”的截止日期",
    "journey.publicity.decide": "公示期满，作出认定决定（公示“{target}”）",
    "journey.calendar.save": "设置了 {day} 为{workday_word}",
    "journey.calendar.delete": "删除了 {day} 的节假日设置",
    "journey.objection.lodge": "对 {firm} 的{tier}公示提出了异议",
    "journey.objection.resolve": "处理了对 {firm} 的{tier}公示的异议（{status_word}）",
    "journey.recognition.grant": "认定 {target}（有效期至 {valid_until}）",
    "journey.recognition.revoke": "撤销了认定 {target}，理由：{reason}",
    "journey.recognition.extend": "延续了认定 {target} 的有效期",
    "journey.recognition.not_extended": "认定 {target} 复核未通过，有效期不再延续",
    "journey.rereview.open": "发起了 {target}",
    "journey.rereview.submit": "提交了 {target} 材料",
    "journey.rereview.approve": "通过了 {target}{comment_part}",
    "journey.rereview.return": "退回了 {target}，意见：{comment}",
    "journey.rereview.reject": "不予通过 {target}，意见：{comment}",
    # change reports (重大变化报告)
    "changes.report.file": "提交了重大变化报告（{target}）",
    "changes.report.resubmit": "修改后重新提交了重大变化报告（{target}）",
    "changes.report.return": "退回了重大变化报告（{target}）{comment_part}",
    "changes.report.approve": "核准了重大变化报告（{target}）",
    # digital level
    "digital.assessment.start": "开始了数字化水平评测（{target}）",
    "digital.assessment.save": "保存了数字化水平评测草稿（已答 {answered} 题）",
    "digital.assessment.category": "更改了数字化水平评测的行业类别（{target}）",
    "digital.assessment.submit": "提交了数字化水平评测（{target}），得分 {score}，{level} 级",
    "digital.demo.seed": "生成了数字化水平演示数据",
    # scenarios and paths
    "scenario.create": "新增了AI应用场景“{target}”",
    "scenario.update": "修改了AI应用场景“{target}”",
    "scenario.deactivate": "停用了AI应用场景“{target}”",
    "path.create": "新增了转型路径“{target}”",
    "path.update": "修改了转型路径“{target}”",
    "scenarios.import": "导入了AI应用场景文件“{file}”（新增 {created}，更新 {updated}）",
    "paths.import": "导入了转型路径文件“{file}”（新增 {created}，更新 {updated}）",
    "scenarios.seed": "载入了AI应用场景库示例",
    # news feed (政策快讯)
    "news.article.create": "新建了文章“{target}”",
    "news.article.update": "修改了文章“{target}”",
    "news.article.publish": "发布了文章“{target}”",
    "news.article.withdraw": "撤回了文章“{target}”，改为草稿",
    "news.demo.seed": "生成了政策快讯示例文章（{articles} 篇）",
    # ladder dashboard (梯度看板)
    "insights.refresh_submit": "提交了梯度看板统计的刷新",
    "insights.refresh_after_import": "导入企业数据后，自动提交了梯度看板统计的刷新（{firms} 家企业）",
    # background jobs whose worker died (tidu.jobs.lease)
    "jobs.requeued": "将被中断的后台任务 {target} 重新排队（{cause}，已运行 {attempts} 次）",
    "jobs.interrupted": "将被中断的后台任务 {target} 标记为失败（{cause}）",
    # threshold sandbox (门槛沙盘)
    "sandbox.run": "做了一次门槛沙盘试算（{target}），现行规则未改变",
    # policies (惠企政策): written as data, published, pushed, paid
    "policy.create": "录入了政策“{target}”",
    "policy.update": "修改了政策“{target}”的文件信息",
    "policy.edition_add": "为政策“{target}”录入了 {effective_on} 起生效的新版本，依据：{basis}",
    "policy.batch_add": "为政策“{target}”添加了批次“{batch}”",
    "policy.publish": "发布了政策“{target}”",
    "policy.withdraw": "废止了政策“{target}”，原因：{reason}",
    "policy.subscribe": "为 {target} 订阅了新政策提醒",
    "policy.unsubscribe": "为 {target} 取消了新政策提醒",
    "policy.push": "向“{target}”（{batch}）推送名单中的 {count} 家企业发出了免申即享通知",
    "policy.award_grant": "作出奖补决定：{target}（{batch}）",
    "policy.payout_record": "登记了拨付：{target}，凭证号 {reference}",
    "policy.award_revoke": "撤销了奖补决定：{target}，原因：{reason}",
    # service list (服务清单)
    "service.provider_save": "登记或修改了服务机构信息（{target}）",
    "service.provider_decide": "审核服务机构“{target}”：{decision}",
    "service.offer_save": "保存了服务事项“{target}”",
    "service.offer_submit": "提交服务事项“{target}”审核上架",
    "service.offer_decide": "审核服务事项“{target}”：{decision}",
    "service.offer_withdraw": "下架了服务事项“{target}”",
    "service.request_submit": "申请了服务（{target}），应于 {due_on} 前响应",
    "service.request_accept": "受理了服务申请（{target}）",
    "service.request_reply": "在服务申请（{target}）中留言",
    "service.request_done": "将服务申请（{target}）标记为已完成",
    "service.request_decline": "婉拒了服务申请（{target}），理由：{reason}",
    "service.request_rate": "评价了服务（{target}）：{score} 分",
    # policy applications (tidu.policy_filings)
    "policy_filings.filing.start": "开始填写政策申报 {target}",
    "policy_filings.filing.update": "修改了政策申报 {target} 的联系人信息",
    "policy_filings.attachment.add": "为政策申报 {target} 上传了材料“{name}”",
    "policy_filings.attachment.delete": "删除了政策申报 {target} 的一份材料",
    "policy_filings.filing.submit": "提交了政策申报 {target}（{fiscal_year}年度数据）",
    "policy_filings.review.approve": "审核通过政策申报 {target}{comment_part}",
    "policy_filings.review.return": "退回了政策申报 {target}，意见：{comment}",
    "policy_filings.review.reject": "不予通过政策申报 {target}，意见：{comment}",
    # notifications
    "notifications.annual_update.request": "请辖区内 {enterprises} 家企业更新 {fiscal_year} 年度数据",
    # 发榜/揭榜 (tidu.needs)
    "needs.need_create": "新建了需求“{target}”（草稿）",
    "needs.need_update": "修改了需求“{target}”",
    "needs.need_publish": "发布了需求“{target}”",
    "needs.need_close": "结束了需求“{target}”的方案征集",
    "needs.need_cancel": "撤回了需求“{target}”",
    "needs.need_complete": "需求“{target}”的揭榜项目全部验收通过，需求完成",
    "needs.need_approve": "审核通过需求“{target}”",
    "needs.need_hide": "下架了需求“{target}”，理由：{reason}",
    "needs.need_restore": "恢复上架需求“{target}”",
    "needs.invite": "邀请 {firm} 揭榜需求“{target}”",
    "needs.response_submit": "提交了揭榜方案（{target}）",
    "needs.response_withdraw": "撤回了揭榜方案（{target}）",
    "needs.response_shortlist": "将揭榜方案（{target}）列入入围名单",
    "needs.response_select": "选定揭榜方案（{target}）",
    "needs.response_reject": "将揭榜方案（{target}）标记为未入选",
    "needs.contract_record": "登记了揭榜项目（{target}）的合同",
    "needs.milestone_add": "为揭榜项目（{target}）添加里程碑“{milestone}”，计划 {due_on} 完成",
    "needs.milestone_done": "揭榜项目（{target}）的里程碑“{milestone}”于 {done_on} 完成",
    "needs.acceptance_record": "记录了揭榜项目（{target}）的验收：{result}",
    # 科技成果转化 (tidu.techtransfer)
    "techtransfer.achievement_save": "保存了科技成果“{target}”",
    "techtransfer.achievement_list": "发布了科技成果“{target}”",
    "techtransfer.achievement_withdraw": "撤下了科技成果“{target}”",
    "techtransfer.achievement_transferred": "科技成果“{target}”已转让",
    "techtransfer.request_submit": "申请对接科技成果（{target}）",
    "techtransfer.request_accept": "接洽了成果转化申请（{target}）",
    "techtransfer.request_decline": "婉拒了成果转化申请（{target}），理由：{reply}",
    "techtransfer.request_conclude": "成果转化申请（{target}）已成交",
    "techtransfer.transfer_record": "登记了成果转化（{target}），合同编号 {contract_no}",
    "techtransfer.transfer_review": "核实了成果转化记录（{target}）",
    "techtransfer.incubation_record": "登记了孵化企业（{target}），入孵日期 {since}",
    "techtransfer.incubation_end": "结束了孵化（{target}），日期 {ended_on}",
    "techtransfer.incubation_review": "核实了孵化企业记录（{target}）",
    # 对接活动 (tidu.events)
    "events.event_create": "创建了对接活动“{target}”",
    "events.registration_submit": "报名参加对接活动（{target}）",
    "events.registration_update": "修改了对接活动的报名信息（{target}）",
    "events.schedule_submit": "为对接活动“{target}”启动了智能排程",
    "events.schedule_apply": "对接活动“{target}”生成了洽谈安排，共 {meetings} 场",
    "events.meeting_move": "将第{from_slot}时段{from_table}号桌的洽谈调整到{target}",
    "events.meeting_add": "增加了一场洽谈：{large} 与 {sme}，第{slot}时段{table}号桌",
    "events.meeting_cancel": "取消了对接活动“{target}”第{slot}时段{table}号桌的洽谈",
    "events.checkin": "确认 {target} 已到场签到",
    "events.outcome_record": "记录了对接活动“{target}”的成效，已洽谈 {held} 场",
}
GENERIC = "对 {target} 进行了操作"  # a kind without a sentence yet: still words, never JSON
GENERIC_NO_TARGET = "进行了一项操作"


@dataclass
class AuditLine:
    at: dt.datetime
    who: str
    sentence: str  # starts with `who`
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    action: str = ""


def register_field_text(target_type: str, fn: FieldText) -> None:
    """An app says how its fields read: `target_type` as stored (`enterprises.enterpriseyear`)."""
    _FIELD_TEXT[target_type] = fn


def plain_value(value: Any) -> str:
    """A stored value in words when no app formatter knows the field."""
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(plain_value(v) for v in value)
    return str(value)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "—"


def _person(user: Any) -> str:
    """张三 (family name first, no space) for Chinese names; the full name or the user name otherwise."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last and not (first + last).isascii():
        return f"{last}{first}"
    return user.get_full_name() or user.get_username()


def _who(event: AuditEvent, orgs: dict[int, Any]) -> str:
    if event.actor_id is None:
        return event.actor_label if event.actor_label and event.actor_label != "系统" else "系统"
    user = event.actor
    name = _person(user) if user is not None else event.actor_label
    org = orgs.get(event.actor_id)
    if user is not None and user.is_superuser and org is None:
        return f"平台管理员 {name}"
    if org is None:
        return f"用户 {name}"
    if org.kind == "government":
        level = LEVEL_WORDS.get(org.gov_level, "")
        role = "审核人" if event.action.startswith(REVIEW_KINDS) else "主管部门"
        return f"{level}{role} {name}"
    return f"{ROLE_WORDS.get(org.kind, '用户')} {name}"


def _values(event: AuditEvent) -> dict[str, Any]:
    data = event.data if isinstance(event.data, dict) else {}
    target = event.target_label or ""
    firm, _sep, tier = target.partition(" · ")
    values: dict[str, Any] = {k: plain_value(v) for k, v in data.items() if not isinstance(v, dict)}
    comment = str(data.get("comment") or "").strip()
    status = data.get("status")
    status_now = status[-1] if isinstance(status, list) and status else status
    values.update({
        "target": target or "—", "firm": firm or target or "—", "tier": tier or "",
        "comment": comment or "（未填写）", "comment_part": f"，意见：{comment}" if comment else "",
        "status_word": STATUS_WORDS.get(str(status_now), plain_value(status_now)),
        "workday_word": "工作日（调休上班）" if data.get("is_workday") else "休息日",
        "count": len(data.get("fields") or data.get("verified") or []) or plain_value(data.get("count")),
        "rows": plain_value(data.get("rows")),
    })
    if "standard" in data:
        values["tier"] = standard_name(str(data["standard"]))
    if "pack_edition" in data:
        values["edition"] = edition_text(str(data["pack_edition"]))
    return values


def _changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    data = event.data if isinstance(event.data, dict) else {}
    changes = data.get("changes")
    if not isinstance(changes, dict):
        return []
    words = _FIELD_TEXT.get(event.target_type)
    out: list[tuple[str, str, str]] = []
    for name, pair in changes.items():
        old, new = (pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair))
        if words is not None:
            label, before = words(name, old)
            _label, after = words(name, new)
        else:
            label, before, after = name, plain_value(old), plain_value(new)
        out.append((label, before, after))
    return out


def describe(event: AuditEvent, *, orgs: dict[int, Any] | None = None) -> AuditLine:
    """One event in words (pass `orgs` from `describe_all` to avoid a query per event)."""
    if orgs is None:
        orgs = _organisations([event])
    who = _who(event, orgs)
    template = SENTENCES.get(event.action) or (GENERIC if event.target_label else GENERIC_NO_TARGET)
    what = template.format_map(_Blank(_values(event)))
    return AuditLine(at=event.at, who=who, sentence=f"{who} {what}", changes=_changes(event), action=event.action)


def _organisations(events: Iterable[AuditEvent]) -> dict[int, Any]:
    """user id → organisation for the actors of `events`, in one query."""
    from django.apps import apps

    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    membership = apps.get_model("accounts", "Membership")
    return {m.user_id: m.organisation for m in membership.objects.select_related("organisation").filter(user_id__in=ids)}


def describe_all(events: Iterable[AuditEvent]) -> list[AuditLine]:
    """Many events in words: actors and organisations loaded once, then every sentence computed."""
    from django.contrib.auth import get_user_model

    rows = list(events)
    users = get_user_model().objects.in_bulk({e.actor_id for e in rows if e.actor_id is not None})
    for e in rows:
        if e.actor_id is not None and e.actor_id in users:
            e.actor = users[e.actor_id]  # one query for every actor, not one per line
    orgs = _organisations(rows)
    return [describe(e, orgs=orgs) for e in rows]
