from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tidu.enterprises.selectors import register_counts


def home(request: HttpRequest) -> HttpResponse:
    """The ladder explained in Chinese, with live counts (no firm named: the page is public)."""
    return render(request, "core/home.html", {"counts": register_counts()})
