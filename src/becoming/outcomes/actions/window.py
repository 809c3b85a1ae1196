"""The report's window and today's date: one definition each for the whole app."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from becoming.engine.windows import WindowError, window_days


def parse_window(text: str | None) -> int | None:
    """'12m' → 365 days (see becoming.engine.windows); None or '' → no window."""
    if not text:
        return None
    try:
        days = window_days(text)
    except WindowError as exc:
        raise ValidationError(str(exc)) from None
    if days == 0:
        raise ValidationError(f"window {text!r} is empty: give at least one day")
    return days


def today() -> dt.date:
    return timezone.now().date()
