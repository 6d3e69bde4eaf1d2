"""The re-review window table holds one row per region and exactly one national default (region left
empty), so which window applies is never a matter of row order."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tidu.journey.models import ReReviewSetting
from tidu.journey.selectors import rereview_windows, window_for
from tidu.journey.testing import World
from tidu.regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_national_default() -> None:
    ReReviewSetting.objects.create(region=None, window_days=120)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReReviewSetting.objects.create(region=None, window_days=200)
    assert list(ReReviewSetting.objects.values_list("window_days", flat=True)) == [120]
    assert window_for("440305", rereview_windows()) == 120


def test_the_admin_form_explains_why_a_second_national_default_is_refused() -> None:
    ReReviewSetting.objects.create(region=None, window_days=120)
    with pytest.raises(ValidationError) as exc:
        ReReviewSetting(region=None, window_days=200).full_clean()
    assert "全国默认的复核期只能设置一条" in str(exc.value)


def test_the_admin_page_refuses_a_second_national_default(world: World) -> None:
    ReReviewSetting.objects.create(region=None, window_days=120)
    response = world.client("admin").post("/admin/journey/rereviewsetting/add/", {"region": "", "window_days": 200})
    assert response.status_code == 200 and "全国默认的复核期只能设置一条" in response.content.decode()
    assert ReReviewSetting.objects.count() == 1


def test_each_region_has_one_row_and_provinces_and_the_default_live_side_by_side() -> None:
    guangdong, zhejiang = Region.objects.get(code="440000"), Region.objects.get(code="330000")
    ReReviewSetting.objects.create(region=None, window_days=180)
    ReReviewSetting.objects.create(region=guangdong, window_days=365)
    ReReviewSetting.objects.create(region=zhejiang, window_days=90)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReReviewSetting.objects.create(region=guangdong, window_days=30)
    windows = rereview_windows()
    assert (window_for("440305", windows), window_for("330106", windows), window_for("110101", windows)) == (
        365, 90, 180)
