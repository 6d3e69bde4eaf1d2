"""The sandbox on the platform: an official's run covers their jurisdiction only, its counts equal the
Python engine on the same records, the packs in force and their verdicts are unchanged, runs are kept
and reopened, lists link to the firms, bad edits are refused in Chinese."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tidu.core.errors import TiduError, TiduValidationError
from tidu.core.permissions import enterprises_visible_to
from tidu.ladder.assessment import today_shanghai
from tidu.rules.packs import default_packs, load_packs, repo_packs_dir
from tidu.sandbox import engine as E
from tidu.sandbox import services
from tidu.sandbox.models import SandboxRun
from tidu.sandbox.selectors import run_for

pytestmark = pytest.mark.django_db
STD = "innovative_sme"


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", firms=300, verbosity=0)


def _user(name: str):  # type: ignore[no-untyped-def]
    return get_user_model().objects.get(username=name)


def _score_threshold() -> E.Threshold:
    return next(t for t in E.thresholds(repo_packs_dir(), STD, today_shanghai()) if t.field == "score")


def _qualified(packs, records, edition):  # type: ignore[no-untyped-def]
    day = today_shanghai()
    return {
        r["credit_code"]
        for r in records
        if packs.explain(r, standards=[STD], editions={STD: edition}, today=day).standards[STD].qualified
        == "true"
    }


def test_a_run_counts_like_the_python_engine_and_changes_nothing_in_force(demo: None) -> None:
    province = _user("demo-province")
    day = today_shanghai()
    records, codes, _none = services.register_records(enterprises_visible_to(province), day)
    edition = E.edition_in_force(repo_packs_dir(), STD, day)
    real_before = _qualified(default_packs(), records, edition)
    digest = load_packs(repo_packs_dir(), cache=False).digest

    t = _score_threshold()
    run = services.start_run(user=province, standard=STD, edits={t.id: "75"})  # pass mark 60 → 75
    run.refresh_from_db()
    assert run.job is not None and run.job.status == "succeeded"
    r = run.result
    with E.edited_tree(repo_packs_dir(), {t.id: E.check_edit(t, "75")}) as copy:
        after = _qualified(load_packs(copy, cache=False), records, edition)
    assert r["firms"] == len(records)
    assert (r["before"], r["after"]) == (len(real_before), len(after))
    assert set(r["leaving_ids"]) == {codes[c] for c in real_before - after}
    assert r["entering_ids"] == []
    assert r["leaving"] > 0  # a stricter pass mark drops firms on the demo register
    assert sum(row[3] for row in r["by_region"]) == r["before"]
    assert sum(row[4] for row in r["by_industry"]) == r["after"]
    # The packs in force are untouched: digest and verdicts as before the run.
    fresh = load_packs(repo_packs_dir(), cache=False)
    assert fresh.digest == digest == default_packs().digest
    assert _qualified(fresh, records, edition) == real_before


def test_an_official_sees_only_their_jurisdiction_and_their_runs(demo: None) -> None:
    county = _user("demo-county")  # 440305
    t = _score_threshold()
    run = services.start_run(user=county, standard=STD, edits={t.id: "75"})
    run.refresh_from_db()
    assert run.scope_prefix == "440305"
    assert [row[0] for row in run.result["by_region"]] == ["440305"]
    assert run.result["firms"] == enterprises_visible_to(county).exclude(years=None).count()
    city_run = services.start_run(user=_user("demo-city"), standard=STD, edits={t.id: "75"})
    assert city_run.result["firms"] > run.result["firms"]
    with pytest.raises(TiduError):
        run_for(county, city_run.pk)
    with pytest.raises(TiduError):
        services.start_run(user=_user("demo-firm"), standard=STD, edits={t.id: "75"})

    c = Client()
    c.login(username="demo-county", password="tidu-demo-2026")
    assert c.get(f"/sandbox/runs/{city_run.pk}/").status_code == 404
    page = c.get(f"/sandbox/runs/{run.pk}/").content.decode()
    assert "试算结果" in page and "南山区" in page
    leaving = c.get(f"/sandbox/runs/{run.pk}/leaving/").content.decode()
    for pk in run.result["leaving_ids"]:
        assert f"/enterprises/{pk}/" in leaving
    home = c.get("/sandbox/?standard=specialized_sme").content.decode()
    assert "1500" in home and "工信部企业〔2026〕2号" in home  # the value in force and its document
    firm = Client()
    firm.login(username="demo-firm", password="tidu-demo-2026")
    assert firm.get("/sandbox/").status_code == 403


def test_bad_edits_are_refused_with_a_chinese_message_and_nothing_is_queued(db: None) -> None:
    call_command("seed_demo", firms=20, verbosity=0)
    county = _user("demo-county")
    ratio = next(
        t
        for t in E.thresholds(repo_packs_dir(), "specialized_sme", today_shanghai())
        if t.field == "rd_ratio_y1"
    )
    money = next(
        t
        for t in E.thresholds(repo_packs_dir(), "specialized_sme", today_shanghai())
        if t.field == "revenue_y1"
    )
    with pytest.raises(TiduValidationError) as exc:
        services.start_run(user=county, standard="specialized_sme", edits={ratio.id: "150", money.id: "-5"})
    messages = " ".join(m for _f, _c, m in exc.value.problems)
    assert "不能超过100%" in messages and "不能为负数" in messages
    assert not SandboxRun.objects.exists()
    c = Client()
    c.login(username="demo-county", password="tidu-demo-2026")
    resp = c.post("/sandbox/runs/", {"standard": "specialized_sme", f"t:{ratio.id}": "150"})
    assert resp.status_code == 400
    assert "不能超过100%" in resp.content.decode()


def test_the_api_lists_thresholds_runs_and_refuses_bad_edits(db: None) -> None:
    call_command("seed_demo", firms=20, verbosity=0)
    c = Client()
    c.login(username="demo-county", password="tidu-demo-2026")
    found = c.get("/api/v1/sandbox/standards/specialized_sme/thresholds").json()
    revenue = next(t for t in found if t["field"] == "revenue_y1")
    assert (revenue["value"], revenue["unit"], revenue["op"]) == ("1500", "万元", ">=")
    bad = c.post(
        "/api/v1/sandbox/runs",
        {"standard": "specialized_sme", "edits": {revenue["id"]: "-1"}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "不能为负数" in bad.json()["message"]
    ok = c.post(
        "/api/v1/sandbox/runs",
        {"standard": "specialized_sme", "edits": {revenue["id"]: "2000"}},
        content_type="application/json",
    )
    assert ok.status_code == 201
    run = ok.json()
    assert run["finished"] and run["edits"][0]["new"] == "2000"
    assert [r["id"] for r in c.get("/api/v1/sandbox/runs").json()] == [run["id"]]
    other = Client()
    other.login(username="demo-city", password="tidu-demo-2026")
    assert other.get(f"/api/v1/sandbox/runs/{run['id']}").status_code == 404
    firm = Client()
    firm.login(username="demo-firm", password="tidu-demo-2026")
    assert firm.get("/api/v1/sandbox/runs").status_code == 403
