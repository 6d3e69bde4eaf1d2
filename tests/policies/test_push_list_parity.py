"""The batch engine (SQL on DuckDB) and the Python judgement of 我的政策 agree over the demo data: the push
list of every 免申即享 policy is exactly the firms the engine finds eligible one by one, and the sandbox's
machine verdicts (size class by the packs' SQL included) equal the Python ones."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tidu.ladder.assessment import today_shanghai
from tidu.policies import batch as B
from tidu.policies import conditions as C
from tidu.policies import selectors as S
from tidu.policies.models import Policy, PolicyBatch
from tidu.policies.records import firm_record, firm_records
from tidu.policies.sandbox import firms_in_reach, push_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", firms=300, verbosity=0)


def test_every_push_list_equals_the_firms_the_engine_qualifies(demo: None) -> None:
    province = get_user_model().objects.get(username="demo-province")
    day = today_shanghai()
    checked = 0
    for batch in PolicyBatch.objects.filter(policy__route="automatic", policy__status="published"):
        if not S.can_manage_policy(province, batch.policy) and batch.policy.level != "national":
            continue
        listed = {r.enterprise.pk for r in push_list(user=province, batch=batch, today=day)}
        engine = set()
        for ent in firms_in_reach(province, batch.policy):
            m = S.match_one(ent, batch.policy, day)
            if m is not None and m.verdict == S.ELIGIBLE:
                engine.add(ent.pk)
        assert listed == engine, batch.policy.code
        checked += bool(engine)
    assert checked >= 3  # not a comparison of empty sets


def test_the_sandbox_and_the_python_verdicts_agree_condition_by_condition(demo: None) -> None:
    province = get_user_model().objects.get(username="demo-province")
    day = today_shanghai()
    for code in (
        "gd-rd-post-subsidy",
        "nat-digital-pilot-2023",
        "nat-small-low-profit-2023",
        "nat-hte-15-percent",
    ):
        policy = Policy.objects.get(code=code)
        edition = S.edition_in_force(policy, day)
        assert edition is not None
        specs = C.check_conditions(edition.conditions)
        firms = firms_in_reach(province, policy)
        out = B.run(
            specs,
            C.check_amount(edition.amount_expr),
            edition.amount_cap_yuan,
            firm_records(firms, day),
            today=day,
        )
        sql = {r["enterprise_id"]: r for r in out.rows}
        for ent in firms:
            fr = firm_record(ent, day)
            states = [C.evaluate_condition(s, fr.record).state for s in specs if s.kind == "machine"]
            python = "fail" if C.UNMET in states else "unknown" if C.UNKNOWN in states else "qualify"
            assert sql.get(ent.pk, {"verdict": "fail"})["verdict"] == python, (code, ent.credit_code)
            if python == "qualify":
                assert sql[ent.pk]["amount_yuan"] == C.evaluate_amount(
                    C.check_amount(edition.amount_expr), edition.amount_cap_yuan, fr.record
                )
        assert out.qualify > 0 and out.fail > 0, code
