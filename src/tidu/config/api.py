"""The one NinjaAPI at /api/v1; each app adds its router here."""

from ninja import NinjaAPI

from tidu.core import api_errors

api = NinjaAPI(
    title="梯度 Tidu API",
    version="1",
    description="优质中小企业梯度培育平台接口。权限与网页相同：企业只能看到本企业，政府用户只能看到其辖区。",
    docs_url="/docs",
    urls_namespace="api-v1",
)
api_errors.install(api)  # not signed in, malformed requests: Chinese messages, stable codes
api.add_router("/", "tidu.jobs.api.router")  # /jobs/{id}, /io/imports, /io/export.csv
api.add_router("/enterprises", "tidu.enterprises.api.router")  # list, detail, years, evaluation-record
api.add_router("/journey", "tidu.journey.api.router")  # rounds, applications, review, publicity, recognitions
api.add_router("/digital", "tidu.digital.api.router")  # questionnaires, results with peer comparison
api.add_router("/scenarios", "tidu.scenarios.api.router")  # search, recommendations, paths
api.add_router("/ladder", "tidu.ladder.api.router")  # me, what-if, {credit_code}: live self-assessment
api.add_router("/notifications", "tidu.notifications.api.router")  # inbox, read, annual-update requests
api.add_router("/changes", "tidu.changes.api.router")  # 重大变化报告: file, revise, review
api.add_router("/services", "tidu.service_catalog.api.router")  # 服务清单: offers, requests, ratings, oversight
api.add_router("/policy-filings", "tidu.policy_filings.api.router")  # 政策申报兑现: apply, submit, review, pay
api.add_router("/policies", "tidu.policies.api.router")  # 惠企政策: list, mine, push lists, awards, payouts
api.add_router("/needs", "tidu.needs.api.router")  # 发榜/揭榜: needs, responses, selection, contracts, funnel
api.add_router("/events", "tidu.events.api.router")  # 对接活动: events, registrations, meeting grid, schedules
api.add_router("/techtransfer", "tidu.techtransfer.api.router")  # 科技成果: achievements, transfers, incubations
api.add_router("/insights", "tidu.insights.api.router")  # 梯度看板: pyramid, movements, register tiers
api.add_router("/sandbox", "tidu.sandbox.api.router")  # 门槛沙盘: what-if thresholds over the register
