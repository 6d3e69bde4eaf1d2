"""The server builds its slow caches (scenario search index, criteria packs, URLconf) as it starts, so the
first visitor to /scenarios/ or /ladder/ does not wait for them; a cache that cannot be built yet is
reported and left to be built on first use."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tidu.core import warmup
from tidu.journey.assessment import _packs
from tidu.ladder.assessment import packs
from tidu.scenarios import selectors
from tidu.scenarios.services import library_seed_samples


@pytest.fixture
def cold() -> None:
    selectors._cache.update(stamp=None, index=None)
    packs.cache_clear()
    _packs.cache_clear()


@pytest.mark.django_db
def test_warm_caches_builds_the_scenario_index_and_the_packs_and_says_how_long_each_took(cold: None) -> None:
    library_seed_samples()
    out = StringIO()
    call_command("warm_caches", stdout=out)

    assert selectors._cache["index"] is not None and selectors._cache["stamp"] == selectors._stamp()
    assert packs.cache_info().currsize == 1 and _packs.cache_info().currsize == 1
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "tidu.core.warmup.url_routes", "tidu.scenarios.selectors.scenario_search_index",
        "tidu.ladder.assessment.packs", "tidu.journey.assessment._packs"]
    assert all(line.endswith(" s") for line in lines)
    # The first search now reuses the index built at start-up.
    built = selectors._cache["index"]
    assert selectors.scenario_search(q="机器视觉质检")
    assert selectors._cache["index"] is built


@pytest.mark.django_db
def test_a_cache_that_cannot_be_built_is_reported_and_the_others_still_are(
    cold: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("no such table: scenarios_scenario")

    monkeypatch.setattr(warmup, "warmers", lambda: [("broken", broken), ("packs", packs)])
    out = StringIO()
    with pytest.raises(CommandError, match="部分缓存未能预先构建"):
        call_command("warm_caches", stdout=out)
    assert "broken: " in out.getvalue() and "失败：RuntimeError: no such table" in out.getvalue()
    assert packs.cache_info().currsize == 1


@pytest.mark.django_db(transaction=True)
def test_the_server_warms_in_a_background_thread(cold: None) -> None:
    thread = warmup.start_warming()
    assert thread.daemon and thread.name == "tidu-warmup"
    thread.join()
    assert selectors._cache["index"] is not None
    assert packs.cache_info().currsize == 1
