"""Turning TiduError into a page: the right status and the Chinese message, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from tidu.core.errors import ErrorCode, TiduError


def render_error(request: HttpRequest, error: TiduError) -> HttpResponse:
    response = render(request, "core/error.html", {"error": error}, status=error.status)
    for name, value in error.headers.items():  # Retry-After of a rate limit
        response[name] = value
    return response


def tidu_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view: anonymous users go to the login page; TiduError becomes its error page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except TiduError as error:
            return render_error(request, error)

    return wrapper


def client_ip(request: HttpRequest | None) -> str | None:
    """The visitor's address for per-address limits. Behind N reverse proxies (setting
    TIDU_PROXY_COUNT = N, default 0), the N-th address from the right of X-Forwarded-For: the one
    our own outermost proxy saw; anything further left was written by the client and is not trusted."""
    if request is None:
        return None
    hops = int(getattr(settings, "TIDU_PROXY_COUNT", 0) or 0)
    if hops > 0:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR") or None


def is_safe_next(request: HttpRequest, url: str | None) -> bool:
    """True for a path (or URL) on this site only: never another host, never a scheme-relative `//x`."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def redirect_next(request: HttpRequest, fallback: str, *, url: str | None = None) -> HttpResponse:
    """Redirect to `url` (default: the request's `next`, POST then GET) if it stays on this site,
    else to `fallback` (a URL name or path). Every view that redirects to a URL taken from the
    request goes through here, so `next=https://elsewhere` is never followed (open redirect)."""
    target = url if url is not None else (request.POST.get("next") or request.GET.get("next") or "")
    return redirect(target if is_safe_next(request, target) else fallback)


def forbid() -> TiduError:
    return TiduError(ErrorCode.PERMISSION_DENIED)


def private_download(path: Path, *, filename: str, content_type: str) -> HttpResponse:
    """A confidential stored file as a download: never rendered inline or sniffed as another type,
    never kept by a shared cache."""
    response = FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # a streaming response passes through every view wrapper
