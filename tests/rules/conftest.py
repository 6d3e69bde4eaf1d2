"""One PostgreSQL connection and one local Spark session for all the engine tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from engines_support import postgres_connection, spark_local


@pytest.fixture(scope="session")
def pg() -> Iterator[Any]:
    yield from postgres_connection()


@pytest.fixture(scope="session")
def spark() -> Any:
    return spark_local()
