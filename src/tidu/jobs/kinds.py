"""The kinds of background job and the function that runs each.

Handlers are named by dotted path and imported only when a job runs, so this app depends on no
domain app and the worker imports only what it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str | Promise
    handler: str  # "package.module.function"; called as handler(job) -> JobOutcome
    # Queued again when its worker dies mid-run (tidu.jobs.lease): only for handlers that rewrite their
    # whole result from scratch, so a second run after a partial one ends in the same state.
    resumable: bool = False
    # For the others: what the owner should know about the data after an interruption (the job fails).
    interrupted: str | Promise = ""


KINDS: dict[str, JobKind] = {
    kind.code: kind
    for kind in [
        JobKind("enterprise_import", _("企业及年度数据导入"), "tidu.enterprises.imports.import_job_handler",
                interrupted=_("导入在一个事务中写入：中断时没有提交的行已全部撤销，不会只写入一部分。"
                              "请在企业名录中核对，或重新上传同一文件（按统一社会信用代码和年度更新，不会产生重复数据）。")),
        JobKind("enterprise_export", _("企业及年度数据导出"), "tidu.enterprises.exports.export_job_handler",
                resumable=True),
        JobKind("policy_sandbox", _("政策沙盘试算"), "tidu.policies.sandbox.sandbox_job_handler"),
        JobKind("threshold_sandbox", _("门槛沙盘试算"), "tidu.sandbox.services.run_job_handler", resumable=True),
        JobKind("event_schedule", _("对接活动排程"), "tidu.events.services.schedule_job_handler"),
        JobKind("insights_refresh", _("梯度看板数据刷新"), "tidu.insights.services.refresh_job_handler",
                resumable=True),
    ]
}
