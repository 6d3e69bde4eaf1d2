"""Suite-wide fixtures."""

from __future__ import annotations

import pytest

from tidu.core.testing import RateLimitClock


@pytest.fixture(autouse=True)
def _region_list_present(request: pytest.FixtureRequest) -> None:
    """Transactional tests find the region list a data migration loaded, whatever ran before.

    A transactional test (live server, real concurrent connections) ends by flushing every table,
    taking the migration-loaded regions with it; the next one would fail on its first foreign key.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from tidu.regions.loader import load_regions
    from tidu.regions.models import Region

    if not Region.objects.exists():
        load_regions(Region)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> RateLimitClock:
    """Rate-limit windows under the test's control (tests that need another clock define their own `clock`)."""
    return RateLimitClock.install(monkeypatch)
