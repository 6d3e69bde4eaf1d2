"""The Django admin is for platform admins; every model page of ours opens; others are kept out."""

from __future__ import annotations

import pytest
from django.test import Client

from tidu.core.audit import audit_record
from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year

pytestmark = pytest.mark.django_db


def test_platform_admin_opens_every_admin_page_of_ours() -> None:
    make_user("root", superuser=True)
    ent = make_enterprise()
    year = make_year(ent, 2025)
    event = audit_record(actor=None, action="test")
    client = Client()
    client.login(username="root", password=PASSWORD)
    for url in ["/admin/", "/admin/enterprises/enterprise/", f"/admin/enterprises/enterprise/{ent.pk}/change/",
                f"/admin/enterprises/enterpriseyear/{year.pk}/change/", "/admin/core/auditevent/",
                f"/admin/core/auditevent/{event.pk}/change/", "/admin/regions/region/", "/admin/regions/region/440305/change/",
                "/admin/accounts/organisation/", "/admin/accounts/apitoken/", "/admin/accounts/membership/"]:
        assert client.get(url).status_code == 200, url
    assert client.post(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403


def test_officials_are_kept_out_of_the_admin() -> None:
    make_user("national", "government", level="national")
    client = Client()
    client.login(username="national", password=PASSWORD)
    assert client.get("/admin/enterprises/enterprise/").status_code == 302


def test_officials_get_the_register_and_import_links_in_the_menu() -> None:
    from django.urls import reverse

    make_user("city", "government", level="city", region="440300")
    client = Client()
    client.login(username="city", password=PASSWORD)
    body = client.get("/").content.decode()
    assert "企业名录" in body
    assert reverse("io:import") in body
