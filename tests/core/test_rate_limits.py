"""Rate limits (tidu.core.ratelimit): per account and per address, counted in the database so the three
gunicorn workers share one count, refused with 429, a Chinese sentence and Retry-After, audited once.

Each limited endpoint: allowed at the limit, refused at limit + 1, per account and per address separately,
and another account or address is not affected. The windows are read from an injected clock (no sleeps).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from tidu.accounts.services import api_token_create
from tidu.core import ratelimit
from tidu.core.credit_code import make_credit_code
from tidu.core.models import AuditEvent, RateCounter
from tidu.core.ratelimit import Limit, RateLimited, limit_for, rate_count
from tidu.core.testing import RateLimitClock

pytestmark = pytest.mark.django_db
ON_POSTGRES = (os.environ.get("TIDU_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def limits(settings: Any) -> dict[str, Any]:
    """Small limits for every scope, so each test reaches them in a few requests."""
    settings.TIDU_RATE_LIMITS = {
        "register": {"account": (2, 3600), "address": (4, 3600)},
        "password_reset": {"account": (2, 3600), "address": (4, 3600)},
        "api_token": {"account": (3, 60), "address": (5, 60)},
        "unit": {"account": (3, 600), "address": (6, 600)},
    }
    return dict(settings.TIDU_RATE_LIMITS)


# ---- the counter itself ----------------------------------------------------------------------------------


def test_allowed_at_the_limit_refused_at_limit_plus_one(limits: dict[str, Any], clock: RateLimitClock) -> None:
    for _ in range(3):
        assert rate_count("unit", account="alice", address="10.0.0.1") is None
    refused = rate_count("unit", account="alice", address="10.0.0.1")
    assert isinstance(refused, RateLimited)
    assert refused.status == 429 and refused.retry_after == 600 and refused.headers == {"Retry-After": "600"}
    assert refused.kind == "account"
    assert rate_count("unit", account="bob", address="10.0.0.1") is None  # another account, same address


def test_per_address_is_counted_apart_from_per_account(limits: dict[str, Any], clock: RateLimitClock) -> None:
    for i in range(6):
        assert rate_count("unit", account=f"user{i}", address="10.0.0.1") is None
    refused = rate_count("unit", account="user9", address="10.0.0.1")
    assert refused is not None and refused.kind == "address"
    assert "同一网络地址10分钟内最多 6 次" in refused.message
    assert rate_count("unit", account="user9", address="10.0.0.2") is None  # another address


def test_the_window_expires(limits: dict[str, Any], clock: RateLimitClock) -> None:
    for _ in range(4):
        rate_count("unit", account="alice")
    clock.now += dt.timedelta(minutes=9, seconds=59)
    refused = rate_count("unit", account="alice")
    assert refused is not None and refused.retry_after == 1
    clock.now += dt.timedelta(seconds=1)
    assert rate_count("unit", account="alice") is None
    assert not RateCounter.objects.filter(expires_at__lte=clock.now).exists()  # the old window was deleted


def test_the_first_refusal_of_a_window_is_audited_once_per_key(limits: dict[str, Any], clock: RateLimitClock) -> None:
    for _ in range(10):
        rate_count("unit", account="Alice", address="10.0.0.1")
    events = AuditEvent.objects.filter(action="ratelimit.trip").order_by("id")
    assert [e.data for e in events] == [
        {"scope": "unit", "kind": "account", "key": "alice", "limit": 3, "seconds": 600, "what": "unit", "who": "",
         "window": "10分钟"},
        {"scope": "unit", "kind": "address", "key": "10.0.0.1", "limit": 6, "seconds": 600, "what": "unit",
         "who": "同一网络地址", "window": "10分钟"},
    ]


def test_limits_are_settings_and_zero_switches_one_off(settings: Any) -> None:
    assert limit_for("login", "account") == Limit(5, 900)
    assert limit_for("api_token", "address") == Limit(1_000_000, 60)  # settings/test.py raises it
    settings.TIDU_RATE_LIMITS = {"login": {"account": (0, 0)}}
    assert limit_for("login", "account") is None
    assert limit_for("login", "address") == Limit(50, 900)  # not overridden: the default


def test_per_address_defaults_are_higher_than_per_account_ones() -> None:
    for scope, kinds in ratelimit.DEFAULT_LIMITS.items():
        if "account" in kinds and "address" in kinds:
            assert kinds["address"][0] > kinds["account"][0], scope


# ---- shared by every worker ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_count_is_shared_by_separate_database_connections(limits: dict[str, Any], clock: RateLimitClock) -> None:
    """A second thread has its own database connection, like a second gunicorn worker has: the uses it
    counted refuse the next use here; deleting the rows lifts the refusal, so no state is kept in memory."""
    seen: dict[str, Any] = {}

    def other_worker() -> None:
        try:
            seen["connection"] = id(connections["default"].connection)
            seen["results"] = [rate_count("unit", account="alice", now=clock.now) for _ in range(3)]
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_worker)
    worker.start()
    worker.join()
    connection.ensure_connection()
    assert seen["results"] == [None, None, None]
    assert seen["connection"] != id(connection.connection)
    assert rate_count("unit", account="alice") is not None
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RateCounter._meta.db_table}")
    assert rate_count("unit", account="alice") is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="needs TIDU_DATABASE_URL on PostgreSQL (a second process, one database)")
def test_the_count_is_shared_with_another_process_on_postgresql() -> None:
    """Another Python process (another worker) uses up the default per-code sign-up limit; this one is refused."""
    code = make_credit_code("440305", "87654321")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    url = os.environ["TIDU_DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    script = (
        "import datetime as dt, django; django.setup()\n"
        "from tidu.core.ratelimit import rate_count\n"
        f"now = dt.datetime.fromisoformat({now.isoformat()!r})\n"
        f"print([rate_count('register', account={code!r}, now=now) is None for _ in range(5)])\n"
    )
    env = {**os.environ, "TIDU_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tidu.config.settings.test",
           "PYTHONPATH": str(SRC)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[True, True, True, True, True]"
    refused = rate_count("register", account=code, now=now)
    assert refused is not None and "同一统一社会信用代码1小时内最多提交 5 次" in refused.message


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="needs TIDU_DATABASE_URL on PostgreSQL (real concurrent connections)")
def test_concurrent_uses_are_never_lost_on_postgresql(limits: dict[str, Any], clock: RateLimitClock) -> None:
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(25):
                rate_count("unit", account="alice", now=clock.now)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert RateCounter.objects.get(scope="unit", kind="account", key="alice").hits == 100
    assert AuditEvent.objects.filter(action="ratelimit.trip").count() == 1


# ---- the limited endpoints -------------------------------------------------------------------------------

_serial = iter(range(10_000))


def register(code: str, ip: str) -> Any:
    n = next(_serial)
    return Client().post("/accounts/register/", {
        "credit_code": code, "name": "深圳新注册科技有限公司", "region_code": "440305", "industry_code": "C3911",
        "contact_name": "张三", "contact_phone": "13800000000", "email": f"u{n}@example.com",
        "username": f"newfirm{n}", "password1": "Stronger-Pass-2026", "password2": "Stronger-Pass-2026",
    }, REMOTE_ADDR=ip)


def reset(email: str, ip: str) -> Any:
    return Client().post("/password-reset/", {"email": email}, REMOTE_ADDR=ip)


def code(i: int) -> str:
    return make_credit_code("440305", f"8765432{i}")


def test_sign_ups_and_claims_are_limited_per_credit_code(limits: dict[str, Any], clock: RateLimitClock) -> None:
    assert register(code(1), "10.0.0.1").status_code == 302  # the firm is registered
    assert register(code(1), "10.0.0.2").status_code == 200  # a second try: already registered, said on the form
    refused = register(code(1), "10.0.0.3")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "注册申请过于频繁：同一统一社会信用代码1小时内最多提交 2 次。请 60 分钟后再试。" in refused.content.decode()
    assert get_user_model().objects.filter(username__startswith="newfirm").count() == 1  # refused: nothing made
    assert register(code(2), "10.0.0.3").status_code == 302  # another code from the same address


def test_sign_ups_are_limited_per_address(limits: dict[str, Any], clock: RateLimitClock) -> None:
    for i in range(4):
        assert register(code(i), "10.0.0.1").status_code == 302
    refused = register(code(5), "10.0.0.1")
    assert refused.status_code == 429
    assert "同一网络地址1小时内最多提交 4 次" in refused.content.decode()
    assert register(code(5), "10.0.0.2").status_code == 302  # another address


def test_a_form_with_mistakes_does_not_use_up_the_limit(limits: dict[str, Any], clock: RateLimitClock) -> None:
    for _ in range(6):
        response = Client().post("/accounts/register/", {"credit_code": code(1)}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 200
    assert register(code(1), "10.0.0.1").status_code == 302


def test_password_reset_mails_are_limited_per_email(limits: dict[str, Any], clock: RateLimitClock) -> None:
    assert reset("alice@example.com", "10.0.0.1").status_code == 302
    assert reset("ALICE@example.com", "10.0.0.2").status_code == 302
    refused = reset("alice@example.com", "10.0.0.3")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "找回密码请求过于频繁：同一邮箱1小时内最多发送重设邮件 2 次" in refused.content.decode()
    assert reset("bob@example.com", "10.0.0.3").status_code == 302


def test_password_reset_mails_are_limited_per_address(limits: dict[str, Any], clock: RateLimitClock) -> None:
    for i in range(4):
        assert reset(f"user{i}@example.com", "10.0.0.1").status_code == 302
    refused = reset("user9@example.com", "10.0.0.1")
    assert refused.status_code == 429 and "同一网络地址1小时内最多发送重设邮件 4 次" in refused.content.decode()
    assert reset("user9@example.com", "10.0.0.2").status_code == 302


def _token(username: str) -> str:
    user = get_user_model().objects.create_user(username=username)
    return api_token_create(user=user, name="script")[1]


def call(token: str, ip: str) -> Any:
    return Client().get("/api/v1/enterprises/?limit=1", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=ip)


def test_api_token_calls_are_limited_per_account(limits: dict[str, Any], clock: RateLimitClock) -> None:
    alice, bob = _token("alice"), _token("bob")
    for i in range(3):
        assert call(alice, f"10.0.0.{i}").status_code == 403  # past authentication: the view's own answer
    refused = call(alice, "10.0.0.9")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    body = refused.json()
    assert set(body) == {"code", "message", "field"} and body["code"] == "rate_limited"  # ErrorOut
    assert body["message"] == "API 调用过于频繁：同一账号的 API 令牌1分钟内最多调用 3 次。请 60 秒后再试。"
    assert call(bob, "10.0.0.9").status_code == 403


def test_api_token_calls_are_limited_per_address(limits: dict[str, Any], clock: RateLimitClock) -> None:
    tokens = [_token(f"user{i}") for i in range(6)]
    for token in tokens[:5]:
        assert call(token, "10.0.0.1").status_code == 403
    refused = call(tokens[5], "10.0.0.1")
    assert refused.status_code == 429 and "同一网络地址1分钟内最多调用 5 次" in refused.json()["message"]
    assert call(tokens[5], "10.0.0.2").status_code == 403
    clock.now += dt.timedelta(minutes=1)
    assert call(tokens[0], "10.0.0.1").status_code == 403  # the next minute


def test_every_operation_with_a_token_documents_429_with_the_error_schema() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    secured = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()
               if isinstance(op, dict) and op.get("security")]
    assert secured
    for path, method, op in secured:
        answer = op["responses"].get("429")
        assert answer, (method, path)
        assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
