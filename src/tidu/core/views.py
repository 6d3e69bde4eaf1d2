from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from tidu.enterprises.selectors import register_counts


def home(request: HttpRequest) -> HttpResponse:
    """The ladder explained in Chinese, with live counts (no firm named: the page is public)."""
    return render(request, "core/home.html", {"counts": register_counts()})


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, asked for by browsers and feed readers that ignore <link rel=icon>: our SVG."""
    return HttpResponseRedirect(static("tidu/favicon.svg"))
