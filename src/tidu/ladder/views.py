"""我的梯度 pages: thin views over `assessment.assess`; the what-if answers htmx with the results partial."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from tidu.core.http import tidu_view
from tidu.enterprises import provenance
from tidu.ladder import whatif
from tidu.ladder.assessment import Assessment, assess, firm_for, recognitions_of, today_shanghai
from tidu.ladder.charts import radar_svg
from tidu.ladder.dates import CHANGE_RULE, calendar_of
from tidu.ladder.report import diagnosis_pdf


class _Rendered:
    """Rendered HTML for the inputs seen lately in this process (an LRU of `SIZE` entries).

    `RENDERED`: the standings part of the page (summary, titles, each standard with its radar). That
    part holds nothing of the visitor (no form, no CSRF token, no name): it is a function of the
    assessment's key (packs digest, day, whole record: `assessment.EXPLAINED`), the provenance marks of
    the titles, the report link and the language, which together make the key here.
    `BODIES`: the rest of the page's own part (`body_html`), keyed on its whole context.
    The templates are read once per process in production (cached loader), so a process never mixes
    two versions."""

    SIZE = 1024

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, SafeString] = OrderedDict()

    def get(self, key: str) -> SafeString | None:
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
            return html

    def put(self, key: str, html: SafeString) -> None:
        with self._lock:
            self._items[key] = html
            while len(self._items) > self.SIZE:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


RENDERED = _Rendered()
BODIES = _Rendered()


def _standings_key(a: Assessment, report_url: str) -> str:
    marks = sorted((k, repr(v)) for k, v in a.marks.items() if k.startswith("cert_"))
    return hashlib.blake2b(repr((a.key, marks, report_url, get_language())).encode(), digest_size=16).hexdigest()


def standings_html(request: HttpRequest, a: Assessment, report_url: str) -> SafeString:
    """`ladder/_standings.html` for `a`, rendered once per distinct input in this process."""
    key = _standings_key(a, report_url)
    keep = bool(a.key) and not settings.DEBUG  # with DEBUG, an edited template shows at once
    html = RENDERED.get(key) if keep else None
    if html is None:
        for s in a.standards:
            s["radar"] = mark_safe(radar_svg(s["groups"], title=s["title"]))
        html = mark_safe(render_to_string("ladder/_standings.html", {"a": a, "report_url": report_url}, request))
        if keep:
            RENDERED.put(key, html)
    return html


# Stands in for the visitor's CSRF token in a kept body; replaced by the request's own token on the way out.
# Random per process and made of characters HTML escaping leaves alone, so no page text can contain it.
_CSRF_STAND_IN = f"tidu-csrf-{secrets.token_hex(16)}"


class _Unkeyable(Exception):
    """A context value `_stable` does not know how to spell exactly: that body is rendered, not kept."""


def _stable(value: Any) -> Any:
    """`value` as plain nested tuples of str/int/bool/None/dates (a repr that is the same for equal content
    in every process and never names a memory address). Model instances and objects of other types raise
    `_Unkeyable`: the caller spells out what the template reads of them."""
    if value is None or isinstance(value, (str, int, float, dt.date)):  # bool is an int; datetime a date
        return value
    if isinstance(value, Promise):  # a lazy translation: its text in the active language
        return str(value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _stable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_stable(v) for v in value)
    raise _Unkeyable(type(value).__name__)


def body_html(request: HttpRequest, template_name: str, ctx: dict[str, Any]) -> SafeString:
    """`template_name` (the page's own part, below the site's frame) rendered with `ctx`, kept per process
    and keyed on the whole of `ctx` plus the language (`BODIES`).

    The body reads nothing but its context: not the visitor (`user`, `request`), not messages. The
    assessment and the firm in `ctx` are keyed on what the templates read of them: the firm's id, name,
    credit code and region, and the assessment's key (packs digest, day, whole record), years and marks;
    the standings inside are rendered HTML already (their own key is part of this one). The visitor's
    CSRF token is put in on every request. With DEBUG, or any value `_stable` cannot spell, it is
    rendered afresh."""
    a: Assessment = ctx["a"]
    ent = a.enterprise
    if settings.DEBUG or (a.fiscal_year is not None and not a.key):
        return mark_safe(render_to_string(template_name, ctx, request))
    try:
        plain = _stable({k: v for k, v in ctx.items() if k not in ("a", "enterprise", "standings")})
        marks = _stable(a.marks)
    except _Unkeyable:
        return mark_safe(render_to_string(template_name, ctx, request))
    standings = _standings_key(a, ctx["report_url"]) if ctx.get("standings") else ""
    key = hashlib.blake2b(repr((
        template_name, get_language(), plain, standings,
        (ent.pk, ent.name, ent.credit_code, ent.region_id),
        (a.key, a.fiscal_year, a.year, marks),
    )).encode(), digest_size=16).hexdigest()
    html = BODIES.get(key)
    if html is None:
        html = mark_safe(render_to_string(template_name, {**ctx, "csrf_token": _CSRF_STAND_IN}, request))
        BODIES.put(key, html)
    return mark_safe(html.replace(_CSRF_STAND_IN, get_token(request)))


def _context(request: HttpRequest, a: Assessment, credit_code: str | None, *, values: dict[str, str],
             errors: dict[str, str], **extra: Any) -> dict[str, Any]:
    kw = {"credit_code": credit_code} if credit_code else {}
    report_url = reverse("ladder:firm_report" if credit_code else "ladder:report", kwargs=kw)
    return {"a": a, "enterprise": a.enterprise, "own": credit_code is None,
            "what_if_url": reverse("ladder:firm_what_if" if credit_code else "ladder:what_if", kwargs=kw),
            "report_url": report_url,
            "standings": standings_html(request, a, report_url) if a.fiscal_year is not None else "",
            "fields": [{"name": f.name, "label": f.label, "money": f.money, "value": values.get(f.name, ""),
                        "error": errors.get(f.name, ""),
                        "badge": provenance.badge(a.marks[f.name]) if f.name in a.marks else None}
                       for f in whatif.FIELDS],
            "marks_tally": provenance.tally(a.marks),
            "errors": errors, **extra}


@tidu_view
@require_GET
def me(request: HttpRequest, credit_code: str | None = None) -> HttpResponse:
    """The live assessment of every standard, the what-if form and the firm's recognitions."""
    a = assess(firm_for(request.user, credit_code))
    recognitions = recognitions_of(a.enterprise, records=a.recognition_records)
    ctx = _context(request, a, credit_code, values=whatif.initial(a.record), errors={}, recognitions=recognitions,
                   calendar=calendar_of(a.enterprise.region_id, recognitions, today_shanghai()),
                   change_rule=CHANGE_RULE)
    return render(request, "ladder/me.html", {"body": body_html(request, "ladder/_me_body.html", ctx)})


@tidu_view
@require_http_methods(["POST"])
def what_if(request: HttpRequest, credit_code: str | None = None) -> HttpResponse:
    """Re-run the engine with the submitted figures; nothing is saved. htmx gets the partial only."""
    ent = firm_for(request.user, credit_code)
    overrides, errors = whatif.parse(request.POST)
    a = assess(ent, overrides=None if errors else overrides)
    values = {f.name: request.POST.get(f.name, "") for f in whatif.FIELDS}
    recognitions = recognitions_of(ent, records=a.recognition_records)
    ctx = _context(request, a, credit_code, values=values, errors=errors, what_if=not errors,
                   unit_warnings=[] if errors else whatif.unit_warnings(overrides, ent),
                   recognitions=recognitions, calendar=calendar_of(ent.region_id, recognitions, today_shanghai()),
                   change_rule=CHANGE_RULE)
    if getattr(request, "htmx", False):  # htmx swaps 2xx only: errors show in the form
        return HttpResponse(body_html(request, "ladder/_results.html", ctx))
    return render(request, "ladder/me.html", {"body": body_html(request, "ladder/_me_body.html", ctx)},
                  status=422 if errors else 200)


@tidu_view
@require_GET
def report(request: HttpRequest, credit_code: str | None = None) -> HttpResponse:
    """The diagnosis report PDF of the live assessment (the firm's saved figures, not a what-if)."""
    a = assess(firm_for(request.user, credit_code))
    response = HttpResponse(diagnosis_pdf(a), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tidu-diagnosis-{a.enterprise.credit_code}.pdf"'
    return response
