"""证书核验: anyone checks a certificate by its number (typed in, or from the QR code printed on it).

The page shows what the public list shows and no more: number, tier, the firm's current approved name (and
the name it was granted under, if renamed), its region, validity, and whether the title is valid, expired
or revoked. Unlike the list, revoked and expired titles are found too, so a stale certificate is exposed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidu.journey.certificate import certificate_state
from tidu.journey.models import Recognition
from tidu.journey.selectors import recognition_by_number

STATE_LABELS = {"valid": _("有效"), "pending": _("尚未生效"), "expired": _("已过期"), "revoked": _("已撤销")}


def verify_url(request: HttpRequest | None, rec: Recognition) -> str:
    """The absolute address of a title's verification page: TIDU_PUBLIC_URL when set (behind a proxy), else
    the address the request came to."""
    path = reverse("journey:verify", kwargs={"number": rec.number})
    base = str(getattr(settings, "TIDU_PUBLIC_URL", "") or "").rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def verify_form(request: HttpRequest) -> HttpResponse:
    number = (request.GET.get("number") or "").strip()
    if number:
        return redirect("journey:verify", number=number.upper())
    return render(request, "journey/verify.html", {"searched": False})


def verify(request: HttpRequest, number: str) -> HttpResponse:
    rec = recognition_by_number(number)
    if rec is None:
        return render(request, "journey/verify.html", {"searched": True, "number": number}, status=404)
    state = certificate_state(rec, timezone.localdate())
    response = render(request, "journey/verify.html", {
        "searched": True, "number": rec.number, "rec": rec, "state": state, "state_label": STATE_LABELS[state],
    })
    response["Cache-Control"] = "no-store"  # a revocation shows at once
    return response
