"""Replayable scenarios: events from the essay run through the actions, each step's outcome as
the system computes it beside what the sources report."""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    """One step of a scenario: what was done, what the system computed, what sources report."""

    name: str
    action: str
    outcome: str
    reported: str
    matches: bool
    figures: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    run: Callable[..., tuple[Any, list[Step]]]


def scenarios() -> dict[str, Scenario]:
    """Return the scenarios by name."""
    from sovet.scenarios import congress_1903

    return {"1903": congress_1903.SCENARIO}
