"""Time windows written as text ("90d", "26w", "12m", "1y"): one definition for everything.

A model criterion's ``within``, the outcome report's ``--window`` and every lever's windows
parse here. A month is a twelfth of a 365-day year, rounded to whole days, so that "12m" and
"1y" are the same 365 days: 1m = 30, 3m = 91, 6m = 182, 12m = 365.
"""

import re

WINDOW_RE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")
UNIT_DAYS = {"d": 1.0, "w": 7.0, "m": 365 / 12, "y": 365.0}


class WindowError(ValueError):
    pass


def window_days(text: str) -> int:
    """The number of days ``text`` spans; raises WindowError when it is not a window."""
    found = WINDOW_RE.match(text) if isinstance(text, str) else None
    if found is None:
        raise WindowError(f"window {text!r} is not a number followed by d, w, m or y (like 12m)")
    return round(int(found.group(1)) * UNIT_DAYS[found.group(2)])
