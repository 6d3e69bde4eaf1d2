"""Repeated failed logins block further attempts for a while, on our page and the admin's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tidu.accounts.models import LoginFailure
from tidu.accounts.services import MAX_FAILURES_PER_IP, MAX_FAILURES_PER_USERNAME, THROTTLE_WINDOW
from tidu.core.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def attempt(client: Client, username: str, password: str, url: str = "/login/", ip: str = "10.0.0.1") -> int:
    response = client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)
    return response.status_code


def test_a_correct_password_logs_in() -> None:
    make_user("alice")
    assert attempt(Client(), "alice", PASSWORD) == 302


def test_after_five_failures_even_the_right_password_is_refused_for_a_while() -> None:
    make_user("alice")
    client = Client()
    for _ in range(MAX_FAILURES_PER_USERNAME):
        assert attempt(client, "alice", "wrong") == 200
    response = client.post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_block_lifts_when_the_failures_age_out() -> None:
    make_user("alice")
    client = Client()
    for _ in range(MAX_FAILURES_PER_USERNAME):
        attempt(client, "alice", "wrong")
    LoginFailure.objects.update(at=dt.datetime.now(dt.UTC) - THROTTLE_WINDOW - dt.timedelta(seconds=1))
    assert attempt(client, "alice", PASSWORD) == 302
    assert not LoginFailure.objects.filter(username="alice").exists()  # success clears the record


def test_other_users_are_not_blocked_by_someone_elses_failures() -> None:
    make_user("alice")
    make_user("bob")
    for _ in range(MAX_FAILURES_PER_USERNAME):
        attempt(Client(), "alice", "wrong", ip="10.0.0.2")
    assert attempt(Client(), "bob", PASSWORD, ip="10.0.0.3") == 302


def test_one_address_trying_many_user_names_is_blocked() -> None:
    make_user("carol")
    for i in range(MAX_FAILURES_PER_IP):
        attempt(Client(), f"guess{i}", "wrong", ip="10.9.9.9")
    assert attempt(Client(), "carol", PASSWORD, ip="10.9.9.9") == 200
    assert attempt(Client(), "carol", PASSWORD, ip="10.9.9.8") == 302


def test_the_admin_login_is_throttled_too() -> None:
    make_user("root", superuser=True)
    client = Client()
    for _ in range(MAX_FAILURES_PER_USERNAME):
        attempt(client, "root", "wrong", url="/admin/login/")
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200 and "登录失败次数过多" in response.content.decode()


def test_behind_our_proxy_the_limit_counts_the_visitors_address_not_the_proxys(settings) -> None:  # type: ignore[no-untyped-def]
    # Every request reaches the app from the proxy's own address; counting that would let one
    # guesser lock out every visitor. The address the proxy saw (X-Forwarded-For) is what counts.
    settings.TIDU_PROXY_COUNT = 1
    make_user("carol")
    for i in range(MAX_FAILURES_PER_IP):
        Client().post("/login/", {"username": f"guess{i}", "password": "wrong"},
                      REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    visitor = Client().post("/login/", {"username": "carol", "password": PASSWORD},
                            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    guesser = Client().post("/login/", {"username": "carol", "password": PASSWORD},
                            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert visitor.status_code == 302
    assert guesser.status_code == 200
