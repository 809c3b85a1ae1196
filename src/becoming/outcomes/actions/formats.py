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


SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩",
           "BRL": "R$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "MXN": "MX$", "ILS": "₪"}


def currency_prefix(currency: str) -> str:
    """"$" for USD, "€" for EUR, "CHF " for a code without a symbol here; "" for none."""
    if not currency:
        return ""
    return SYMBOLS.get(currency, f"{currency} ")


def money(value, currency: str = "") -> str:
    """$1,234 from 100 up, $12.50 below (the workspace's currency first); a dash when unknown."""
    if value is None or not math.isfinite(value):
        return "–"
    sign = "-" if value < 0 else ""
    amount = abs(value)
    text = f"{amount:,.0f}" if amount >= 100 else f"{amount:,.2f}"
    return f"{sign}{currency_prefix(currency)}{text}"
