"""Permissions as a matrix: every named URL and every API operation × every role × own / other firm's object
(inside / outside the officials' jurisdiction), each outcome asserted against permission_policy's table.

The endpoints are generated from the URL conf (a walk of get_resolver) and from the OpenAPI schema of
tidu.config.api, so a new endpoint lands in the matrix by itself, and fails the completeness test until
someone classifies it. A refused request must answer 401/403/404 or send to the login page, show nothing of
the object's firm, and change nothing; an allowed one must not be refused. No case may answer 5xx.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from matrix_world import OFFICIALS, ROLES, SIDES, MatrixWorld
from permission_policy import ADMIN, API, API_PAGES, NAMESPACES, PAGES, Rule

from tidu.config.api import api
from tidu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@dataclasses.dataclass(frozen=True)
class Endpoint:
    key: str  # URL name or operationId
    method: str
    route: str  # URL pattern or API path
    params: tuple[str, ...]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "",
          params: tuple[str, ...] = ()) -> Iterator[Endpoint]:
    for pattern in resolver.url_patterns:
        here = params + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns, here)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield Endpoint(f"{namespace}:{pattern.name}".strip(":"), "GET", prefix + str(pattern.pattern), here)


def url_endpoints() -> list[Endpoint]:
    """Every named URL pattern of the URL conf (the API's operations are reached through the schema)."""
    seen: dict[str, Endpoint] = {}
    for ep in _walk(get_resolver()):
        if ep.key.startswith("api-v1:") and ep.key not in API_PAGES:
            continue
        seen.setdefault(ep.key, ep)
    return sorted(seen.values(), key=lambda e: e.key)


def api_endpoints() -> list[Endpoint]:
    schema = api.get_openapi_schema()
    return sorted((Endpoint(op["operationId"], method.upper(), path, tuple(re.findall(r"{(\w+)}", path)))
                   for path, item in schema["paths"].items() for method, op in item.items()),
                  key=lambda e: e.key)


URLS = url_endpoints()
OPERATIONS = api_endpoints()


def page_rule(name: str) -> Rule | None:
    if name in PAGES:
        return PAGES[name]
    if name in API_PAGES:
        return API_PAGES[name]
    return NAMESPACES.get(name.split(":")[0]) if ":" in name else None


# ---- completeness: a URL or operation nobody classified fails here ----

def test_every_named_url_is_classified() -> None:
    missing = [ep.key for ep in URLS if page_rule(ep.key) is None]
    assert not missing, f"URL names with no rule in permission_policy.PAGES: {missing}"


def test_every_api_operation_is_classified() -> None:
    missing = [ep.key for ep in OPERATIONS if ep.key not in API]
    assert not missing, f"API operations with no rule in permission_policy.API: {missing}"


def test_no_rule_names_an_endpoint_that_is_gone() -> None:
    names = {ep.key for ep in URLS}
    ops = {ep.key for ep in OPERATIONS}
    assert not [k for k in PAGES if k not in names] + [k for k in API if k not in ops]


def test_the_served_schema_lists_the_same_operations(client: Client) -> None:
    served = client.get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for item in served["paths"].values() for op in item.values()}
    assert ids == {ep.key for ep in OPERATIONS}


def test_every_object_parameter_names_a_kind_the_world_has(matrix: MatrixWorld) -> None:
    """A rule naming an object kind the world cannot build would test nothing: list them (see the note)."""
    kinds = {k for rule in [*PAGES.values(), *API.values()] for k in _kinds(rule)}
    missing = sorted(kinds - set(matrix.objects) - {"LAST_YEAR"})
    assert missing == sorted(UNBUILT), missing


# Object kinds the world does not build yet: their endpoints are checked for refusal with a made-up id only.
UNBUILT = ("award", "objection", "publicity", "rereview")


def _kinds(rule: Rule) -> set[str]:
    return set(rule.args.values()) | ({rule.obj} if rule.obj and not rule.args else set())


# ---- the matrix ----

def _value(world: MatrixWorld, kind: str, side: str) -> str:
    if kind == "LAST_YEAR":
        return str(timezone.localdate().year - 1)
    if kind not in world.objects:
        return "987654"  # an id no object has
    obj = world.objects[kind][side]
    return str(getattr(obj, "pk", obj))


def _admin_value(name: str, param: str, world: MatrixWorld) -> str:
    """Admin URLs: the first row of the model the name is about (its change, history, delete pages)."""
    if param == "app_label":
        return "journey"
    if param in {"content_type_id"}:
        return "1"
    label = name.split(":")[1]
    for model in apps.get_models():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if label.startswith(prefix):
            first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            return str(first if first is not None else 987654)
    return str(world.users["admin"].pk)


def _kwargs(ep: Endpoint, rule: Rule, world: MatrixWorld, side: str) -> dict[str, str]:
    kwargs = {}
    for param in ep.params:
        if param in rule.fixed:
            kwargs[param] = _value(world, rule.fixed[param], side) if rule.fixed[param] == "LAST_YEAR" \
                else rule.fixed[param]
        elif param in rule.args:
            kwargs[param] = _value(world, rule.args[param], side)
        elif rule.obj is not None:
            kwargs[param] = _value(world, rule.obj, side)
        elif ep.key.startswith("admin:"):
            kwargs[param] = _admin_value(ep.key, param, world)
        else:
            raise AssertionError(f"{ep.key}: nothing fills the path parameter {param!r}")
    return kwargs


def _target(world: MatrixWorld, rule: Rule, side: str | None) -> Any:
    if side is None or rule.obj is None:
        return None
    kind = next(iter(rule.args.values())) if rule.args else rule.obj
    obj = world.objects.get(kind, {}).get(side)
    return obj if hasattr(obj, "_meta") else None


def _row(obj: Any) -> Any:
    return None if obj is None else type(obj)._default_manager.filter(pk=obj.pk).values().first()


def _may_see(role: str) -> set[str]:
    """The sides whose firm a role may read: its own firm, its jurisdiction; the admin everything."""
    if role == ADMIN:
        return set(SIDES)
    return {"own"} if role == "firm" or role in OFFICIALS else set()


def _refused(resp: Any) -> bool:
    if resp.status_code in (401, 403, 404):
        return True
    return resp.status_code in (301, 302, 303) and "/login/" in resp.get("Location", "")


def _body(resp: Any) -> str:
    if getattr(resp, "streaming", False):
        return b"".join(resp.streaming_content).decode("utf-8", "replace")
    return resp.content.decode("utf-8", "replace")


@dataclasses.dataclass
class Case:
    role: str
    side: str | None
    method: str
    url: str
    expected: bool
    status: int = 0
    problem: str = ""


def run_matrix(world: MatrixWorld, clients: dict[str, Client], ep: Endpoint, rule: Rule,
               method: str, *, api_call: bool) -> list[Case]:
    sides: tuple[str | None, ...] = SIDES if rule.obj is not None or any(
        p in rule.args for p in ep.params) else (None,)
    made_up = bool(_kinds(rule) & set(UNBUILT))
    cases = []
    for side in sides:
        if api_call:
            url = ep.route
            for param, value in _kwargs(ep, rule, world, side or "own").items():
                url = url.replace("{" + param + "}", value)
        else:
            url = reverse(ep.key, kwargs=_kwargs(ep, rule, world, side or "own") or None)
        if rule.query:
            url += "?" + rule.query.replace("LAST_YEAR", _value(world, "LAST_YEAR", "own"))
        target = _target(world, rule, side)
        for role in ROLES:
            expected = rule.allows(role, side) and not made_up  # a made-up id must be refused to everyone
            if (rule.only_refusals and expected) or (rule.sample is not None and role not in rule.sample):
                continue
            case = Case(role, side, method, url, expected)
            client = clients[role]
            cookies = copy.deepcopy(client.cookies)  # a logout or a language switch must not stick
            cache.clear()  # rate limits and throttles count per test run, not across the matrix
            with transaction.atomic():
                before = (AuditEvent.objects.count(), _row(target))
                if method == "GET":
                    resp = client.get(url)
                elif api_call:
                    resp = client.generic(method, url, json.dumps(rule.data) if method != "DELETE" else "",
                                          content_type="application/json")
                else:
                    resp = client.post(url, rule.data)
                after = (AuditEvent.objects.count(), _row(target))
                body = _body(resp)
                transaction.set_rollback(True)
            client.cookies = cookies
            case.status = resp.status_code
            refused = _refused(resp)
            unseen = [sd for sd in SIDES if sd not in _may_see(role)]
            leaked = [s for sd in unseen for s in world.secrets[sd] if s in body]
            if resp.status_code >= 500 or resp.status_code == 405:
                case.problem = f"answered {resp.status_code}"
            elif case.expected and refused:
                case.problem = "refused an allowed role"
            elif case.expected and rule.scoped and leaked:
                case.problem = f"listed what the role may not see: {leaked}"
            elif not case.expected and not refused and not _refused_in_words(resp, rule, api_call, before, after):
                case.problem = "let a refused role through"
            elif not case.expected and leaked:
                case.problem = f"leaked {leaked}"
            elif not case.expected and rule.write and before != after:
                case.problem = "changed the database"
            cases.append(case)
    return cases


def _refused_in_words(resp: Any, rule: Rule, api_call: bool, before: Any, after: Any) -> bool:
    """A write some views refuse with a message on the page they send back to (a redirect that is not to the
    login page; the API: a body its schema refuses, 422), which counts as refused only if nothing changed."""
    if not rule.write or before != after:
        return False
    if api_call:
        return resp.status_code in (400, 409, 422)
    return resp.status_code in (301, 302, 303)


def _report(ep: Endpoint, cases: list[Case]) -> str:
    bad = [c for c in cases if c.problem]
    return f"{ep.key}: " + "; ".join(
        f"{c.role}/{c.side or '-'} {c.method} {c.url} → {c.status} ({c.problem}; expected "
        f"{'allowed' if c.expected else 'refused'})" for c in bad)


@pytest.mark.parametrize("ep", [ep for ep in URLS if page_rule(ep.key) is not None], ids=lambda ep: ep.key)
def test_page_permissions(ep: Endpoint, matrix: MatrixWorld, page_clients: dict[str, Client]) -> None:
    rule = page_rule(ep.key)
    assert rule is not None
    cases = run_matrix(matrix, page_clients, ep, rule, "POST" if rule.write else "GET", api_call=False)
    assert not any(c.problem for c in cases), _report(ep, cases)


@pytest.mark.parametrize("ep", [ep for ep in OPERATIONS if ep.key in API], ids=lambda ep: ep.key)
def test_api_permissions(ep: Endpoint, matrix: MatrixWorld, api_clients: dict[str, Client]) -> None:
    cases = run_matrix(matrix, api_clients, ep, API[ep.key], ep.method, api_call=True)
    assert not any(c.problem for c in cases), _report(ep, cases)
