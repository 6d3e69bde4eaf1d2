"""Who sees which requests: firms their own, providers those addressed to them, officials their jurisdiction."""

from __future__ import annotations

import pytest
from service_support import SWorld, ask, offer_input

from tidu.core.errors import TiduError
from tidu.service_catalog import selectors, services
from tidu.service_catalog.services import ProviderInput


@pytest.fixture
def two_providers(world: SWorld) -> SWorld:
    """A second approved provider with its own listed offer, and requests from firms A and B to both."""
    q = services.provider_profile_save(
        actor=world.users["provider_q"],
        data=ProviderInput(region_code="440304", intro="律师事务所", contact_phone="13900000000"),
    )
    services.provider_decide(actor=world.users["county_ft"], provider=q, approve=True)
    offer = services.offer_save(
        actor=world.users["provider_q"], data=offer_input(title="合同审查", category="legal")
    )
    services.offer_submit(actor=world.users["provider_q"], offer=offer)
    world.q_offer = services.offer_decide(actor=world.users["city"], offer=offer, approve=True)  # type: ignore[attr-defined]
    world.reqs = {  # type: ignore[attr-defined]
        ("firm_a", "p"): ask(world, "firm_a"),
        ("firm_b", "p"): ask(world, "firm_b"),
        ("firm_a", "q"): ask(world, "firm_a", offer=world.q_offer),  # type: ignore[attr-defined]
    }
    return world


def visible(world: SWorld, user: str) -> set[int]:
    return set(selectors.requests_visible_to(world.users[user]).values_list("pk", flat=True))


def test_providers_see_only_the_requests_addressed_to_them(two_providers: SWorld) -> None:
    r = two_providers.reqs  # type: ignore[attr-defined]
    assert visible(two_providers, "provider_p") == {r["firm_a", "p"].pk, r["firm_b", "p"].pk}
    assert visible(two_providers, "provider_q") == {r["firm_a", "q"].pk}
    with pytest.raises(TiduError) as exc:
        selectors.request_get(user=two_providers.users["provider_q"], pk=r["firm_b", "p"].pk)
    assert exc.value.status == 404


def test_a_provider_cannot_answer_a_request_addressed_to_another(two_providers: SWorld) -> None:
    req = two_providers.reqs["firm_a", "p"]  # type: ignore[attr-defined]
    with pytest.raises(TiduError) as exc:
        services.request_accept(actor=two_providers.users["provider_q"], request=req)
    assert exc.value.status == 404


def test_firms_see_only_their_own_requests(two_providers: SWorld) -> None:
    r = two_providers.reqs  # type: ignore[attr-defined]
    assert visible(two_providers, "firm_a") == {r["firm_a", "p"].pk, r["firm_a", "q"].pk}
    assert visible(two_providers, "firm_b") == {r["firm_b", "p"].pk}
    with pytest.raises(TiduError):
        services.request_reply(
            actor=two_providers.users["firm_b"], request=r["firm_a", "p"], text="x", side=services.Side.FIRM
        )


def test_officials_see_the_requests_of_firms_in_their_jurisdiction(two_providers: SWorld) -> None:
    r = two_providers.reqs  # type: ignore[attr-defined]
    assert visible(two_providers, "county") == {r["firm_a", "p"].pk, r["firm_a", "q"].pk}
    assert visible(two_providers, "county_ft") == {r["firm_b", "p"].pk}
    assert visible(two_providers, "city") == {x.pk for x in r.values()}
    assert visible(two_providers, "county_hz") == set()


def test_large_enterprises_see_no_requests(two_providers: SWorld) -> None:
    assert visible(two_providers, "large") == set()


def test_an_unlisted_offer_is_hidden_from_firms_and_other_providers(world: SWorld) -> None:
    draft = services.offer_save(actor=world.users["provider_p"], data=offer_input(title="草稿服务"))
    for user in ("firm_a", "provider_q", "county_hz"):
        with pytest.raises(TiduError) as exc:
            selectors.offer_get(user=world.users[user], pk=draft.pk)
        assert exc.value.status == 404
    assert selectors.offer_get(user=world.users["provider_p"], pk=draft.pk) == draft
    assert selectors.offer_get(user=world.users["city"], pk=draft.pk) == draft
