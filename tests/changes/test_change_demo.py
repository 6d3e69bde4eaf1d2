"""seed_demo leaves one rename waiting for demo-county in the 变化报告 queue; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from tidu.accounts.demo import DEMO_PASSWORD
from tidu.changes.models import ChangeReport, ChangeStatus

pytestmark = pytest.mark.django_db


def test_the_demo_county_has_a_rename_to_review() -> None:
    call_command("seed_demo", firms=300, stdout=None)
    report = ChangeReport.objects.get()
    assert report.status == ChangeStatus.PENDING and report.kinds == ["name"]
    assert report.enterprise.name == report.old_name != report.new_name  # not applied before approval
    assert report.attachments.get().content_type == "application/pdf"
    client = Client()
    assert client.login(username="demo-county", password=DEMO_PASSWORD)
    queue = client.get("/changes/").content.decode()
    assert report.old_name in queue and f"/changes/{report.pk}/" in queue
    call_command("seed_demo", firms=300, stdout=None)
    assert ChangeReport.objects.count() == 1
