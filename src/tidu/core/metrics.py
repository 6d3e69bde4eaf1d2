"""/metrics: the Prometheus exposition of django-prometheus, for our monitoring only.

Metrics tell a stranger request volumes, error rates and paths; only two kinds of caller may read them:
an address inside TIDU_METRICS_ALLOW (default: the loopback, where a local Prometheus or agent runs),
judged by `tidu.core.http.client_ip` so that behind the proxy it is the proxy's view of the client, not
a forged X-Forwarded-For; or a scraper presenting `Authorization: Bearer <TIDU_METRICS_TOKEN>`.
Everyone else gets 403. The proxy (deploy/nginx) refuses /metrics from outside the loopback as well.

With several gunicorn workers each process counts for itself; PROMETHEUS_MULTIPROC_DIR (set by
deploy/gunicorn.conf.py) makes prometheus_client add them up, which django-prometheus's view honours.
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView

from tidu.core.http import client_ip

DEFAULT_ALLOW = "127.0.0.0/8,::1/128"


@cache
def _networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def address_allowed(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(getattr(settings, "TIDU_METRICS_ALLOW", DEFAULT_ALLOW)))


def token_allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "TIDU_METRICS_TOKEN", "")
    presented = request.META.get("HTTP_AUTHORIZATION", "")
    if not token or not presented.startswith("Bearer "):
        return False
    return hmac.compare_digest(presented.removeprefix("Bearer ").strip().encode(), token.encode())


def may_read_metrics(request: HttpRequest) -> bool:
    return token_allowed(request) or address_allowed(client_ip(request))


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        return HttpResponseForbidden("forbidden\n", content_type="text/plain; charset=utf-8")
    response: HttpResponse = ExportToDjangoView(request)
    return response
