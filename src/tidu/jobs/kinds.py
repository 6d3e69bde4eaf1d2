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


KINDS: dict[str, JobKind] = {
    kind.code: kind
    for kind in [
        JobKind("enterprise_import", _("企业及年度数据导入"), "tidu.enterprises.imports.import_job_handler"),
        JobKind("enterprise_export", _("企业及年度数据导出"), "tidu.enterprises.exports.export_job_handler"),
        JobKind("policy_sandbox", _("政策沙盘试算"), "tidu.policies.sandbox.sandbox_job_handler"),
        JobKind("threshold_sandbox", _("门槛沙盘试算"), "tidu.sandbox.services.run_job_handler"),
        JobKind("event_schedule", _("对接活动排程"), "tidu.events.services.schedule_job_handler"),
        JobKind("insights_refresh", _("梯度看板数据刷新"), "tidu.insights.services.refresh_job_handler"),
    ]
}
