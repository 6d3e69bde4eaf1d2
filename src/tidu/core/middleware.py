"""Chinese first: the language is the user's explicit choice (cookie) or zh-hans, never the browser's.

Django's LocaleMiddleware also follows Accept-Language, so an English-language browser gets a
half-English page (the field registry and domain texts are Chinese only). To use this, replace
"django.middleware.locale.LocaleMiddleware" with "tidu.core.middleware.ChineseFirstLocaleMiddleware"
in settings.MIDDLEWARE (same position).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
