"""Password reset: all four steps are the platform's own Chinese pages (never the admin's "Django 管理"),
and the e-mail is ours too."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tidu.core.testing import make_user

pytestmark = pytest.mark.django_db

ADMIN_MARKS = ("Django 管理", "Django administration", "Django site admin", 'id="site-name"')


def platform_page(client: Client, url: str, heading: str, *, method: str = "get", data: dict[str, str] | None = None) -> str:
    response = client.post(url, data or {}, follow=True) if method == "post" else client.get(url, follow=True)
    assert response.status_code == 200
    body: str = response.content.decode()
    assert 'class="topbar"' in body, "the page is not on the platform's base.html"
    assert f"<h1>{heading}</h1>" in body
    for mark in ADMIN_MARKS:
        assert mark not in body, (url, mark)
    return body


def test_every_step_of_the_password_reset_is_a_chinese_page_of_the_platform() -> None:
    make_user("alice", email="alice@example.com")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")

    form = platform_page(client, "/password-reset/", "重设密码")
    assert 'name="email"' in form and "<title>重设密码 · " in form
    platform_page(client, "/password-reset/", "邮件已发送", method="post", data={"email": "alice@example.com"})

    [message] = mail.outbox
    assert message.subject == "梯度平台：重设密码"
    assert "有人（希望是您本人）申请重设梯度平台账号的密码" in message.body
    link = re.search(r"https?://[^/]+(/reset/\S+/)", message.body)
    assert link

    confirm = platform_page(client, link.group(1), "设置新密码")
    assert 'name="new_password1"' in confirm and 'name="new_password2"' in confirm
    response = client.get(link.group(1), follow=True)  # Django moves the token out of the URL first
    done = platform_page(client, response.redirect_chain[-1][0], "密码已重设", method="post",
                         data={"new_password1": "Brand-New-Pass-99", "new_password2": "Brand-New-Pass-99"})
    assert 'href="/login/"' in done
    assert Client().login(username="alice", password="Brand-New-Pass-99")


def test_a_used_or_broken_reset_link_says_so_in_chinese_and_offers_a_new_one() -> None:
    body = platform_page(Client(), "/reset/MQ/set-password/", "设置新密码")
    assert "该链接无效或已使用，请重新申请重设密码。" in body
    assert 'href="/password-reset/"' in body
