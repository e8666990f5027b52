"""Public RFC 6962 test vectors live beside the project in ../shared/data: read, not copied."""

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

RFC6962 = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "rfc6962"


@cache
def _load() -> dict[str, Any]:
    with (RFC6962 / "vectors.json").open(encoding="utf-8") as file:
        return json.load(file)


@pytest.fixture
def vectors() -> dict[str, Any]:
    """The collected vectors; skip where they are absent, fail in CI where they must be."""
    if not RFC6962.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI runs with ../shared beside the clone, but {RFC6962} is missing")
        pytest.skip(f"the RFC 6962 test vectors are not here ({RFC6962} is missing)")
    return _load()
