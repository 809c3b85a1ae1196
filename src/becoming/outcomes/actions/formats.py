"""How the outcome pages write rates and money."""

import math


def pct(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def rate_with_ci(rate, low, high) -> str:
    """12.3% (10.1–14.8)."""
    if rate is None:
        return "–"
    if low is None or high is None:
        return pct(rate)
    return f"{pct(rate)} ({low * 100:.1f}–{high * 100:.1f})"


def money(value) -> str:
    """1,234 from 100 up, 12.50 below; a dash when unknown."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
