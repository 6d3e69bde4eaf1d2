"""Turning TiduError into a page: the right status and the Chinese message, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tidu.core.errors import ErrorCode, TiduError


def render_error(request: HttpRequest, error: TiduError) -> HttpResponse:
    return render(request, "core/error.html", {"error": error}, status=error.status)


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


def forbid() -> TiduError:
    return TiduError(ErrorCode.PERMISSION_DENIED)
