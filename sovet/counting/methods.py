"""The counting methods by the names the command line and statutes use."""

import importlib
from collections.abc import Callable

from sovet.counting.profile import Profile
from sovet.counting.result import Result

# Name -> "module:function"; imported on first use so that one method's module loads alone.
METHODS: dict[str, str] = {
    "scottish-stv": "sovet.counting.stv:scottish_stv",
    "meek-stv": "sovet.counting.meek:meek_stv",
    "wigm": "sovet.counting.stv:wigm",
    "irv": "sovet.counting.single:irv",
    "plurality": "sovet.counting.single:plurality",
    "approval": "sovet.counting.single:approval",
    "schulze": "sovet.counting.single:schulze",
}


def names() -> list[str]:
    """Return the method names, in a stable order."""
    return list(METHODS)


def method(name: str) -> Callable[..., Result]:
    """Return the counting function for a method name; KeyError lists the known ones."""
    try:
        module, function = METHODS[name].split(":")
    except KeyError:
        raise KeyError(f"unknown method {name!r}; methods: {', '.join(METHODS)}") from None
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def count(profile: Profile, name: str, *, seed: int | None = None) -> Result:
    """Count a profile with the named method."""
    return method(name)(profile, seed=seed)
