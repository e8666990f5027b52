"""Real election data lives beside the project in ../shared/data: read there, never copied."""

import os
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
ELECTIONS = DATA / "elections"


@pytest.fixture
def elections() -> Path:
    """The folder of real elections; skip where it is absent, fail in CI where it must be."""
    if not ELECTIONS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI runs with ../shared beside the clone, but {ELECTIONS} is missing")
        pytest.skip(f"the real election data is not here ({ELECTIONS} is missing)")
    return ELECTIONS
