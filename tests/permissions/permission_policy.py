"""The declared permission policy: for every named URL and every API operation, who may use it and on whose
objects. The matrix test (test_permission_matrix.py) derives each expected outcome from this table and never
from a response; the completeness test fails on a URL or operation the table does not classify.

Roles: see matrix_world.ROLE_USERS. An entry says
- `who`: the roles that may use the endpoint at all;
- `obj`/`args`: which object kind each path parameter names (filled with the "own" and the "other" side's);
- `scope`: on an object, which of those roles may reach which side —
  "any"       every role in `who`, both sides (public objects, or a role-independent page);
  "owner"     the object's owners (OWNERS below) on their own side, and the platform admin;
  "juris"     officials whose jurisdiction holds the object (JURIS below), and the platform admin;
  "owner_or_juris" either;
- `write`: the endpoint changes state (pages are POSTed an empty form, API calls sent `{}`): a refused role must
  leave the database as it was.
How to classify a new endpoint: docs/decisions/0105-permission-matrix.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ANON, FIRM, LARGE, PROVIDER, INNOV = "anonymous", "firm", "large", "provider", "innovation"
COUNTY, CITY, PROVINCE, ADMIN = "county", "city", "province", "admin"
ALL = frozenset({ANON, FIRM, LARGE, PROVIDER, INNOV, COUNTY, CITY, PROVINCE, ADMIN})
USERS = ALL - {ANON}
GOV = frozenset({COUNTY, CITY, PROVINCE})
OFFICE = GOV | {ADMIN}  # officials and the platform admin
FIRM_ONLY = frozenset({FIRM})
NOBODY: frozenset[str] = frozenset()

# Which roles own the "own" side's object of each kind (the "other" side's belongs to nobody under test).
OWNERS: dict[str, frozenset[str]] = {
    "enterprise": FIRM_ONLY, "credit_code": FIRM_ONLY, "application": FIRM_ONLY, "attachment": FIRM_ONLY,
    "recognition": FIRM_ONLY, "token": FIRM_ONLY, "change_report": FIRM_ONLY, "change_attachment": FIRM_ONLY,
    "assessment": FIRM_ONLY, "notification": FIRM_ONLY, "job": FIRM_ONLY, "policy_filing": FIRM_ONLY,
    "policy_attachment": FIRM_ONLY,
    "service_request": frozenset({FIRM, PROVIDER}), "offer": frozenset({PROVIDER}),
    "provider": frozenset({PROVIDER}),
    "need": frozenset({LARGE}), "need_response": frozenset({FIRM, LARGE}),
    "event": frozenset({CITY}),
    "achievement": frozenset({INNOV}), "transfer_request": frozenset({FIRM, INNOV}),
    "transfer": frozenset({INNOV}), "incubation": frozenset({INNOV}), "platform_org": frozenset({INNOV}),
    "policy": frozenset({PROVINCE}), "policy_batch": frozenset({PROVINCE}), "policy_code": frozenset({PROVINCE}),
    "round": frozenset({PROVINCE}), "account_request": NOBODY, "sandbox_run": frozenset({PROVINCE}),
}
# Which officials hold the "own" side's object in their jurisdiction (the "other" side is in Zhejiang).
JURIS: dict[str, frozenset[str]] = {
    "event": frozenset({CITY, PROVINCE}), "offer": frozenset({CITY, PROVINCE}),
    "policy": frozenset({PROVINCE}), "policy_batch": frozenset({PROVINCE}), "round": frozenset({PROVINCE}),
    "policy_code": frozenset({PROVINCE}), "checkin_token": frozenset({CITY, PROVINCE}),
}


@dataclass(frozen=True)
class Rule:
    who: frozenset[str]
    obj: str | None = None
    scope: str = "any"
    write: bool = False
    args: dict[str, str] = field(default_factory=dict)  # path parameter → object kind (default: obj)
    fixed: dict[str, str] = field(default_factory=dict)  # path parameter → constant (action names…)
    sides: dict[str, frozenset[str]] | None = None  # explicit: side → roles allowed on it (instead of scope)
    juris: frozenset[str] | None = None  # officials holding the own side, when not JURIS[obj]
    admin_all: bool = True  # the platform admin reaches every object (False: personal objects)
    scoped: bool = False  # an allowed answer lists only what the role may see (no other firm in the body)
    only_refusals: bool = False  # only the refused roles are sent (the allowed side is not ours to judge)
    data: dict[str, str] = field(default_factory=dict)  # the form a write is POSTed (default: empty)
    query: str = ""  # a query string the endpoint needs ("LAST_YEAR" is replaced)
    sample: frozenset[str] | None = None  # role-independent and costly: send only these roles

    def allows(self, role: str, side: str | None) -> bool:
        if role not in self.who:
            return False
        if self.sides is not None:
            return role in self.sides[side or "own"]
        if self.obj is None or self.scope == "any" or (role == ADMIN and self.admin_all):
            return True
        owner = side == "own" and role in OWNERS.get(self.obj, NOBODY)
        juris = side == "own" and role in (self.juris or JURIS.get(self.obj, GOV))
        return {"owner": owner, "juris": juris, "owner_or_juris": owner or juris}[self.scope]


def R(who: frozenset[str] | set[str], obj: str | None = None, scope: str = "any", *, write: bool = False,
      args: dict[str, str] | None = None, fixed: dict[str, str] | None = None,
      own: frozenset[str] | set[str] | None = None, other: frozenset[str] | set[str] | None = None,
      juris: frozenset[str] | set[str] | None = None, admin_all: bool = True, scoped: bool = False,
      only_refusals: bool = False, data: dict[str, str] | None = None, query: str = "",
      sample: frozenset[str] | set[str] | None = None) -> Rule:
    sides = None if own is None else {"own": frozenset(own), "other": frozenset(other or ())}
    return Rule(frozenset(who), obj, scope, write, args or {}, fixed or {}, sides,
                None if juris is None else frozenset(juris), admin_all, scoped, only_refusals, data or {},
                query, None if sample is None else frozenset(sample))


def W(who: frozenset[str] | set[str], obj: str | None = None, scope: str = "any", **kw: Any) -> Rule:
    return R(who, obj, scope, write=True, **kw)


MINE = "owner"
THEIRS = "owner_or_juris"
JUR = "juris"

# ---- pages: URL name → rule (GET unless write) ----
PAGES: dict[str, Rule] = {
    # core, accounts
    "home": R(ALL), "favicon": R(ALL), "healthz": R(ALL),
    "metrics": R(ALL),  # open to loopback (the test client) or a token; tests/deploy checks the refusals
    "login": R(ALL), "logout": W(ALL), "set_language": W(ALL),
    "password_reset": R(ALL), "password_reset_done": R(ALL), "password_reset_complete": R(ALL),
    "password_reset_confirm": R(ALL, fixed={"uidb64": "MQ", "token": "bogus-token"}),
    "accounts:register": R(ALL), "accounts:profile": R(USERS), "accounts:token_create": W(USERS),
    "accounts:token_revoke": W(USERS, "token", MINE, args={"token_id": "token"}, admin_all=False),
    "accounts:request_status": R(USERS), "accounts:requests": R(OFFICE),
    "accounts:request_confirm": W(OFFICE, "account_request", JUR),
    "accounts:request_reject": W(OFFICE, "account_request", JUR),
    "accounts:without_account": R(OFFICE),
    "accounts:invite": W(OFFICE, "enterprise", JUR, args={"enterprise_id": "enterprise"}),
    "accounts:activate": R(NOBODY, fixed={"token": "bogus-token"}),  # an unknown invitation opens nothing
    "regions:region_options": R(ALL), "regions:industry_options": R(ALL), "regions:area_options": R(ALL),
    # firms and the register
    "enterprises:dashboard": R(FIRM_ONLY | OFFICE),  # officials are sent on to the register
    "enterprises:profile": R(FIRM_ONLY), "enterprises:year_new": R(FIRM_ONLY),
    "enterprises:year_edit": R(FIRM_ONLY, fixed={"year": "LAST_YEAR"}),
    "enterprises:register": R(OFFICE, scoped=True),
    "enterprises:detail": R(FIRM_ONLY | OFFICE, "enterprise", THEIRS),
    "enterprises:year_detail": R(FIRM_ONLY | OFFICE, "enterprise", THEIRS, fixed={"year": "LAST_YEAR"}),
    "enterprises:year_verify": W(GOV, "enterprise", JUR, fixed={"year": "LAST_YEAR"}),
    "io:import": R(OFFICE), "io:template": R(OFFICE), "io:export_xlsx": R(FIRM_ONLY | OFFICE, scoped=True),
    "io:export_csv": R(FIRM_ONLY | OFFICE, scoped=True),
    "jobs:list": R(USERS), "jobs:detail": R(USERS, "job", MINE, args={"job_id": "job"}, admin_all=False),
    "jobs:status": R(USERS, "job", MINE, args={"job_id": "job"}, admin_all=False),
    "jobs:report": R(USERS, "job", MINE, args={"job_id": "job"}, admin_all=False),
    # journey
    "journey:home": R(FIRM_ONLY | OFFICE), "journey:rounds": R({PROVINCE, ADMIN}),
    "journey:apply": W(FIRM_ONLY, "round", JUR),
    "journey:round_close": W({PROVINCE, ADMIN}, "round", JUR),
    "journey:publicity_publish": W({PROVINCE, ADMIN}, "round", JUR),
    "journey:detail": R(FIRM_ONLY | OFFICE, "application", THEIRS),
    "journey:application_form": R(FIRM_ONLY | OFFICE, "application", THEIRS),
    "journey:lock": W(FIRM_ONLY, "application", MINE), "journey:unlock": W(FIRM_ONLY, "application", MINE),
    "journey:submit": W(FIRM_ONLY, "application", MINE),
    "journey:attachment_upload": W(FIRM_ONLY, "application", MINE),
    "journey:review": W(OFFICE, "application", own={COUNTY}),  # the step it waits at: the county
    "journey:attachment": R(FIRM_ONLY | OFFICE, "attachment", THEIRS),
    "journey:attachment_delete": W(FIRM_ONLY, "attachment", MINE),
    "journey:queue": R(OFFICE, scoped=True), "journey:queue_batch": W(OFFICE), "journey:audit": R(OFFICE),
    "journey:recognitions_manage": R(OFFICE),
    "journey:recognition_revoke": W(OFFICE, "recognition", JUR, juris={PROVINCE}),  # the issuing province
    "journey:certificate": R(FIRM_ONLY | OFFICE, "recognition", THEIRS),
    "journey:rereviews": R(OFFICE), "journey:rereview_open": W({PROVINCE, ADMIN}),
    "journey:rereview": R(FIRM_ONLY | OFFICE, "rereview", THEIRS),
    "journey:rereview_submit": W(FIRM_ONLY, "rereview", MINE),
    "journey:rereview_review": W(OFFICE, "rereview", JUR),
    "journey:publicity": R(ALL, "publicity"), "journey:objection_lodge": W(ALL, "publicity"),
    "journey:objection_resolve": W(OFFICE, "objection", JUR),
    "journey:publicity_decide": W({PROVINCE, ADMIN}, "publicity", JUR),
    "journey:recognitions": R(ALL), "journey:verify_form": R(ALL),
    "journey:verify": R(ALL, "recognition_number", args={"number": "recognition_number"}),
    # self-assessment, digital, scenarios
    "ladder:me": R(FIRM_ONLY), "ladder:what_if": W(FIRM_ONLY), "ladder:report": R(FIRM_ONLY),
    "ladder:firm": R(FIRM_ONLY | OFFICE, "credit_code", THEIRS),
    "ladder:firm_what_if": W(FIRM_ONLY | OFFICE, "credit_code", THEIRS),
    "ladder:firm_report": R(FIRM_ONLY | OFFICE, "credit_code", THEIRS),
    "digital:home": R(FIRM_ONLY | OFFICE), "digital:assessment": R(FIRM_ONLY),
    "digital:result": R(FIRM_ONLY | OFFICE, "assessment", THEIRS),
    "digital:result_pdf": R(FIRM_ONLY | OFFICE, "assessment", THEIRS), "digital:distribution": R(OFFICE),
    # the scenario library: read by every signed-in user, maintained by officials and the platform admin
    "scenarios:list": R(USERS), "scenarios:new": R(OFFICE), "scenarios:import": R(OFFICE),
    "scenarios:import_template": R(OFFICE), "scenarios:recommend": R(FIRM_ONLY), "scenarios:paths": R(USERS),
    "scenarios:my_path": R(USERS),  # a firm's own path; anyone else is sent on to the list of paths
    "scenarios:path_new": R(OFFICE),
    "scenarios:path_edit": R(OFFICE, "path_code", args={"code": "path_code"}),
    "scenarios:path": R(USERS, "path_code", args={"code": "path_code"}),
    "scenarios:detail": R(USERS, "scenario_code", args={"code": "scenario_code"}),
    "scenarios:edit": R(OFFICE, "scenario_code", args={"code": "scenario_code"}),
    # notifications, changes
    "notifications:inbox": R(USERS), "notifications:read": W(USERS, "notification", MINE, admin_all=False),
    "notifications:read_all": W(USERS), "notifications:annual_update": R(OFFICE),
    "changes:mine": R(FIRM_ONLY), "changes:new": R(FIRM_ONLY), "changes:queue": R(OFFICE, scoped=True),
    "changes:detail": R(FIRM_ONLY | OFFICE, "change_report", THEIRS),
    "changes:revise": W(FIRM_ONLY, "change_report", MINE), "changes:review": W(OFFICE, "change_report", JUR),
    "changes:attachment": R(FIRM_ONLY | OFFICE, "change_attachment", THEIRS),
    # services
    "services:list": R(ALL), "services:offer": R(ALL, "offer"),
    "services:request_new": W(FIRM_ONLY, "offer"), "services:my_requests": R(FIRM_ONLY),
    "services:request": R({FIRM, PROVIDER} | OFFICE, "service_request", THEIRS),
    "services:request_action": W({FIRM, PROVIDER, ADMIN}, "service_request", own={PROVIDER, ADMIN}, other={ADMIN},
                                  fixed={"action": "accept"}),  # accepting is the provider's
    "services:provider_home": R({PROVIDER}), "services:provider_profile": R({PROVIDER}),
    "services:offer_new": R({PROVIDER}), "services:offer_edit": R({PROVIDER}, "offer", MINE),
    "services:offer_action": W({PROVIDER}, "offer", MINE, fixed={"action": "withdraw"}),
    "services:oversight": R(OFFICE), "services:oversight_export": R(OFFICE),
    "services:provider_decide": W(OFFICE, "provider", JUR), "services:offer_decide": W(OFFICE, "offer", JUR),
    # policies and policy filings
    "policy_filings:apply": W(FIRM_ONLY, "policy_code", args={"code": "policy_code"}),
    "policy_filings:index": R(FIRM_ONLY | OFFICE, scoped=True),
    "policy_filings:detail": R(FIRM_ONLY | OFFICE, "policy_filing", THEIRS),
    "policy_filings:update": W(FIRM_ONLY, "policy_filing", MINE),
    "policy_filings:submit": W(FIRM_ONLY, "policy_filing", MINE),
    "policy_filings:attachment_upload": W(FIRM_ONLY, "policy_filing", MINE),
    "policy_filings:review": W(GOV, "policy_filing", JUR),  # officials review; the admin does not
    # paid only once approved: the world's filing waits for review, so nobody may pay it yet
    "policy_filings:payout": W(OFFICE, "policy_filing", own=NOBODY, other=NOBODY),
    "policy_filings:attachment": R(FIRM_ONLY | OFFICE, "policy_attachment", THEIRS),
    "policy_filings:attachment_delete": W(FIRM_ONLY, "policy_attachment", MINE),
    "policies:list": R(ALL), "policies:mine": R(FIRM_ONLY), "policies:subscribe": W(FIRM_ONLY),
    "policies:my_awards": R(FIRM_ONLY), "policies:awards": R(ALL), "policies:awards_export": R(ALL, fixed={"fmt": "csv"}),
    "policies:manage": R(OFFICE), "policies:create": R(OFFICE), "policies:payouts": R(OFFICE),
    "policies:manage_detail": R(OFFICE, "policy_code", JUR, args={"code": "policy_code"}),
    "policies:edit": R(OFFICE, "policy_code", JUR, args={"code": "policy_code"}),
    "policies:edition_new": W(OFFICE, "policy_code", JUR, args={"code": "policy_code"}),
    "policies:batch_new": W(OFFICE, "policy_code", JUR, args={"code": "policy_code"}),
    "policies:publish": W(OFFICE, "policy_code", JUR, args={"code": "policy_code"}),
    "policies:push": W(OFFICE, "policy_batch", JUR, args={"batch_id": "policy_batch"}),
    "policies:award": R(OFFICE, "award", JUR, args={"award_id": "award"}),
    "policies:detail": R(ALL, "policy_code", args={"code": "policy_code"}),
    # news
    "news:list": R(ALL), "news:detail": R(ALL, "article"), "news:rss": R(ALL), "news:atom": R(ALL),
    "news:media": R(ALL, "news_media", args={"name": "news_media"}), "news:sitemap": R(ALL),
    # needs
    "needs:list": R(USERS), "needs:mine": R({FIRM, LARGE}), "needs:new": R({LARGE}),
    # a published need is read by every firm; officials read (and curate) those of their jurisdiction
    "needs:detail": R(USERS, "need", own=USERS, other=USERS - GOV),
    "needs:edit": R({LARGE, ADMIN}, "need", MINE),
    "needs:firms": R({LARGE} | OFFICE, "need", THEIRS), "needs:respond": W(FIRM_ONLY, "need"),
    "needs:action": W({LARGE, ADMIN}, "need", MINE, fixed={"action": "close"}),
    "needs:response": R({FIRM, LARGE} | OFFICE, "need_response", THEIRS),
    "needs:response_action": W({LARGE, ADMIN}, "need_response", MINE, fixed={"action": "shortlist"}),
    "needs:curation": R(OFFICE),
    # events
    "events:list": R(USERS), "events:create": R(OFFICE),
    # an SME sees the events of its region, a large firm every event, officials those of their jurisdiction
    "events:detail": R(USERS, "event", own={FIRM, LARGE, CITY, PROVINCE, ADMIN}, other={LARGE, ADMIN}),
    "events:register": W({FIRM, LARGE}, "event", own={FIRM, LARGE}, other={LARGE}), "events:solve": W(OFFICE, "event", JUR),
    "events:meeting": W(OFFICE, "event", JUR, fixed={"action": "move"}),
    "events:outcome": W(OFFICE, "event", JUR),
    "events:schedule": R({FIRM, LARGE}, "event", own={FIRM, LARGE}),  # the registered firms' own timetable
    "events:schedule_pdf": R({FIRM, LARGE}, "event", own={FIRM, LARGE}),
    "events:checkin": R(OFFICE, "checkin_token", JUR, args={"token": "checkin_token"}, juris={CITY, PROVINCE}),
    # technology transfer
    "techtransfer:list": R(USERS), "techtransfer:achievement": R(USERS, "achievement"),
    "techtransfer:request_new": W(FIRM_ONLY, "achievement"),
    "techtransfer:requests": R({FIRM, INNOV} | OFFICE),  # a platform sees who asked it
    "techtransfer:request": R({FIRM, INNOV} | OFFICE, "transfer_request", THEIRS),
    "techtransfer:request_action": W({INNOV, ADMIN}, "transfer_request", own={INNOV, ADMIN}, other={ADMIN},
                                      fixed={"action": "accept"}),
    "techtransfer:platform_page": R(USERS, "platform_org"),
    "techtransfer:platform": R({INNOV}), "techtransfer:achievement_new": R({INNOV}),
    "techtransfer:achievement_edit": R({INNOV}, "achievement", MINE),
    "techtransfer:achievement_action": W({INNOV}, "achievement", MINE, fixed={"action": "withdraw"}),
    "techtransfer:transfer_new": R({INNOV}), "techtransfer:incubation_new": R({INNOV}),
    "techtransfer:incubation_end": W({INNOV}, "incubation", MINE),
    "techtransfer:oversight": R(OFFICE),
    "techtransfer:record_review": W(OFFICE, "transfer", JUR, fixed={"kind": "transfer"}),
    # insights, sandbox
    "insights:dashboard": R(OFFICE), "insights:export": R(OFFICE, fixed={"chart_id": "pyramid"}),
    "insights:report": R(OFFICE), "insights:refresh": W(OFFICE),
    "sandbox:home": R(OFFICE), "sandbox:run_new": W(OFFICE),
    # a run is its official's own
    "sandbox:run": R(OFFICE, "sandbox_run", MINE, admin_all=False),
    "sandbox:run_status": R(OFFICE, "sandbox_run", MINE, admin_all=False),
    "sandbox:run_firms": R(OFFICE, "sandbox_run", MINE, fixed={"which": "entering"}, admin_all=False),
}

# URL namespaces classified as a whole: Django's admin lets in active staff users only.
# Which admin pages the admin sees is the ModelAdmin's business (some are read-only): only refusals are sent.
NAMESPACES: dict[str, Rule] = {"admin": R({ADMIN}, only_refusals=True)}
PAGES |= {"admin:login": R(ALL), "admin:logout": W(ALL)}  # the admin's own sign-in and sign-out
# The API's own pages (its schema and the interactive docs) are public; its operations are below.
# (the schema is the same for everyone and takes seconds to build: sent as anonymous and as a firm)
API_PAGES: dict[str, Rule] = {"api-v1:openapi-json": R(ALL, sample={ANON, FIRM}), "api-v1:openapi-view": R(ALL), "api-v1:api-root": R(NOBODY)}  # ninja's root answers 404

# ---- API: operationId → rule (every operation of /api/v1/openapi.json); every call needs a token ----
_T = "tidu_"
API: dict[str, Rule] = {
    "tidu_jobs_api_job_status": R(USERS, "job", MINE, args={"job_id": "job"}, admin_all=False),
    "tidu_enterprises_api_io_import_upload": W(OFFICE),
    "tidu_enterprises_api_io_export_csv": R(FIRM_ONLY | OFFICE, scoped=True),
    "tidu_enterprises_api_list_enterprises": R(FIRM_ONLY | OFFICE, scoped=True),
    "tidu_enterprises_api_get_enterprise": R(FIRM_ONLY | OFFICE, "credit_code", THEIRS),
    "tidu_enterprises_api_list_years": R(FIRM_ONLY | OFFICE, "credit_code", THEIRS),
    "tidu_enterprises_api_put_year": W(FIRM_ONLY | OFFICE, "credit_code", THEIRS, fixed={"fiscal_year": "LAST_YEAR"}),
    "tidu_enterprises_api_verify_year": W(GOV, "credit_code", JUR, fixed={"fiscal_year": "LAST_YEAR"}),
    "tidu_enterprises_api_get_evaluation_record": R(FIRM_ONLY | OFFICE, "credit_code", THEIRS, query="year=LAST_YEAR"),
    "tidu_journey_api_list_rounds": R(USERS), "tidu_journey_api_open_round": W({PROVINCE, ADMIN}),
    "tidu_journey_api_close_round": W({PROVINCE, ADMIN}, "round", JUR),
    "tidu_journey_api_apply": W(FIRM_ONLY, "round", JUR),
    "tidu_journey_api_publish": W({PROVINCE, ADMIN}, "round", JUR),
    "tidu_journey_api_list_applications": R(FIRM_ONLY | OFFICE, scoped=True),
    "tidu_journey_api_get_application": R(FIRM_ONLY | OFFICE, "application", THEIRS),
    "tidu_journey_api_application_form": R(FIRM_ONLY | OFFICE, "application", THEIRS),
    "tidu_journey_api_lock": W(FIRM_ONLY, "application", MINE),
    "tidu_journey_api_unlock": W(FIRM_ONLY, "application", MINE),
    "tidu_journey_api_submit": W(FIRM_ONLY, "application", MINE),
    # the step it waits at: the county (a valid decision from anyone else is 403: test_permission_writes.py)
    "tidu_journey_api_review": W(OFFICE, "application", own={COUNTY}),
    "tidu_journey_api_upload": W(FIRM_ONLY, "application", MINE),
    "tidu_journey_api_download": R(FIRM_ONLY | OFFICE, "attachment", THEIRS),
    "tidu_journey_api_delete_attachment": W(FIRM_ONLY, "attachment", MINE),
    "tidu_journey_api_get_publicity": R(USERS, "publicity"),
    "tidu_journey_api_lodge_objection": W(USERS, "publicity"),
    "tidu_journey_api_resolve_objection": W(OFFICE, "objection", JUR),
    "tidu_journey_api_decide": W({PROVINCE, ADMIN}, "publicity", JUR),
    "tidu_journey_api_list_recognitions": R(ALL),  # the public register of titles: no token needed
    "tidu_journey_api_revoke": W(OFFICE, "recognition", JUR),
    "tidu_journey_api_list_expiring": R(OFFICE),
    "tidu_journey_api_get_certificate": R(FIRM_ONLY | OFFICE, "recognition", THEIRS),
    "tidu_journey_api_open_rereviews": W({PROVINCE, ADMIN}),
    "tidu_journey_api_list_rereviews": R(FIRM_ONLY | OFFICE),
    "tidu_journey_api_get_rereview": R(FIRM_ONLY | OFFICE, "rereview", THEIRS),
    "tidu_journey_api_submit_rereview": W(FIRM_ONLY, "rereview", MINE),
    "tidu_journey_api_review_rereview": W(OFFICE, "rereview", JUR),
    "tidu_digital_api_questionnaire": R(USERS, fixed={"edition": "2024", "category": "manufacturing"}),
    "tidu_digital_api_result": R(FIRM_ONLY | OFFICE, "assessment", THEIRS),
    "tidu_scenarios_api_search": R(USERS), "tidu_scenarios_api_recommendations": R(FIRM_ONLY),
    "tidu_scenarios_api_paths": R(USERS),
    "tidu_ladder_api_me": R(FIRM_ONLY), "tidu_ladder_api_what_if": W(FIRM_ONLY),
    "tidu_ladder_api_firm": R(FIRM_ONLY | OFFICE, "credit_code", THEIRS),
    "tidu_notifications_api_list_notifications": R(USERS),
    "tidu_notifications_api_get_unread_count": R(USERS),
    "tidu_notifications_api_read_all": W(USERS),
    "tidu_notifications_api_request_annual_update": W(OFFICE),
    "tidu_notifications_api_read_one": W(USERS, "notification", MINE, admin_all=False),
    "tidu_changes_api_list_reports": R(USERS, scoped=True),  # each sees its own firm's (none: empty)
    "tidu_changes_api_file_report": W(FIRM_ONLY),
    "tidu_changes_api_queue": R(USERS, scoped=True),  # an empty queue outside the offices
    "tidu_changes_api_get_report": R(FIRM_ONLY | OFFICE, "change_report", THEIRS),
    "tidu_changes_api_revise": W(FIRM_ONLY, "change_report", MINE),
    "tidu_changes_api_review": W(OFFICE, "change_report", JUR),
    "tidu_service_catalog_api_list_offers": R(USERS),
    "tidu_service_catalog_api_get_offer": R(USERS, "offer"),
    "tidu_service_catalog_api_request_offer": W(FIRM_ONLY, "offer"),
    "tidu_service_catalog_api_list_requests": R(USERS, scoped=True),
    "tidu_service_catalog_api_get_request": R({FIRM, PROVIDER} | OFFICE, "service_request", THEIRS),
    "tidu_service_catalog_api_request_action": W({FIRM, PROVIDER}, "service_request", MINE),
    "tidu_service_catalog_api_rate": W(FIRM_ONLY, "service_request", MINE),
    "tidu_service_catalog_api_my_provider": R({PROVIDER}),
    "tidu_service_catalog_api_save_provider": W({PROVIDER}),
    "tidu_service_catalog_api_create_offer": W({PROVIDER}),
    "tidu_service_catalog_api_update_offer": W({PROVIDER}, "offer", MINE),
    "tidu_service_catalog_api_submit_offer": W({PROVIDER}, "offer", MINE),
    "tidu_service_catalog_api_withdraw_offer": W({PROVIDER}, "offer", MINE),
    "tidu_service_catalog_api_oversight": R(OFFICE),
    "tidu_service_catalog_api_decide_provider": W(OFFICE, "provider", JUR),
    "tidu_service_catalog_api_decide_offer": W(OFFICE, "offer", JUR),
    "tidu_policy_filings_api_apply": W(FIRM_ONLY, "policy_code", args={"code": "policy_code"}),
    "tidu_policy_filings_api_list_filings": R(FIRM_ONLY | OFFICE, scoped=True),
    "tidu_policy_filings_api_get_filing": R(FIRM_ONLY | OFFICE, "policy_filing", THEIRS),
    "tidu_policy_filings_api_update": W(FIRM_ONLY, "policy_filing", MINE),
    "tidu_policy_filings_api_upload": W(FIRM_ONLY, "policy_filing", MINE),
    "tidu_policy_filings_api_download": R(FIRM_ONLY | OFFICE, "policy_attachment", THEIRS),
    "tidu_policy_filings_api_delete_attachment": W(FIRM_ONLY, "policy_attachment", MINE),
    "tidu_policy_filings_api_submit": W(FIRM_ONLY, "policy_filing", MINE),
    "tidu_policy_filings_api_review": W(OFFICE, "policy_filing", JUR),
    "tidu_policy_filings_api_payout": W(OFFICE, "policy_filing", JUR),
    "tidu_policies_api_list_policies": R(USERS), "tidu_policies_api_mine": R(FIRM_ONLY),
    "tidu_policies_api_awards": R(USERS),
    "tidu_policies_api_batch_push_list": R(OFFICE, "policy_batch", JUR, args={"batch_id": "policy_batch"}),
    "tidu_policies_api_grant": W(OFFICE, "policy_batch", JUR, args={"batch_id": "policy_batch"}),
    "tidu_policies_api_payout": W(OFFICE, "award", JUR, args={"award_id": "award"}),
    "tidu_policies_api_detail": R(USERS, "policy_code", args={"code": "policy_code"}),
    "tidu_needs_api_list_needs": R(USERS), "tidu_needs_api_create_need": W({LARGE}),
    "tidu_needs_api_recommended": R(FIRM_ONLY), "tidu_needs_api_funnel": R({LARGE} | OFFICE),
    "tidu_needs_api_list_responses": R(USERS, scoped=True),
    "tidu_needs_api_get_response": R({FIRM, LARGE} | OFFICE, "need_response", THEIRS),
    "tidu_needs_api_response_action": W({LARGE}, "need_response", MINE),
    "tidu_needs_api_contract": W({LARGE}, "need_response", MINE),
    "tidu_needs_api_add_milestone": W({LARGE}, "need_response", MINE),
    "tidu_needs_api_milestone_done": W({LARGE}, "need_response", MINE, fixed={"mid": "0"}),
    "tidu_needs_api_acceptance": W({LARGE}, "need_response", MINE),
    "tidu_needs_api_get_need": R(USERS, "need", own=USERS, other=USERS - GOV), "tidu_needs_api_update_need": W({LARGE}, "need", MINE),
    "tidu_needs_api_need_action": W({LARGE}, "need", MINE), "tidu_needs_api_invite": W({LARGE}, "need", MINE),
    "tidu_needs_api_ranked_firms": R({LARGE} | OFFICE, "need", THEIRS),
    "tidu_needs_api_submit_response": W(FIRM_ONLY, "need"),
    "tidu_events_api_list_events": R(USERS),
    "tidu_events_api_my_schedule": R({FIRM, LARGE}, "event", own={FIRM, LARGE}, args={"event_id": "event"}),
    "tidu_events_api_grid": R(OFFICE, "event", JUR, args={"event_id": "event"}),
    "tidu_events_api_solve": W(OFFICE, "event", JUR, args={"event_id": "event"}),
    "tidu_events_api_move": W(OFFICE, "event", JUR, args={"event_id": "event"}, fixed={"meeting_id": "0"}),
    "tidu_techtransfer_api_list_achievements": R(USERS),
    "tidu_techtransfer_api_create_achievement": W({INNOV}),
    "tidu_techtransfer_api_matched": R(FIRM_ONLY),
    "tidu_techtransfer_api_get_achievement": R(USERS, "achievement"),
    "tidu_techtransfer_api_update_achievement": W({INNOV}, "achievement", MINE),
    "tidu_techtransfer_api_move_achievement": W({INNOV, ADMIN}, "achievement", MINE, fixed={"action": "withdraw"}),
    "tidu_techtransfer_api_request_achievement": W({FIRM, LARGE}, "achievement"),
    "tidu_techtransfer_api_list_requests": R(USERS, scoped=True),
    "tidu_techtransfer_api_get_request": R({FIRM, INNOV} | OFFICE, "transfer_request", THEIRS),
    "tidu_techtransfer_api_answer_request": W({INNOV}, "transfer_request", MINE),
    "tidu_techtransfer_api_list_transfers": R(USERS, scoped=True),
    "tidu_techtransfer_api_record_transfer": W({INNOV}),
    "tidu_techtransfer_api_review_transfer": W(OFFICE, "transfer", JUR),
    "tidu_techtransfer_api_list_incubations": R(USERS, scoped=True),
    "tidu_techtransfer_api_record_incubation": W({INNOV}),
    "tidu_techtransfer_api_end_incubation": W({INNOV}, "incubation", MINE),
    "tidu_techtransfer_api_review_incubation": W(OFFICE, "incubation", JUR),
    "tidu_techtransfer_api_platform_stats": R(USERS, "platform_org"),
    "tidu_insights_api_charts": R(OFFICE),
    "tidu_sandbox_api_thresholds": R(OFFICE, fixed={"standard": "specialized_sme"}),
    "tidu_sandbox_api_run_new": W(OFFICE), "tidu_sandbox_api_runs": R(OFFICE),
    "tidu_sandbox_api_run_get": R(OFFICE, "sandbox_run", MINE, admin_all=False),
}
