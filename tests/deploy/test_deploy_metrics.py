"""/metrics is for our monitoring: the loopback or a bearer token, nobody else."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_metrics_are_served_to_the_loopback_in_prometheus_format() -> None:
    Client().get("/healthz")
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"django_http_requests_total_by_view_transport_method_total" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["203.0.113.9", "10.1.2.3", "2001:db8::1"])
def test_metrics_are_refused_to_strangers(address: str) -> None:
    response = Client(REMOTE_ADDR=address).get("/metrics")
    assert response.status_code == 403
    assert b"django_http" not in response.content


@pytest.mark.django_db
def test_a_stranger_cannot_pass_for_the_loopback_through_the_proxy(settings: object) -> None:
    settings.TIDU_PROXY_COUNT = 1  # type: ignore[attr-defined]
    # The client wrote "127.0.0.1"; nginx appended the address it really came from.
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1, 198.51.100.7")
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_a_scraper_with_the_token_may_read_them_from_anywhere(settings: object) -> None:
    settings.TIDU_METRICS_TOKEN = "s3cret-scrape-token-0123456789"  # type: ignore[attr-defined]
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    assert stranger.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token-0123456789").status_code == 200
    assert stranger.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert stranger.get("/metrics", HTTP_AUTHORIZATION="s3cret-scrape-token-0123456789").status_code == 403


@pytest.mark.django_db
def test_without_a_configured_token_no_bearer_is_accepted(settings: object) -> None:
    settings.TIDU_METRICS_TOKEN = ""  # type: ignore[attr-defined]
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403
