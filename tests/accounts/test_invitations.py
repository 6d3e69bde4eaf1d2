"""An official invites a firm of the register that has no account: a one-time link by e-mail, expiring,
revoked by a new invitation, refused outside the jurisdiction and without a valid contact e-mail."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from tidu.accounts.models import Invitation, Membership
from tidu.core.models import AuditEvent
from tidu.core.testing import PASSWORD, make_enterprise, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Firm-Sets-Its-Own-2026"


@pytest.fixture
def firm() -> Any:
    return make_enterprise("440305", name="深圳市被邀请科技有限公司", contact_email="boss@invited.test",
                           source="import")


@pytest.fixture
def county() -> Client:
    make_user("county", "government", level="county", region="440305")
    client = Client()
    client.login(username="county", password=PASSWORD)
    return client


def invite(client: Client, firm: Any, capture: Any, **data: str) -> Any:
    with capture(execute=True):
        return client.post(f"/accounts/invitations/{firm.pk}/", data, follow=True)


def link_in(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/activate/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def activate(link: str, username: str = "invited-boss") -> Any:
    return Client().post(link, {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def test_the_county_invites_a_firm_and_the_firm_sets_its_login_once(
    firm: Any, county: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    page = county.get(f"/enterprises/{firm.pk}/").content.decode()
    assert "发送开通邀请" in page and "boss@invited.test" in page

    response = invite(county, firm, django_capture_on_commit_callbacks)
    assert "已向 boss@invited.test 发送开通邀请" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["boss@invited.test"]]
    assert firm.name in mail.outbox[0].subject
    link = link_in(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    inv = Invitation.objects.get()
    assert token not in inv.digest and len(inv.digest) == 64  # only the digest is stored
    assert inv.expires_at - inv.created_at == dt.timedelta(days=14)

    form_page = Client().get(link).content.decode()
    assert firm.name in form_page and "开通账号" in form_page
    response = activate(link)
    assert response.status_code == 302 and response["Location"] == "/ladder/"
    membership = Membership.objects.select_related("organisation").get(user__username="invited-boss")
    assert membership.organisation.enterprise == firm and membership.organisation.kind == "enterprise"
    assert membership.user.email == "boss@invited.test"
    assert Client().login(username="invited-boss", password=NEW_PASSWORD)

    second = activate(link, username="someone-else")
    assert second.status_code == 410 and "已于" in second.content.decode() and "使用过" in second.content.decode()
    assert not Membership.objects.filter(user__username="someone-else").exists()

    inv.refresh_from_db()
    assert inv.used_by is not None and inv.used_by.username == "invited-boss" and inv.used_at is not None
    events = dict(AuditEvent.objects.filter(action__startswith="account.invitation").values_list("action", "actor_label"))
    assert events == {"account.invitation_create": "county", "account.invitation_accept": "invited-boss"}
    # Once the firm has an account, its page offers no invitation.
    assert "发送开通邀请" not in county.get(f"/enterprises/{firm.pk}/").content.decode()


def test_an_expired_link_is_refused_and_says_so(firm: Any, county: Client, django_capture_on_commit_callbacks: Any) -> None:
    invite(county, firm, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = activate(link)
    body = response.content.decode()
    assert response.status_code == 410 and "过期" in body and "重新发送邀请" in body
    assert not Membership.objects.filter(organisation__enterprise=firm).exists()


@override_settings(INVITATION_VALID_DAYS=3)
def test_the_validity_is_a_setting(firm: Any, county: Client, django_capture_on_commit_callbacks: Any) -> None:
    invite(county, firm, django_capture_on_commit_callbacks)
    inv = Invitation.objects.get()
    assert inv.expires_at - inv.created_at == dt.timedelta(days=3)


def test_inviting_again_revokes_the_earlier_link(firm: Any, county: Client, django_capture_on_commit_callbacks: Any) -> None:
    invite(county, firm, django_capture_on_commit_callbacks)
    invite(county, firm, django_capture_on_commit_callbacks)
    first, second = link_in(mail.outbox[0]), link_in(mail.outbox[1])
    assert first != second
    old = activate(first)
    assert old.status_code == 410 and "已作废" in old.content.decode()
    assert activate(second).status_code == 302
    assert Invitation.objects.filter(revoked_at__isnull=False).count() == 1


def test_a_made_up_link_is_refused() -> None:
    response = Client().get("/accounts/activate/not-a-real-token/")
    assert response.status_code == 404 and "邀请链接无效" in response.content.decode()


def test_a_firm_without_a_valid_contact_email_cannot_be_invited_until_one_is_given(
    county: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    firm = make_enterprise("440305", name="深圳市没有邮箱有限公司")
    body = invite(county, firm, django_capture_on_commit_callbacks).content.decode()
    assert "没有有效的联系邮箱" in body and not Invitation.objects.exists() and not mail.outbox

    body = invite(county, firm, django_capture_on_commit_callbacks, email="not-an-address").content.decode()
    assert "联系邮箱“not-an-address”不是有效的电子邮箱地址" in body and not Invitation.objects.exists()

    invite(county, firm, django_capture_on_commit_callbacks, email="found@firm.test")
    firm.refresh_from_db()
    assert firm.contact_email == "found@firm.test"  # the register is corrected, and audited
    assert [m.to for m in mail.outbox] == [["found@firm.test"]]
    assert AuditEvent.objects.filter(action="enterprise.update", target_id=str(firm.pk)).exists()


def test_officials_outside_the_jurisdiction_and_firms_cannot_invite(
    firm: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    make_user("futian", "government", level="county", region="440304")
    other = Client()
    other.login(username="futian", password=PASSWORD)
    assert invite(other, firm, django_capture_on_commit_callbacks).status_code == 404
    assert firm.name not in other.get("/accounts/without-account/").content.decode()

    make_user("staff", "enterprise", enterprise=make_enterprise("440305"))
    staff = Client()
    staff.login(username="staff", password=PASSWORD)
    assert invite(staff, firm, django_capture_on_commit_callbacks).status_code == 404
    assert staff.get("/accounts/without-account/").status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox


def test_the_list_of_firms_without_an_account_shows_their_invitations(
    firm: Any, county: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    with_account = make_enterprise("440305", name="深圳市已有账号有限公司")
    make_user("has-account", "enterprise", enterprise=with_account)
    elsewhere = make_enterprise("440304", name="深圳市福田区另一家有限公司")
    body = county.get("/accounts/without-account/").content.decode()
    assert firm.name in body and "未邀请" in body
    assert with_account.name not in body and elsewhere.name not in body

    invite(county, firm, django_capture_on_commit_callbacks)
    body = county.get("/accounts/without-account/").content.decode()
    assert "已邀请，待开通" in body and "重新邀请" in body
