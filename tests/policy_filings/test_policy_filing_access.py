"""Who sees and acts on a policy application: a firm only its own, officials only their jurisdiction and
only at their own level of the policy's review path; payouts by those who manage the policy."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tidu.core.errors import TiduError
from tidu.journey.testing import World
from tidu.policies.models import PolicyBatch
from tidu.policy_filings import services
from tidu.policy_filings.errors import FilingCode, FilingError
from tidu.policy_filings.selectors import filing_get, filing_list
from tidu.policy_filings.testing import make_policy, submitted


def test_a_firm_sees_only_its_own_applications(world: World, batch: PolicyBatch) -> None:
    own = services.policy_filing_start(actor=world.users["firm_a"], policy=batch.policy)
    other = services.policy_filing_start(actor=world.users["firm_b"], policy=batch.policy)
    assert list(filing_list(user=world.users["firm_a"])) == [own]
    with pytest.raises(TiduError) as error:
        filing_get(user=world.users["firm_a"], pk=other.pk)
    assert error.value.status == 404
    with pytest.raises(TiduError):  # nor change it
        services.attachment_add(
            actor=world.users["firm_a"], filing=other, material="营业执照", name="x.pdf", data=b"%PDF-1.4 x"
        )


def test_officials_see_submitted_applications_of_their_jurisdiction_only(
    world: World, batch: PolicyBatch
) -> None:
    draft = services.policy_filing_start(actor=world.users["firm_b"], policy=batch.policy)
    sent = submitted(world.users["firm_a"], batch.policy)  # 440305 福田
    assert list(filing_list(user=world.users["county"])) == [sent]  # never a draft
    assert list(filing_list(user=world.users["city"])) == [sent]
    for outsider in ("county_c", "city_gz", "province_zj"):  # 罗湖, 广州, 浙江
        assert list(filing_list(user=world.users[outsider])) == []
        with pytest.raises(TiduError) as error:
            filing_get(user=world.users[outsider], pk=sent.pk)
        assert error.value.status == 404
    with pytest.raises(TiduError):
        filing_get(user=world.users["county"], pk=draft.pk)


def test_officials_decide_only_at_their_own_level(world: World, batch: PolicyBatch) -> None:
    filing = submitted(world.users["firm_a"], batch.policy)
    with pytest.raises(FilingError) as error:
        services.policy_filing_review(actor=world.users["city"], filing=filing, action="approve")
    assert error.value.filing_code == FilingCode.NOT_AT_YOUR_STEP and "县级审核中" in error.value.message
    with pytest.raises(TiduError) as denied:
        services.policy_filing_review(actor=world.users["firm_a"], filing=filing, action="approve")
    assert denied.value.status == 403
    with pytest.raises(TiduError) as hidden:
        services.policy_filing_review(actor=world.users["county_c"], filing=filing, action="approve")
    assert hidden.value.status == 404
    assert list(filing_list(user=world.users["county"], to_act=True)) == [filing]
    assert list(filing_list(user=world.users["city"], to_act=True)) == []


def test_a_provincial_policy_climbs_to_the_province_and_a_county_policy_stays_in_the_county(
    world: World,
) -> None:
    prov = make_policy(world.users["province"], code="gd-reward", level="province", region="440000")
    filing = submitted(world.users["firm_a"], prov.policy)
    for level in ("county", "city"):
        services.policy_filing_review(actor=world.users[level], filing=filing, action="approve")
    assert filing.status == "province"
    services.policy_filing_review(actor=world.users["province"], filing=filing, action="approve")
    assert filing.status == "approved" and filing.award is not None

    county = make_policy(world.users["county"], code="ft-reward", level="county", region="440305")
    filing = submitted(world.users["firm_b"], county.policy)
    services.policy_filing_review(actor=world.users["county"], filing=filing, action="approve")
    assert filing.status == "approved" and filing.award is not None and filing.award.policy == county.policy


def test_payouts_are_recorded_only_by_officials_managing_the_policy(world: World, batch: PolicyBatch) -> None:
    filing = submitted(world.users["firm_a"], batch.policy)
    with pytest.raises(FilingError) as error:
        services.policy_filing_payout(
            actor=world.users["city"],
            filing=filing,
            amount_yuan=1,
            paid_on=timezone.localdate(),
            reference="X",
        )
    assert error.value.filing_code == FilingCode.NOT_APPROVED
    services.policy_filing_review(actor=world.users["county"], filing=filing, action="approve")
    services.policy_filing_review(actor=world.users["city"], filing=filing, action="approve")
    for who in ("firm_a", "county"):  # the firm, and a county official under a city policy
        with pytest.raises(TiduError) as denied:
            services.policy_filing_payout(
                actor=world.users[who],
                filing=filing,
                amount_yuan=100_000,
                paid_on=timezone.localdate(),
                reference="X-1",
            )
        assert denied.value.status in (403, 404)
