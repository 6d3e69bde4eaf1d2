"""Pages of policies (being built: every page answers 404 until its view lands)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kw: Any) -> HttpResponse:
    raise Http404


policy_list = mine = subscribe = my_awards = awards_public = awards_export = manage_list = policy_edit = _todo
payouts = manage_detail = edition_new = batch_new = publish = push_view = award_detail = detail = _todo
