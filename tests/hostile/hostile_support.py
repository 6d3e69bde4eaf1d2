"""Schemathesis over the whole /api/v1 schema as one role at a time, counting instead of stopping.

Both the suite (tests/hostile/test_hostile_api.py, a few examples per operation, database rolled back)
and `make fuzz` (tests/hostile/fuzz_api.py, ≥ 10,000 requests per role in a throwaway database) use it,
so the two can never check different things.

The requests go through Django's WSGI handler in this thread (no network, the test's transaction):
Django's own test client does the same by unhooking `close_old_connections`, which would otherwise
close the connection inside the test's transaction at the end of each request.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter
from collections.abc import Iterator
from typing import Any

import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SCHEMA_PATH = "/api/v1/openapi.json"
# role → demo user signing in with an API token (None: no credentials at all)
ROLES = {"anonymous": None, "firm": "demo-firm", "county": "demo-county", "province": "demo-province"}
CHECKS = {
    "server_error": not_a_server_error,
    "schema_violation": response_schema_conformance,
    "undocumented_status": status_code_conformance,
    "content_type": content_type_conformance,
}
KINDS = (*CHECKS, "valid_refused")
# schemathesis' failure classes → our names (a check that fails alone raises its failure bare)
FAILURE_KINDS = {
    "ServerError": "server_error", "JsonSchemaError": "schema_violation", "MalformedJson": "schema_violation",
    "MissingContentType": "content_type", "UndefinedContentType": "content_type",
    "MalformedMediaType": "content_type", "UndefinedStatusCode": "undocumented_status",
}


@contextlib.contextmanager
def same_connection() -> Iterator[None]:
    """Requests keep the caller's database connection (and its transaction), as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@contextlib.contextmanager
def multipart_as_clients_send_it() -> Iterator[None]:
    """Encode an empty multipart part with the blank line after its headers, as browsers, curl and requests do.

    schemathesis' WSGI transport has Werkzeug's test-only encoder build multipart bodies; since Werkzeug 2.3 it
    leaves that blank line out of an empty part (its reading of RFC 2046). Django's parser reads such a part as
    having no headers and drops it, so a generated empty file (`format: binary`, zero bytes) arrived as no file
    at all and was refused as missing: a fault of the test transport, not of the API (the same request sent by
    curl reaches the view)."""
    import werkzeug.test
    from werkzeug.sansio.multipart import Data, MultipartEncoder, State

    class ClientLikeEncoder(MultipartEncoder):
        def send_event(self, event: Any) -> bytes:
            if isinstance(event, Data) and self.state == State.DATA_START and not event.data:
                self.state = State.DATA
                return b"\r\n"
            return super().send_event(event)

    original = werkzeug.test.MultipartEncoder
    werkzeug.test.MultipartEncoder = ClientLikeEncoder  # type: ignore[misc]
    try:
        yield
    finally:
        werkzeug.test.MultipartEncoder = original  # type: ignore[misc]


def load_schema() -> Any:
    with same_connection():  # fetching the schema is a request too
        return schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())


def bearer_headers(username: str | None) -> dict[str, str]:
    """A fresh API token for the demo user (the API's documented way for programs to sign in)."""
    if username is None:
        return {}
    from django.contrib.auth import get_user_model

    from tidu.accounts.services import api_token_create

    user = get_user_model().objects.get(username=username)
    _, key = api_token_create(user=user, name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


@dataclasses.dataclass
class Tally:
    """What one role's run found: counts, and one example per distinct failure."""

    requests: int = 0
    failures: Counter[str] = dataclasses.field(default_factory=Counter)
    statuses: Counter[int] = dataclasses.field(default_factory=Counter)
    examples: dict[tuple[str, str, str], str] = dataclasses.field(default_factory=dict)

    def add(self, kind: str, operation: str, title: str, detail: str) -> None:
        self.failures[kind] += 1
        self.examples.setdefault((kind, operation, title), detail)

    def distinct(self, kind: str) -> list[tuple[str, str, str]]:
        return [key for key in self.examples if key[0] == kind]

    def report(self) -> str:
        lines = [f"requests {self.requests}, "
                 + ", ".join(f"{kind} {self.failures[kind]}" for kind in KINDS)
                 + f"; statuses {dict(sorted(self.statuses.items()))}"]
        for (kind, operation, title), detail in sorted(self.examples.items()):
            lines.append(f"  [{kind}] {operation}: {title}\n      {detail[:600]}")
        return "\n".join(lines)


def _kind_of(failure: Any) -> str:
    return FAILURE_KINDS.get(type(failure).__name__, type(failure).__name__)


def _detail(case: Any, response: Any) -> str:
    """The answer and the request, with the generated headers and cookies (the curl line hides them)."""
    generated = {"headers": case.headers, "cookies": case.cookies}
    return (f"{response.status_code} {response.text[:300]!r} ← {case.as_curl_command()} "
            f"{ {k: v for k, v in generated.items() if v}!r}")


def fuzz_operation(operation: Any, headers: dict[str, str], tally: Tally, *, examples: int, seed_value: int,
                   modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)) -> None:
    """`examples` generated requests per mode against one operation, each checked, none raising."""
    label = operation.label
    for mode in modes:
        strategy = operation.as_strategy(generation_mode=mode)

        @seed(seed_value)
        @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case: Any) -> None:
            tally.requests += 1
            response = case.call(headers=headers)
            tally.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=list(CHECKS.values()), headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    tally.add(_kind_of(failure), label, getattr(failure, "title", str(failure)),
                              _detail(case, response))
            except Exception as failure:  # one check failing alone is raised bare
                tally.add(_kind_of(failure), label, getattr(failure, "title", str(failure)),
                          _detail(case, response))
            # A request the published schema calls valid, refused by the framework's validation (422): the
            # schema lies. (A 400 is a documented business rule the schema cannot express: a year outside
            # the filing window, a file that is not a spreadsheet.)
            if case.meta is not None and case.meta.generation.mode.is_positive and response.status_code == 422:
                tally.add("valid_refused", label, "Schema-valid request refused with 422",
                          _detail(case, response))

        run()


def fuzz_role(schema: Any, headers: dict[str, str], *, examples: int, seed_value: int,
              tally: Tally | None = None) -> Tally:
    """Every operation of the schema, `examples` valid and `examples` invalid requests each (fewer where
    hypothesis runs out of distinct requests, e.g. an operation without parameters)."""
    tally = tally or Tally()
    with same_connection(), multipart_as_clients_send_it():
        for result in schema.get_all_operations():
            fuzz_operation(result.ok(), headers, tally, examples=examples, seed_value=seed_value)
    return tally
