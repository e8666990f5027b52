"""Model fields shared by the apps."""

from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

MAX_TEXT = 32
# Keeps "p/q" within the column and statutes within reason: 1/1,000,000 is fine enough.
MAX_DENOMINATOR = 1_000_000


def parse_fraction(text: str) -> Fraction:
    """Parse '1/2', '2/3' or '0.5' into an exact fraction between 0 and 1."""
    text = str(text).strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"a share has at most {MAX_TEXT} characters, like 2/3")
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValidationError(f"{text!r} is not a fraction; write it like 1/2 or 2/3") from None
    if not 0 <= value <= 1:
        raise ValidationError(f"{text} is not between 0 and 1")
    if value.denominator > MAX_DENOMINATOR:
        raise ValidationError(f"{text}: use a denominator up to {MAX_DENOMINATOR:,}")
    return value


class FractionField(models.CharField):  # type: ignore[type-arg]
    """An exact share between 0 and 1, stored as the text 'p/q'."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Fraction | None:
        return None if value is None else Fraction(value)

    def to_python(self, value: Any) -> Fraction | None:
        if value is None or isinstance(value, Fraction):
            return value
        return parse_fraction(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = self.to_python(value)
        return None if value is None else f"{value.numerator}/{value.denominator}"

    def value_to_string(self, obj: Any) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""
