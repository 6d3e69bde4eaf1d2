"""Repeated failed logins are refused for a while (429 and Retry-After), per user name and per address,
on our page and the admin's; a successful login does not use up the limit (tidu.core.ratelimit)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tidu.core import ratelimit
from tidu.core.models import AuditEvent
from tidu.core.testing import PASSWORD, RateLimitClock, make_user

pytestmark = pytest.mark.django_db

PER_ACCOUNT, PER_ADDRESS = 5, 50  # the defaults, stated so a change of them is a decision, not an accident


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> RateLimitClock:
    return RateLimitClock.install(monkeypatch, second=1)  # one second into a 15-minute window


def attempt(client: Client, username: str, password: str, url: str = "/login/", ip: str = "10.0.0.1") -> int:
    response = client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)
    return response.status_code


def test_the_defaults_are_five_per_account_and_fifty_per_address() -> None:
    assert ratelimit.limit_for("login", "account") == ratelimit.Limit(PER_ACCOUNT, 900)
    assert ratelimit.limit_for("login", "address") == ratelimit.Limit(PER_ADDRESS, 900)


def test_a_correct_password_logs_in(clock: RateLimitClock) -> None:
    make_user("alice")
    assert attempt(Client(), "alice", PASSWORD) == 302


def test_after_five_failures_even_the_right_password_is_refused_with_429(clock: RateLimitClock) -> None:
    make_user("alice")
    client = Client()
    for _ in range(PER_ACCOUNT):
        assert attempt(client, "alice", "wrong") == 200
    response = client.post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多：同一账号15分钟内最多允许失败 5 次。请 15 分钟后再试，或通过“忘记密码”重设密码。" in page
    assert response["Retry-After"] == str(15 * 60 - 1)
    assert "_auth_user_id" not in client.session


def test_the_block_lifts_when_the_window_ends(clock: RateLimitClock) -> None:
    make_user("alice")
    client = Client()
    for _ in range(PER_ACCOUNT + 3):
        attempt(client, "alice", "wrong")
    clock.now += dt.timedelta(minutes=14, seconds=58)
    assert attempt(client, "alice", PASSWORD) == 429
    clock.now += dt.timedelta(seconds=2)
    assert attempt(client, "alice", PASSWORD) == 302


def test_a_success_clears_the_accounts_failures(clock: RateLimitClock) -> None:
    make_user("alice")
    for _ in range(PER_ACCOUNT - 1):
        assert attempt(Client(), "alice", "wrong") == 200
    assert attempt(Client(), "alice", PASSWORD) == 302
    for _ in range(PER_ACCOUNT):
        assert attempt(Client(), "alice", "wrong") == 200
    assert attempt(Client(), "alice", "wrong") == 429


def test_other_users_are_not_blocked_by_someone_elses_failures(clock: RateLimitClock) -> None:
    make_user("alice")
    make_user("bob")
    for _ in range(PER_ACCOUNT + 1):
        attempt(Client(), "alice", "wrong", ip="10.0.0.2")
    assert attempt(Client(), "bob", PASSWORD, ip="10.0.0.2") == 302  # same address, far below its limit
    assert attempt(Client(), "bob", PASSWORD, ip="10.0.0.3") == 302


def test_one_address_trying_many_user_names_is_blocked_at_fifty_one(clock: RateLimitClock) -> None:
    make_user("carol")
    for i in range(PER_ADDRESS):
        assert attempt(Client(), f"guess{i}", "wrong", ip="10.9.9.9") == 200
    response = Client().post("/login/", {"username": "carol", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert "同一网络地址15分钟内最多允许失败 50 次" in response.content.decode()
    assert attempt(Client(), "carol", PASSWORD, ip="10.9.9.8") == 302


def test_an_office_behind_one_address_logging_in_all_day_is_never_limited(clock: RateLimitClock) -> None:
    for i in range(PER_ADDRESS + 10):  # successful logins give their use back
        make_user(f"staff{i}")
        assert attempt(Client(), f"staff{i}", PASSWORD, ip="10.1.1.1") == 302
    assert attempt(Client(), "staff0", "typo", ip="10.1.1.1") == 200


def test_the_first_refusal_is_audited_once(clock: RateLimitClock) -> None:
    make_user("alice")
    for _ in range(PER_ACCOUNT + 3):
        attempt(Client(), "alice", "wrong")
    [event] = AuditEvent.objects.filter(action="ratelimit.trip")
    assert event.data["scope"] == "login" and event.data["kind"] == "account" and event.data["key"] == "alice"


def test_the_admin_login_is_throttled_too(clock: RateLimitClock) -> None:
    make_user("root", superuser=True)
    client = Client()
    for _ in range(PER_ACCOUNT):
        attempt(client, "root", "wrong", url="/admin/login/")
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_behind_our_proxy_the_limit_counts_the_visitors_address_not_the_proxys(settings, clock: RateLimitClock) -> None:  # type: ignore[no-untyped-def]
    # Every request reaches the app from the proxy's own address; counting that would let one
    # guesser lock out every visitor. The address the proxy saw (X-Forwarded-For) is what counts.
    settings.TIDU_PROXY_COUNT = 1
    make_user("carol")
    for i in range(PER_ADDRESS):
        Client().post("/login/", {"username": f"guess{i}", "password": "wrong"},
                      REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    visitor = Client().post("/login/", {"username": "carol", "password": PASSWORD},
                            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    guesser = Client().post("/login/", {"username": "carol", "password": PASSWORD},
                            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert visitor.status_code == 302
    assert guesser.status_code == 429
