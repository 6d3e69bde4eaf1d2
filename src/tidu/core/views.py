from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The ladder explained in Chinese, with live counts."""
    return render(request, "core/home.html", {})
