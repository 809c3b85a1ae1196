"""Importing this module registers every job kind (each lives in its domain's actions)."""

from becoming.assessments import actions as _assessments  # noqa: F401
from becoming.customers import actions as _customers  # noqa: F401
from becoming.engage import feedback as _feedback  # noqa: F401
from becoming.engage import themes as _themes  # noqa: F401
from becoming.outcomes import actions as _outcomes  # noqa: F401
from becoming.signals import actions as _signals  # noqa: F401
