"""One world for the whole permission matrix, built once per module inside a transaction rolled back at the
end; every test (and every request within it) runs in a savepoint of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from matrix_world import ROLE_USERS, MatrixWorld, build_matrix_world


@pytest.fixture(scope="module")
def matrix(django_db_setup: None, django_db_blocker: Any,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatrixWorld]:
    var = Path(tmp_path_factory.mktemp("matrix_var"))
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_matrix_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def page_clients(matrix: MatrixWorld, django_db_blocker: Any) -> dict[str, Client]:
    """A signed-in browser per role (sessions live in the module's transaction)."""
    clients = {}
    with django_db_blocker.unblock():
        for role, username in ROLE_USERS.items():
            client = Client()
            if username is not None:
                client.force_login(matrix.users[username])
            clients[role] = client
    return clients


@pytest.fixture(scope="module")
def api_clients(matrix: MatrixWorld) -> dict[str, Client]:
    """A program per role, signing in with its API token (the API's documented way); anonymous sends none."""
    return {role: Client(HTTP_AUTHORIZATION=f"Bearer {matrix.tokens[role]}") if role in matrix.tokens else Client()
            for role in ROLE_USERS}
