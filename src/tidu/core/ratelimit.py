"""Rate limits per account and per network address, counted in the database so every worker shares them.

Each limited action (a *scope*: failed logins, sign-ups, password-reset mails, objections, API token
calls) allows `count` uses per fixed window of `seconds`, once per account and once per address; the
numbers are settings (`TIDU_RATE_LIMITS`, merged over `DEFAULT_LIMITS`) so a province and the tests can
tune them. A use over the limit is refused with `RateLimited` (HTTP 429, a Chinese sentence saying what
was limited and when to retry, a Retry-After header); the first refusal of a window leaves an audit
event. Why a table and not the cache: see docs/decisions/0106-rate-limits.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.models import RateCounter

ACCOUNT = "account"
ADDRESS = "address"

# (uses, seconds) per scope and kind. Per-address limits are higher than per-account ones: an office of
# many people reaches the platform from one NAT address.
DEFAULT_LIMITS: dict[str, dict[str, tuple[int, int]]] = {
    "login": {ACCOUNT: (5, 15 * 60), ADDRESS: (50, 15 * 60)},  # failed attempts (a success is not counted)
    "register": {ACCOUNT: (5, 3600), ADDRESS: (30, 3600)},  # account: the credit code signed up or claimed
    "password_reset": {ACCOUNT: (5, 3600), ADDRESS: (30, 3600)},  # account: the e-mail address
    "objection": {ACCOUNT: (5, 86400), ADDRESS: (10, 86400)},  # account: the user, else the contact given
    "objection_publicity": {ADDRESS: (3, 3600)},  # one address, one publicity
    "api_token": {ACCOUNT: (1200, 60), ADDRESS: (3000, 60)},  # calls authenticated by an API token
}


@dataclass(frozen=True)
class ScopeWords:
    title: str  # what happened, as the message's opening
    account: str  # whose uses count when counted per account
    verb: str  # "… 内{verb} N {unit}"
    unit: str = "次"
    hint: str = ""


WORDS: dict[str, ScopeWords] = {
    "login": ScopeWords("登录失败次数过多", "同一账号", "最多允许失败", hint="，或通过“忘记密码”重设密码"),
    "register": ScopeWords("注册申请过于频繁", "同一统一社会信用代码", "最多提交"),
    "password_reset": ScopeWords("找回密码请求过于频繁", "同一邮箱", "最多发送重设邮件"),
    "objection": ScopeWords("提交异议过于频繁", "同一提出人", "最多提交", unit="件异议"),
    "objection_publicity": ScopeWords("提交异议过于频繁", "同一提出人", "对同一公示最多提交", unit="件异议"),
    "api_token": ScopeWords("API 调用过于频繁", "同一账号的 API 令牌", "最多调用"),
}
KIND_WORDS = {ACCOUNT: "", ADDRESS: "同一网络地址"}

# The clock every window is read from; tests replace it instead of sleeping.
clock: Callable[[], dt.datetime] = timezone.now


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def limit_for(scope: str, kind: str) -> Limit | None:
    """The limit in force for `scope` and `kind` (settings over defaults); None when there is none."""
    configured: dict[str, Any] = getattr(settings, "TIDU_RATE_LIMITS", None) or {}
    value = (configured.get(scope) or {}).get(kind, DEFAULT_LIMITS.get(scope, {}).get(kind))
    if not value or int(value[0]) <= 0:
        return None
    return Limit(count=int(value[0]), seconds=max(1, int(value[1])))


def duration_words(seconds: int) -> str:
    """A window in words: 15分钟, 1小时, 24小时, 2天."""
    if seconds % 86400 == 0 and seconds > 86400:
        return f"{seconds // 86400}天"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}小时"
    if seconds % 60 == 0:
        return f"{seconds // 60}分钟"
    return f"{seconds}秒"


def wait_words(seconds: int) -> str:
    return f"{math.ceil(seconds / 60)} 分钟" if seconds > 90 else f"{seconds} 秒"


class RateLimited(TiduError):
    """A use over its limit: HTTP 429, the Chinese sentence, and Retry-After in seconds."""

    def __init__(self, *, scope: str, kind: str, limit: Limit, retry_after: int):
        words = WORDS.get(scope, ScopeWords("操作过于频繁", "同一账号", "最多"))
        who = KIND_WORDS[kind] or words.account
        super().__init__(ErrorCode.RATE_LIMITED, what=words.title, who=who, window=duration_words(limit.seconds),
                         verb=words.verb, limit=limit.count, unit=words.unit, wait=wait_words(retry_after),
                         hint=words.hint)
        self.scope, self.kind, self.limit, self.retry_after = scope, kind, limit, retry_after
        self.headers["Retry-After"] = str(retry_after)


def _window(now: dt.datetime, seconds: int) -> tuple[dt.datetime, dt.datetime]:
    stamp = int(now.timestamp())
    start = dt.datetime.fromtimestamp(stamp - stamp % seconds, tz=dt.UTC)
    return start, start + dt.timedelta(seconds=seconds)


def _keys(account: str | None, address: str | None) -> list[tuple[str, str]]:
    keys = []
    if account and account.strip():
        keys.append((ACCOUNT, account.strip().lower()[:255]))
    if address:
        keys.append((ADDRESS, address[:255]))
    return keys


def _prune(now: dt.datetime) -> None:
    """Delete the counters of windows that have passed (a failure here only delays the clean-up)."""
    try:
        with transaction.atomic():
            RateCounter.objects.filter(expires_at__lte=now).delete()
    except DatabaseError:
        pass


def _bump(scope: str, kind: str, key: str, limit: Limit, now: dt.datetime) -> int:
    """Add one use to the key's counter of the current window and return the new count.

    An UPDATE … SET hits = hits + 1 is atomic on both databases, so concurrent workers never lose a use;
    the read happens in the same transaction, after the update took the row's lock.
    """
    start, end = _window(now, limit.seconds)
    rows = RateCounter.objects.filter(scope=scope, kind=kind, key=key, window_start=start)
    opened = False
    with transaction.atomic():
        if not rows.update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(scope=scope, kind=kind, key=key, window_start=start,
                                               expires_at=end, hits=1)
                opened = True
            except IntegrityError:  # another worker opened the window first
                rows.update(hits=F("hits") + 1)
        hits = int(rows.values_list("hits", flat=True).get())
    if opened:
        _prune(now)
    return hits


def rate_count(scope: str, *, account: str | None = None, address: str | None = None, actor: Any = None,
               now: dt.datetime | None = None) -> RateLimited | None:
    """Count one use of `scope` by the account and the address; the refusal if either is over its limit.

    The use is counted even when refused (a client that keeps trying stays refused until the window
    ends). The first refusal of a window is audited, later ones are not (no flood of events).
    """
    now = now or clock()
    refused: RateLimited | None = None
    for kind, key in _keys(account, address):
        limit = limit_for(scope, kind)
        if limit is None:
            continue
        hits = _bump(scope, kind, key, limit, now)
        if hits <= limit.count:
            continue
        if hits == limit.count + 1:
            words = WORDS.get(scope)
            audit_record(actor=actor, action="ratelimit.trip", data={
                "scope": scope, "kind": kind, "key": key, "limit": limit.count, "seconds": limit.seconds,
                "what": words.title if words else scope, "who": KIND_WORDS[kind] or (words.account if words else ""),
                "window": duration_words(limit.seconds)})
        retry_after = max(1, math.ceil((_window(now, limit.seconds)[1] - now).total_seconds()))
        if refused is None or retry_after > refused.retry_after:
            refused = RateLimited(scope=scope, kind=kind, limit=limit, retry_after=retry_after)
    return refused


def rate_limit(scope: str, *, account: str | None = None, address: str | None = None, actor: Any = None,
               now: dt.datetime | None = None) -> None:
    """Count one use and raise `RateLimited` when it is over a limit."""
    refused = rate_count(scope, account=account, address=address, actor=actor, now=now)
    if refused is not None:
        raise refused


def rate_forgive(scope: str, *, account: str | None = None, address: str | None = None,
                 now: dt.datetime | None = None) -> None:
    """Take back a counted use that turned out fine (a successful login): the account starts afresh,
    the address gives back the one use, so an office logging in all day is never limited."""
    now = now or clock()
    for kind, key in _keys(account, address):
        rows = RateCounter.objects.filter(scope=scope, kind=kind, key=key)
        if kind == ACCOUNT:
            rows.delete()
            continue
        limit = limit_for(scope, kind)
        if limit is not None:
            rows.filter(window_start=_window(now, limit.seconds)[0], hits__gt=0).update(hits=F("hits") - 1)


def rate_reset() -> None:
    """Forget every counter (tests; an operator after a false alarm)."""
    RateCounter.objects.all().delete()
